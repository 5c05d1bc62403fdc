"""The live preview as editors use it: `newsletter serve` (the real server, rebuilding in place after
each save) serves an edited article, its issue page and its search entries; a save that breaks a
template keeps the last good preview, and the next good save is served."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.error
import urllib.request

from conftest import copy_project, load_synth
from test_atomic_build import _free_port, _get, _wait_for, stop_server


def _serve(project, port: int, log_path, pdf: bool) -> subprocess.Popen:
    """`newsletter serve` of the project, its output in log_path."""
    with open(log_path, "w") as log_file:
        return subprocess.Popen([sys.executable, "-m", "newsletter.cli", "serve", "--addr", f"127.0.0.1:{port}"],
                                cwd=project.path, stdout=log_file, stderr=subprocess.STDOUT,
                                env=dict(os.environ, NO_MKDOCS_2_WARNING="1", NEWSLETTER_PDF="1" if pdf else "0"))


def _search(browser, url: str, query: str) -> list[str]:
    page = browser.new_page()
    try:
        page.goto(url)
        return page.evaluate("q => window.newsletterSearch.search(q).then(r => r.map(x => x.title))", query)
    finally:
        page.close()


def test_preview_serves_an_edit_and_keeps_the_last_good_site_on_a_broken_template(tmp_path, browser):
    project = copy_project(tmp_path / "project", with_issues=False)
    load_synth().generate(project.path, 2, 6)
    article = sorted((project.path / "issues" / "002").glob("*.md"))[2]
    slug = article.stem.lower()
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    log_path = tmp_path / "serve.log"
    process = _serve(project, port, log_path, pdf=False)
    log_text = lambda: log_path.read_text(encoding="utf-8", errors="replace")  # noqa: E731
    try:
        _wait_for(lambda: _get(f"{base}issues/2/{slug}/"), "the first build to be served")

        text = article.read_text(encoding="utf-8")
        text = re.sub(r'^title: ".*"$', 'title: "［合成］预览里改的标题"', text, count=1, flags=re.M)
        article.write_text(text + "\n预览新词翡翠鸟出现在这里。\n", encoding="utf-8")
        page = _wait_for(lambda: (lambda html: html if html and "翡翠鸟" in html else None)(
            _get(f"{base}issues/2/{slug}/")), "the edited article to be served")
        assert "预览里改的标题" in page
        assert "预览里改的标题" in (_get(f"{base}issues/2/") or "")  # its issue page's contents
        assert "in place" in log_text()  # the save was an incremental build, not a full one

        # The session's Chromium (conftest.browser): a second Playwright would clash with its event loop.
        assert "［合成］预览里改的标题" in _search(browser, base, "翡翠鸟")

        template = project.path / "templates" / "article.html"
        good = template.read_text(encoding="utf-8")
        template.write_text(good.replace("{{ article.title }}", "{{ article.title.no_such_thing() }}", 1),
                            encoding="utf-8")
        _wait_for(lambda: "The preview keeps showing the last good build" in log_text(), "the broken rebuild")
        assert "templates/article.html:" in log_text() and "Traceback" not in log_text()
        assert "翡翠鸟" in (_get(f"{base}issues/2/{slug}/") or "")  # still the last good page

        template.write_text(good.replace("<article ", "<article data-fixed=\"yes\" ", 1), encoding="utf-8")
        _wait_for(lambda: 'data-fixed="yes"' in (_get(f"{base}issues/2/{slug}/") or ""), "the fixed template")
        assert process.poll() is None
    finally:
        stop_server(process, grace=30)


def _get_bytes(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read()
    except (urllib.error.URLError, OSError):
        return None


def _pdf_text(data: bytes, tmp_path) -> str:
    if not data.startswith(b"%PDF"):
        return ""
    path = tmp_path / "served.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_preview_renders_the_pdf_of_an_edited_issue_in_the_background(tmp_path):
    project = copy_project(tmp_path / "project", with_issues=False)
    load_synth().generate(project.path, 1, 3)
    article = sorted((project.path / "issues" / "001").glob("*.md"))[0]
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    page_url, pdf_url = f"{base}issues/1/{article.stem.lower()}/", f"{base}issues/1/newsletter-001.pdf"
    log_path = tmp_path / "serve.log"
    process = _serve(project, port, log_path, pdf=True)
    try:
        first = _wait_for(lambda: _get_bytes(pdf_url), "the first PDF, rendered after the first build")
        assert first.startswith(b"%PDF") and "后台重排的标题" not in _pdf_text(first, tmp_path)

        text = article.read_text(encoding="utf-8")
        article.write_text(re.sub(r'^title: ".*"$', 'title: "［合成］后台重排的标题"', text, count=1, flags=re.M),
                           encoding="utf-8")
        _wait_for(lambda: "后台重排的标题" in (_get(page_url) or ""), "the edited page")
        meanwhile = _get_bytes(pdf_url)  # the previous PDF or already the new one: never none
        assert meanwhile is not None and meanwhile.startswith(b"%PDF")
        _wait_for(lambda: "后台重排的标题" in _pdf_text(_get_bytes(pdf_url) or b"", tmp_path),
                  "the new PDF to replace the previous one")
        assert "to render in the background" in log_path.read_text(encoding="utf-8")
    finally:
        stop_server(process, grace=30)

    # A preview started again finds that PDF in the cache: its first build puts it in place, no job for later.
    process = _serve(project, port, log_path, pdf=True)
    try:
        _wait_for(lambda: "后台重排的标题" in (_get(page_url) or ""), "the page after a restart")
        assert "后台重排的标题" in _pdf_text(_get_bytes(pdf_url) or b"", tmp_path)
        log = log_path.read_text(encoding="utf-8")
        assert "PDF: 0 rendered (0 while the pages were built), 1 from the cache" in log
        assert "to render in the background" not in log
    finally:
        stop_server(process, grace=30)
