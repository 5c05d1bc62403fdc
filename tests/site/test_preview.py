"""The live preview as editors use it: `newsletter serve` (the real server, rebuilding in place after
each save) serves an edited article, its issue page and its search entries; a save that breaks a
template keeps the last good preview, and the next good save is served."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

from conftest import CHROMIUM, CHROMIUM_ARGS, copy_project, load_synth
from test_atomic_build import _free_port, _get, _wait_for


def _search(browser, url: str, query: str) -> list[str]:
    page = browser.new_page()
    try:
        page.goto(url)
        return page.evaluate("q => window.newsletterSearch.search(q).then(r => r.map(x => x.title))", query)
    finally:
        page.close()


def test_preview_serves_an_edit_and_keeps_the_last_good_site_on_a_broken_template(tmp_path):
    project = copy_project(tmp_path / "project", with_issues=False)
    load_synth().generate(project.path, 2, 6)
    article = sorted((project.path / "issues" / "002").glob("*.md"))[2]
    slug = article.stem.lower()
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    log_path = tmp_path / "serve.log"
    with open(log_path, "w") as log_file:
        process = subprocess.Popen([sys.executable, "-m", "newsletter.cli", "serve", "--addr", f"127.0.0.1:{port}"],
                                   cwd=project.path, stdout=log_file, stderr=subprocess.STDOUT,
                                   env=dict(os.environ, NO_MKDOCS_2_WARNING="1", NEWSLETTER_PDF="0"))
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

        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                assert "［合成］预览里改的标题" in _search(browser, base, "翡翠鸟")
            finally:
                browser.close()

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
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
