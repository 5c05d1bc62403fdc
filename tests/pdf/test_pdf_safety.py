"""The PDF reads only the project (issues 7 and 10): images only from the article's issue folder, no
file:// or http(s), no attachments; refusals are clear errors naming the article, line and URL. Content
enters Typst as data: nothing an editor writes is run as Typst code."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from conftest import article_text, issue_yml
from pdf_readback import ReadPdf, squeeze

pytestmark = pytest.mark.pdf

SECRET = "绝密外部文件内容"


def png(width=4, height=4) -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\0" + b"\xa3\x15\x1b" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@pytest.fixture
def outside(tmp_path) -> Path:
    """Files outside the project a hostile or careless article might point at."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.png").write_bytes(png())
    (folder / "secret.css").write_text(f'body::before {{ content: "{SECRET}"; }}', encoding="utf-8")
    (folder / "secret.txt").write_text(SECRET, encoding="utf-8")
    return folder


def one_article_issue(project, body: str, raw_html: bool = False) -> Path:
    if raw_html:
        config = project.path / "mkdocs.yml"
        config.write_text(config.read_text(encoding="utf-8").replace(
            "      issues_dir: issues", "      allow_raw_html: true\n      issues_dir: issues"), encoding="utf-8")
    project.write("issues/012/issue.yml", issue_yml(12, "2014-10-31", publisher="测试出版方"))
    project.write("issues/012/01-a.md", article_text(title="引用外部文件的文章", body=body))
    return project.site / "issues/12/newsletter-012.pdf"


def test_sanitized_file_urls_embed_and_attach_nothing(project, outside):
    # Raw HTML: the same links in Markdown are content errors before any PDF is made (tests/site/test_assets.py).
    body = (f'正文开头。\n\n<img alt="图" src="{outside.as_uri()}/secret.png">\n\n<a href="{outside.as_uri()}/secret.txt">附件</a>\n\n'
            f'<link rel="stylesheet" href="{outside.as_uri()}/secret.css">\n\n正文结尾。')
    pdf = one_article_issue(project, body)
    result = project.newsletter("pdf", "12")
    assert result.returncode == 0, result.stderr
    doc = ReadPdf(pdf)
    assert doc.image_count() == 0 and doc.attachments() == {}
    assert SECRET not in squeeze("".join(doc.pages)) and "正文结尾" in squeeze("".join(doc.pages))
    assert "/FileAttachment" not in doc.annotation_kinds()


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if text in line)


def test_relative_path_out_of_the_project_is_a_clear_error(project, outside):
    # Raw HTML: the same links in Markdown are content errors before any PDF is made (tests/site/test_assets.py).
    pdf = one_article_issue(project, '正文。\n\n<img alt="图" src="../../../outside/secret.png">\n')
    line = line_of(project.path / "issues/012/01-a.md", "secret.png")
    result = project.newsletter("pdf", "12")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert (f"issues/012/01-a.md:{line}: pdf: {outside.as_uri()}/secret.png: the file lies outside the project"
            in result.stderr)
    assert not pdf.exists()


def test_symlink_and_other_folders_are_refused(project, outside):
    # Raw HTML: the same links in Markdown are content errors before any PDF is made (tests/site/test_assets.py).
    pdf = one_article_issue(project, '正文。\n\n<img alt="一" src="link.png">\n\n<img alt="二" src="../../docs/chart.png">\n')
    (project.path / "issues/012/link.png").symlink_to(outside / "secret.png")
    project.write("docs/chart.png", png())
    result = project.newsletter("pdf", "12")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    article = project.path / "issues/012/01-a.md"
    assert (f"issues/012/01-a.md:{line_of(article, 'link.png')}: pdf: {outside.as_uri()}/secret.png: "
            "the file lies outside the project") in result.stderr
    assert (f"issues/012/01-a.md:{line_of(article, 'docs/chart.png')}: pdf: "
            f"{(project.path / 'docs/chart.png').as_uri()}: the file lies outside the issue's folder; "
            "put it in issues/012/") in result.stderr
    assert not pdf.exists()


def test_raw_html_images_from_files_and_http_are_refused_with_article_and_url(project, outside):
    body = (f'正文。\n\n<img src="{outside.as_uri()}/secret.png">\n\n'
            '<img src="http://127.0.0.1:9/tracker.png">\n')
    pdf = one_article_issue(project, body, raw_html=True)
    article = project.path / "issues/012/01-a.md"
    result = project.newsletter("pdf", "12")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    for url in (f"{outside.as_uri()}/secret.png", "http://127.0.0.1:9/tracker.png"):
        assert (f"issues/012/01-a.md:{line_of(article, url)}: pdf: {url}: " in result.stderr
                and "URLs are not read" in result.stderr), url
    assert not pdf.exists()


def test_raw_html_stylesheets_and_attachments_are_not_read(project, outside):
    body = (f'正文开头。\n\n<link rel="stylesheet" href="{outside.as_uri()}/secret.css">\n\n'
            f'<a rel="attachment" href="{outside.as_uri()}/secret.txt">附件</a>\n\n正文结尾。')
    pdf = one_article_issue(project, body, raw_html=True)
    result = project.newsletter("pdf", "12")
    assert result.returncode == 0, result.stderr
    doc = ReadPdf(pdf)
    text = squeeze("".join(doc.pages))
    assert SECRET not in text and "正文结尾" in text and "附件" in text
    assert doc.attachments() == {} and "/FileAttachment" not in doc.annotation_kinds()


def test_image_inside_the_issue_folder_is_embedded_with_its_title_as_caption(project):
    pdf = one_article_issue(project, '正文。\n\n![碳市场走势](chart.png "图 1 碳市场走势（示意）")\n\n图后正文。\n')
    project.write("issues/012/chart.png", png(40, 20))
    result = project.newsletter("pdf", "12")
    assert result.returncode == 0, result.stderr
    doc = ReadPdf(pdf)
    assert doc.image_count() == 1
    text = squeeze("".join(doc.pages))
    assert text.index("正文。") < text.index("图1碳市场走势（示意）") < text.index("图后正文")


INJECTIONS = ['#read("/etc/passwd")', '#import "@preview/x:0.1.0"', "#panic()", "$x$", "*粗*", "_斜_", "@ref",
              "<label>", "\\", "`code`", "```"]
# The same text written in Markdown (escapes for what Markdown itself would format), for article bodies.
MARKDOWN = ['#read("/etc/passwd")', '#import "@preview/x:0.1.0"', "#panic()", "$x$", "\\*粗\\*", "\\_斜\\_", "@ref",
            "&lt;label&gt;", "\\\\", "\\`code\\`", "\\`\\`\\`"]


def test_content_is_data_never_typst_code(project, outside):
    """Every field an editor writes prints as written; nothing in it is run, and no outside file is read."""
    secret = f'#read("{outside / "secret.txt"}")'
    hostile, written = " ".join(INJECTIONS), " ".join(MARKDOWN)
    project.write("issues/012/issue.yml", issue_yml(12, "2014-10-31", publisher=f"'出版方 {hostile}'",
                                                     note=f"'编者按 {hostile}'"))
    project.write("issues/012/01-a.md", article_text(
        title=f"'标题 {hostile}'", source=f"'来源 {hostile}'", tags=f"['{hostile}']", doc_number=f"'文号 {hostile}'",
        body=f"读取 {secret}\n\n正文 {written}\n\n- 列表 {written}\n\n| 表头 {written} |\n|---|\n| 单元格 {written} |\n\n"
             f"脚注[^1]\n\n[^1]: 注释 {secret}\n"))
    result = project.newsletter("pdf", "12")
    assert result.returncode == 0, result.stderr
    doc = ReadPdf(project.site / "issues/12/newsletter-012.pdf")
    text = squeeze("".join(doc.pages))
    printed = squeeze(hostile)
    for label in ("标题", "来源", "文号", "正文", "列表", "表头", "单元格", "出版方", "编者按"):
        assert squeeze(label) + printed in text, label
    assert squeeze(f"注释 {secret}") in text and squeeze(f"读取 {secret}") in text
    assert SECRET not in text and "root:" not in text
    assert doc.reader.metadata.title == f"节能减排信息动态 总第 12 期"
    assert [a.title for m in doc.bookmarks[1:] for a in m.children] == [f"标题 {hostile}"]
