"""The PDF renderer reads only the project (issue 7): no file:// outside it, no http(s), no outside
attachments; refusals are clear errors naming the article and the URL. And the time limit."""

from __future__ import annotations

import struct
import threading
import time
import zlib
from pathlib import Path

import pytest

from conftest import article_text, issue_yml
from newsletter.pdf.fetcher import ProjectFetcher
from newsletter.pdf.writer import PdfError, run_with_time_limit
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


def test_relative_path_out_of_the_project_is_a_clear_error(project, outside):
    pdf = one_article_issue(project, '正文。\n\n<img alt="图" src="../../../outside/secret.png">\n')  # raw HTML, see above
    result = project.newsletter("pdf", "12")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "issues/012/01-a.md:1: pdf: " in result.stderr
    assert f"{outside.as_uri()}/secret.png" in result.stderr and "outside the project" in result.stderr
    assert not pdf.exists()


def test_raw_html_file_http_and_attachment_refused_with_article_and_url(project, outside):
    body = (f'正文。\n\n<img src="{outside.as_uri()}/secret.png">\n\n'
            f'<link rel="stylesheet" href="{outside.as_uri()}/secret.css">\n\n'
            f'<a rel="attachment" href="{outside.as_uri()}/secret.txt">附件</a>\n\n'
            '<img src="http://127.0.0.1:9/tracker.png">\n')
    pdf = one_article_issue(project, body, raw_html=True)
    result = project.newsletter("pdf", "12")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    for url in (f"{outside.as_uri()}/secret.png", f"{outside.as_uri()}/secret.css", f"{outside.as_uri()}/secret.txt",
                "http://127.0.0.1:9/tracker.png"):
        assert f"issues/012/01-a.md:1: pdf: {url}: " in result.stderr, url
    assert not pdf.exists()


def test_image_inside_the_issue_folder_is_embedded(project):
    pdf = one_article_issue(project, "正文。\n\n![碳市场走势](chart.png)\n")
    project.write("issues/012/chart.png", png(40, 20))
    result = project.newsletter("pdf", "12")
    assert result.returncode == 0, result.stderr
    assert ReadPdf(pdf).image_count() == 1


def test_fetcher_rules(tmp_path, outside):
    root = tmp_path / "project"
    (root / "issues").mkdir(parents=True)
    (root / "issues" / "inside.png").write_bytes(png())
    (root / "issues" / "link.png").symlink_to(outside / "secret.png")
    fetcher = ProjectFetcher([root])
    assert fetcher.refusal("data:image/png;base64,iVBORw0KGgo=") is None
    assert fetcher.refusal((root / "issues" / "inside.png").as_uri()) is None
    assert "outside the project" in fetcher.refusal((root / "issues" / "link.png").as_uri())
    assert "outside the project" in fetcher.refusal((root / "issues" / ".." / ".." / "outside" / "secret.png").as_uri())
    for url in ("https://example.com/a.png", "http://127.0.0.1/a.css", "ftp://example.com/a"):
        assert "not fetched" in fetcher.refusal(url)
    with pytest.raises(ValueError):
        fetcher.fetch((outside / "secret.txt").as_uri())
    assert fetcher.refused[-1].url == (outside / "secret.txt").as_uri()


def slow() -> bytes:
    time.sleep(30)
    return b""


def test_time_limit_in_the_main_thread():
    with pytest.raises(PdfError, match="took too long"):
        run_with_time_limit(slow, 0.2, "took too long")


def test_time_limit_in_another_thread():
    caught = []

    def work():
        try:
            run_with_time_limit(slow, 0.5, "took too long")
        except PdfError as exc:
            caught.append(str(exc))

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(20)
    assert caught == ["took too long"]


def test_time_limit_in_another_thread_returns_the_result():
    results = []
    thread = threading.Thread(target=lambda: results.append(run_with_time_limit(lambda: b"%PDF", 10, "slow")))
    thread.start()
    thread.join(20)
    assert results == [b"%PDF"]
