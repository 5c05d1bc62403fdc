"""Files next to articles (issue 16): images, captioned figures and attachments, published with the site,
in the feed and in the PDF; `check` errors for links that cannot be published. Images are made with Pillow
here (no binary fixtures)."""

from __future__ import annotations

import gzip
import importlib.util
import io
import json
import re
import subprocess

import feedparser
import pytest
from PIL import Image

from conftest import ROOT, article_text, configure, copy_project, issue_yml

SITE_URL = "https://example.org/newsletter/"
DOCX_BYTES = 46_080  # 45 KB
ATTACHMENT_NAME = "业务支撑单位名单.docx"


def png(width: int, height: int, colour=(30, 120, 90)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 60, 160)).save(out, format="JPEG")
    return out.getvalue()


CHART_BODY = """本周各交易所碳价如下。

![各交易所碳价走势图](chart.png "图 1 各交易所碳市价格走势")

文中的小图 ![红色方块](img/dot.png) 不带说明。

![全国碳市场分布图](big.jpg)
"""
NOTICE_BODY = f"""特此通知。

附件：[业务支撑单位名单（2014—2015年度）]({ATTACHMENT_NAME})
"""


def write_asset_issue(project) -> None:
    """Issue 34 with an image with and without caption, an oversized image, a DOCX attachment and a file
    no article links."""
    folder = "issues/034"
    project.write(f"{folder}/issue.yml", issue_yml(publisher="测试出版方"))
    project.write(f"{folder}/01-chart.md", article_text(title="各交易所碳市价格走势", body=CHART_BODY))
    project.write(f"{folder}/02-notice.md", article_text(title="关于公布业务支撑单位名单的通知", section="announcements",
                                                       source=None, body=NOTICE_BODY))
    project.write(f"{folder}/chart.png", png(800, 450))
    project.write(f"{folder}/img/dot.png", png(40, 40, (200, 20, 20)))
    project.write(f"{folder}/big.jpg", jpeg(3200, 1800))
    project.write(f"{folder}/{ATTACHMENT_NAME}", b"PK\x03\x04" + b"\0" * (DOCX_BYTES - 4))
    project.write(f"{folder}/notes.xlsx", b"not linked")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("assets") / "project", with_issues=False)
    write_asset_issue(project)
    configure(project, site_url=SITE_URL)
    result = project.build()
    assert result.returncode == 0, result.stderr
    return project


def image_tags(html: str) -> dict[str, str]:
    return {re.search(r'src="([^"]+)"', tag)[1]: tag for tag in re.findall(r"<img [^>]*>", html)}


def test_images_are_published_beside_the_article_with_their_size(built):
    page = built.html("issues/34/01-chart")
    images = image_tags(page)
    assert re.search(r'<figure><img [^>]*src="chart.png"[^>]*><figcaption>图 1 各交易所碳市价格走势</figcaption>\s*</figure>',
                     page)
    chart = images["chart.png"]
    assert 'width="800"' in chart and 'height="450"' in chart and 'loading="lazy"' in chart
    assert 'alt="各交易所碳价走势图"' in chart and "title=" not in chart
    dot = images["img/dot.png"]
    assert 'width="40"' in dot and 'height="40"' in dot and "<figure><img alt=\"红色方块\"" not in page
    assert (built.site / "issues/34/01-chart/chart.png").read_bytes() == (built.path / "issues/034/chart.png").read_bytes()
    assert (built.site / "issues/34/01-chart/img/dot.png").is_file()


def test_an_oversized_image_is_published_web_sized_and_the_original_stays_out(built):
    big = image_tags(built.html("issues/34/01-chart"))["big.jpg"]
    assert 'width="1600"' in big and 'height="900"' in big
    with Image.open(built.site / "issues/34/01-chart/big.jpg") as published:
        assert published.size == (1600, 900) and published.format == "JPEG"
    cached = list((built.path / ".cache/newsletter/images").iterdir())
    assert [p.suffix for p in cached] == [".jpg"] and "1600x900" in cached[0].name


def test_an_attachment_is_published_and_labelled_with_type_and_size(built):
    page = built.html("issues/34/02-notice")
    assert (f'<a href="{ATTACHMENT_NAME}">业务支撑单位名单（2014—2015年度）</a>'
            '<span class="nl-file">（附件 · DOCX · 45 KB）</span>') in page
    assert (built.site / "issues/34/02-notice" / ATTACHMENT_NAME).stat().st_size == DOCX_BYTES


def test_unlinked_files_are_not_published_and_check_warns(built):
    assert not list(built.site.rglob("notes.xlsx"))
    assert not (built.site / "issues/34/01-chart" / ATTACHMENT_NAME).exists()  # only beside the article linking it
    check = built.newsletter("check")
    assert check.returncode == 0
    assert ("issues/034/notes.xlsx:1: file: warning: no article links this file, so it is not published"
            in check.stderr)
    assert "chart.png" not in check.stderr and ATTACHMENT_NAME not in check.stderr


def test_links_to_files_resolve_on_every_page(built):
    from test_links import dead_links

    assert dead_links(built.site, "/newsletter/") == []


def test_feed_links_images_and_attachments_absolutely(built):
    feed = feedparser.parse((built.site / "feed.xml").read_bytes())
    assert not feed.bozo
    content = {e.title: e.content[0].value for e in feed.entries}
    chart = content["各交易所碳市价格走势"]
    assert f'src="{SITE_URL}issues/34/01-chart/chart.png"' in chart and 'width="800"' in chart
    assert f'src="{SITE_URL}issues/34/01-chart/img/dot.png"' in chart
    notice = content["关于公布业务支撑单位名单的通知"]
    assert f'href="{SITE_URL}issues/34/02-notice/%E4%B8%9A' in notice and "（附件 · DOCX · 45 KB）" in notice


def file_text(path) -> str:
    """What a reader of the file sees: JSON (gzipped or not) with its escapes undone, or the text."""
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    text = data.decode("utf-8", errors="replace")
    if path.name.endswith((".json", ".json.gz")):
        return json.dumps(json.loads(text), ensure_ascii=False)
    return text


def test_search_text_has_the_caption_and_link_text_but_not_the_label(built):
    texts = "".join(file_text(p) for p in (built.site / "search/data").rglob("*") if p.is_file())
    assert "图 1 各交易所碳市价格走势" in texts and "业务支撑单位名单（2014—2015年度）" in texts
    assert "45 KB" not in texts


def test_email_edition_shows_the_first_image_absolutely_and_links_the_attachment(built):
    html = (built.site / "issues/34/email.html").read_text(encoding="utf-8")
    image = re.search(r'<img [^>]*src="https://example.org/newsletter/issues/34/01-chart/chart.png"[^>]*>', html)
    assert image and 'width="552"' in image[0] and 'height="310"' in image[0] and 'alt="各交易所碳价走势图"' in image[0]
    assert html.count("<img ") == 1  # the digest shows one image per article at most
    docx = f"{SITE_URL}issues/34/02-notice/%E4%B8%9A%E5%8A%A1%E6%94%AF%E6%92%91%E5%8D%95%E4%BD%8D%E5%90%8D%E5%8D%95.docx"
    assert re.search(rf'<a href="{re.escape(docx)}"[^>]*>业务支撑单位名单（2014—2015年度）</a>（附件 · DOCX · 45 KB）', html)
    text = (built.site / "issues/34/email.txt").read_text(encoding="utf-8")
    assert f"业务支撑单位名单（2014—2015年度）（附件 · DOCX · 45 KB）：{docx}" in text


@pytest.mark.pdf
def test_pdf_embeds_the_originals_with_the_caption(built):
    pdf = built.site / "issues/34/newsletter-034.pdf"
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    sizes = sorted((int(row.split()[3]), int(row.split()[4])) for row in listing.splitlines()[2:])
    assert sizes == [(40, 40), (800, 450), (3200, 1800)]
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                                             text=True, check=True).stdout)
    assert "图1各交易所碳市价格走势" in text and "（附件·DOCX·45KB）" in text


@pytest.mark.browser
def test_images_load_in_the_browser_and_the_pages_pass_axe(built, serve, open_page):
    spec = importlib.util.spec_from_file_location("axe", ROOT / "tests" / "browser" / "axe.py")
    axe = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(axe)
    base = serve(built.site)
    for width in (1280, 390):
        watch = open_page(base + "issues/34/01-chart/", viewport={"width": width, "height": 900})
        page = watch.page
        page.evaluate("() => Promise.all([...document.images].map(i => { i.loading = 'eager'; return i.decode(); }))")
        sizes = page.evaluate("() => [...document.querySelectorAll('.nl-body img')].map(i => [i.naturalWidth, i.clientWidth])")
        assert len(sizes) == 3 and all(natural > 0 for natural, _ in sizes), sizes
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        assert not watch.errors and not watch.external
        serious = [v for v in axe.axe_violations(page) if v["impact"] in ("serious", "critical")]
        assert serious == []
    notice = open_page(base + "issues/34/02-notice/")
    with notice.page.expect_download() as download:
        notice.page.click(f'a[href="{ATTACHMENT_NAME}"]')
    assert download.value.suggested_filename == ATTACHMENT_NAME


# ---------------------------------------------------------------- check errors

def _check(project, body: str, **plugin):
    project.write("issues/034/issue.yml", issue_yml())
    project.write("issues/034/01-a.md", article_text(body=body))
    if plugin:
        configure(project, plugin)
    return project.newsletter("check")


@pytest.mark.parametrize("body, message", [
    ("第一段。\n\n![走势图](missing.png)\n", "issues/034/01-a.md:9: body: missing.png: no such file in issues/034/"),
    ("第一段。\n\n正文 [名单](../../outside.docx)\n", "issues/034/01-a.md:9: body: ../../outside.docx: leaves the issue folder"),
    ("第一段。\n\n![走势图](../033/chart.png)\n", "issues/034/01-a.md:9: body: ../033/chart.png: leaves the issue folder"),
    ("第一段。\n\n![走势图](/etc/hosts)\n", "issues/034/01-a.md:9: body: /etc/hosts: absolute path"),
    ("第一段。\n\n[文件](file:///etc/passwd)\n", "issues/034/01-a.md:9: body: file:///etc/passwd: links a file on this computer"),
], ids=["missing", "escape", "other-issue", "absolute", "file-url"])
def test_links_that_cannot_be_published_are_errors_with_path_and_line(project, body, message):
    result = _check(project, body)
    assert result.returncode == 1 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_a_file_over_the_size_limit_is_an_error(project):
    with open(project.write("issues/034/huge.pdf", b""), "wb") as f:
        f.truncate(20_000_001)  # sparse: one byte over the default limit of 20 MB
    result = _check(project, "第一段。\n\n[全文](huge.pdf)\n")
    assert result.returncode == 1
    assert "issues/034/01-a.md:9: body: huge.pdf: is 20,000,001 bytes; the limit is 20,000,000" in result.stderr
    project.write("issues/034/small.pdf", b"%PDF" + b"\0" * 3000)
    limited = _check(project, "第一段。\n\n[全文](small.pdf)\n", max_asset_bytes=2000)
    assert limited.returncode == 1 and "small.pdf: is 3,004 bytes; the limit is 2,000" in limited.stderr


def test_a_symbolic_link_out_of_the_issue_folder_is_an_error(project, tmp_path):
    (tmp_path / "secret.png").write_bytes(png(4, 4))
    (project.path / "issues/034").mkdir(parents=True)
    (project.path / "issues/034/chart.png").symlink_to(tmp_path / "secret.png")
    result = _check(project, "![图](chart.png)\n")
    assert result.returncode == 1 and "issues/034/01-a.md:7: body: chart.png: leaves the issue folder" in result.stderr


def test_an_image_without_alt_text_is_a_warning(project):
    project.write("issues/034/chart.png", png(10, 10))
    result = _check(project, "第一段。\n\n![](chart.png)\n")
    assert result.returncode == 0
    assert "issues/034/01-a.md:9: body: warning: image chart.png has no alt text" in result.stderr


def test_pages_and_other_sites_are_not_files(project):
    result = _check(project, "[上一篇](../02-b/)、[原文](https://example.org/a.docx)、[脚注](#fn)。\n")
    assert result.returncode == 0, result.stderr
