"""Script payloads in every content field never execute; where a field is shown, its text shows literally."""

from __future__ import annotations

import pytest

from browser_sites import HOSTILE_ARTICLES, PAYLOAD_IMG, PAYLOAD_SCRIPT, hostile_site  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

HOSTILE_PAGES = ["", "issues/", "issues/34/", "issues/34/01-hostile/", "issues/34/02-neighbour/"]

# Everything a payload could have become in the DOM.
INJECTED = """() => ({
  pwned: window.__pwned,
  handlers: document.querySelectorAll('[onerror],[onload],[onclick],[onmouseover]').length,
  jsLinks: [...document.querySelectorAll('a[href],iframe[src]')].filter(e => /^\\s*javascript:/i.test(e.getAttribute('href') || e.getAttribute('src') || '')).length,
  inlineScripts: [...document.scripts].filter(s => !s.src && s.type !== 'application/json' && s.textContent.includes('__pwned')).length,
  iframes: document.querySelectorAll('iframe, object, embed').length,
})"""


def _visit(open_page, base: str, url: str):
    watch = open_page(base + url)
    page = watch.page
    # Fire the events a surviving handler would listen to (no clicks: links would navigate away).
    page.evaluate("""() => document.querySelectorAll('body *').forEach(e =>
        ['mouseover', 'mouseenter', 'focus', 'error', 'load'].forEach(t => e.dispatchEvent(new Event(t))))""")
    page.wait_for_timeout(100)
    return watch


def _site_pages(site) -> list[str]:
    """Every page of a built site (archive pages included once they exist), as URLs relative to its root."""
    return sorted("" if p.parent == site else p.parent.relative_to(site).as_posix() + "/" for p in site.rglob("index.html"))


def test_no_payload_executes_on_any_page(hostile_site, serve, open_page):
    base = serve(hostile_site.site)
    pages = _site_pages(hostile_site.site)
    assert set(HOSTILE_PAGES) <= set(pages)
    clean = {"pwned": None, "handlers": 0, "jsLinks": 0, "inlineScripts": 0, "iframes": 0}
    found = {}
    for url in pages:
        watch = _visit(open_page, base, url)
        result = watch.page.evaluate(INJECTED)
        if result != clean or watch.external:
            found[url] = {**result, "external": watch.external}
        watch.page.context.close()
    assert found == {}


def test_payload_text_is_shown_as_text_in_every_field(hostile_site, serve, open_page):
    watch = _visit(open_page, serve(hostile_site.site), "issues/34/01-hostile/")
    page = watch.page
    title = f"标题{PAYLOAD_IMG}{PAYLOAD_SCRIPT}"
    assert page.title().startswith(title)
    assert page.inner_text("article h1") == title
    assert page.get_attribute('meta[name="description"]', "content").startswith(title)
    meta = page.inner_text(".nl-meta")
    for text in (f"来源{PAYLOAD_IMG}", f"文号{PAYLOAD_SCRIPT}", f"作者{PAYLOAD_IMG}"):
        assert text in meta
    assert page.locator(".nl-tag").all_inner_texts() == [f"标签{PAYLOAD_IMG}", PAYLOAD_SCRIPT]
    source_url = 'https://example.org/?q="><script>window.__pwned=1</script>'
    assert page.evaluate("u => [...document.querySelectorAll('a')].some(a => a.getAttribute('href') === u)", source_url)
    assert f"刊名{PAYLOAD_IMG}" in page.inner_text(".nl-article__kicker")
    assert f"邻居{PAYLOAD_SCRIPT}" in page.inner_text(".nl-pager")
    # The header shows the page title (Material prints page.meta.title: the plugin hands it escaped).
    assert title in page.inner_text(".md-header__topic:last-child")
    body = page.inner_text(".nl-body")
    assert "开头的正文。" in body and "结尾的正文。" in body and "坏链接" in body


def test_issue_fields_are_shown_as_text(hostile_site, serve, open_page):
    page = _visit(open_page, serve(hostile_site.site), "issues/34/").page
    assert page.inner_text("h1") == f"刊名{PAYLOAD_IMG}"
    masthead = page.inner_text(".nl-masthead")
    assert f"出版{PAYLOAD_SCRIPT}" in masthead and f"时段{PAYLOAD_IMG}" in masthead
    assert f"编者按{PAYLOAD_IMG}{PAYLOAD_SCRIPT}" in page.inner_text(".nl-note")


def test_allow_raw_html_lets_body_scripts_run_but_fields_stay_escaped(tmp_path, serve, open_page):
    """The documented escape hatch: raw HTML in bodies is published as written (and so runs)."""
    from browser_sites import build_project, hostile_issue_files, without_pdfs

    with without_pdfs():
        project = build_project(tmp_path / "raw", {"034": HOSTILE_ARTICLES}, hostile_issue_files(), allow_raw_html=True)
    watch = open_page(serve(project.site) + "issues/34/01-hostile/")
    assert watch.page.evaluate("window.__pwned") == 1  # the body's <script> ran: this detector works
    assert watch.page.inner_text("article h1") == f"标题{PAYLOAD_IMG}{PAYLOAD_SCRIPT}"


def _search_settled(page) -> None:
    page.wait_for_function("""() => { const s = document.querySelector('.nl-search-status');
        return s && s.textContent && !s.textContent.includes('正在'); }""")


def test_search_query_and_results_never_run_payloads(hostile_site, serve, open_page):
    from urllib.parse import quote

    assert (hostile_site.site / "search" / "index.html").is_file(), "the build has no search page"

    base = serve(hostile_site.site)
    for query in (PAYLOAD_IMG, PAYLOAD_SCRIPT, "标题", "邻居", '"><svg onload=window.__pwned=1>'):
        watch = open_page(base + "search/?q=" + quote(query))
        page = watch.page
        _search_settled(page)
        assert page.input_value("#nl-search-q") == query
        page.evaluate("""() => document.querySelectorAll('body *').forEach(e =>
            ['mouseover', 'focus', 'error', 'load'].forEach(t => e.dispatchEvent(new Event(t))))""")
        assert page.evaluate(INJECTED)["pwned"] is None, query
        assert page.evaluate(INJECTED)["handlers"] == 0, query
        if query == "标题":  # the payload title is found and shown as text
            assert f"标题{PAYLOAD_IMG}{PAYLOAD_SCRIPT}" in page.inner_text(".nl-search-list")
            assert page.locator(".nl-search-list img, .nl-search-list script").count() == 0
        watch.page.context.close()
    # The header search box on another page: type the payload, wait for the suggestions, look at them.
    watch = open_page(base + "issues/34/")
    page = watch.page
    box = page.locator("#nl-header-q")
    box.fill(PAYLOAD_IMG)
    box.press("End")
    page.wait_for_function(SUGGESTED, arg=PAYLOAD_IMG)  # hits or "nothing found for <the query as text>"
    box.fill("标题")
    page.wait_for_function(SUGGESTED, arg=f"标题{PAYLOAD_IMG}{PAYLOAD_SCRIPT}")
    titles = page.locator(".nl-header-search__title").all_inner_texts()
    assert f"标题{PAYLOAD_IMG}{PAYLOAD_SCRIPT}" in titles
    assert page.evaluate("window.__pwned") is None
    assert page.locator(".nl-header-search__panel img, .nl-header-search__panel script").count() == 0
    assert page.evaluate(INJECTED)["handlers"] == 0


# The header panel is open and shows ``text`` literally: in a suggested title or in its "nothing found" line.
SUGGESTED = """text => { const panel = document.querySelector('.nl-header-search__panel');
    return panel && !panel.hidden && [...panel.querySelectorAll('.nl-header-search__title, .nl-header-search__empty')]
        .some(e => e.textContent.includes(text)); }"""
