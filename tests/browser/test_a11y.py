"""WCAG 2.1 AA on every page kind, light and dark: axe-core finds no violation of any impact; lang zh-CN;
one h1; a working skip link; keyboard-reachable links and table boxes with a visible focus ring."""

from __future__ import annotations

import pytest

from axe import axe_violations
from browser_sites import ALL_PAGES, SAMPLE_PAGES, page_url, sample_site  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base(sample_site, serve):  # noqa: F811
    return serve(sample_site.site)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", ALL_PAGES)
def test_axe_finds_no_violation(sample_site, base, open_page, kind, scheme):  # noqa: F811
    watch = open_page(base + page_url(sample_site.site, kind), color_scheme=scheme)
    expected = "slate" if scheme == "dark" else "default"
    assert watch.page.evaluate("document.body.dataset.mdColorScheme") == expected
    assert axe_violations(watch.page) == []  # minor and moderate included: WCAG 2.1 AA has no optional rules
    assert watch.errors == [] and watch.external == []


@pytest.mark.parametrize("kind", ALL_PAGES)
def test_language_and_single_h1(sample_site, base, open_page, kind):  # noqa: F811
    page = open_page(base + page_url(sample_site.site, kind)).page
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.locator("h1").count() == 1


def _focus_style(page) -> dict:
    return page.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e);
        return {cls: e.className, tag: e.tagName, outline: s.outlineStyle, width: parseFloat(s.outlineWidth),
                opacity: s.opacity, text: e.textContent.trim()}; }""")


def test_skip_link_is_first_visible_on_focus_and_jumps_to_content(base, open_page):
    page = open_page(base + SAMPLE_PAGES["article-with-table"]).page
    page.keyboard.press("Tab")
    focused = _focus_style(page)
    assert "md-skip" in focused["cls"].split() and focused["text"] == "跳转至正文"
    page.wait_for_function("getComputedStyle(document.activeElement).opacity === '1'")  # Material fades it in
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#nl-content"
    assert page.evaluate("document.activeElement.id") == "nl-content"
    page.keyboard.press("Tab")  # the next stop is inside the content, not back in the header
    assert page.evaluate("document.getElementById('nl-content').contains(document.activeElement)")


def _tab_to(page, predicate_js: str, limit: int = 80) -> dict:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(e => {predicate_js})(document.activeElement)"):
            return _focus_style(page)
    raise AssertionError(f"Tab never reached an element where {predicate_js}")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pager_and_table_box_are_keyboard_operable_with_visible_focus(base, open_page, scheme):
    page = open_page(base + SAMPLE_PAGES["article-with-table"], color_scheme=scheme,
                     viewport={"width": 390, "height": 800}).page
    box = _tab_to(page, "e.classList.contains('md-typeset__scrollwrap')")
    assert box["outline"] != "none" and box["width"] >= 2
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.activeElement.scrollLeft > 0")  # the wide table scrolls by keyboard
    link = _tab_to(page, "e.matches('.nl-pager a')")
    assert link["outline"] != "none" and link["width"] >= 2
    href = page.evaluate("document.activeElement.getAttribute('href')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.rstrip("/").endswith(href.strip("./").rstrip("/"))


DEFAULT_PAGES = {"home": "", "issue": "issues/34/", "article-with-table": "issues/34/25/",
                 "article": "issues/34/01/", "issues-index": "issues/"}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_on_issue_34(default_site, serve, open_page, scheme):
    base = serve(default_site.site)
    found = {}
    for kind, url in DEFAULT_PAGES.items():
        watch = open_page(base + url, color_scheme=scheme)
        bad = [f"{v['impact']} {v['id']}: {v['nodes'][:3]}" for v in axe_violations(watch.page)]
        if bad:
            found[kind] = bad
        assert watch.page.locator("h1").count() == 1, kind
        assert watch.errors == [] and watch.external == [], kind
    assert found == {}


def test_search_box_and_facets_work_by_keyboard_with_visible_focus(sample_site, base, open_page):  # noqa: F811
    page = open_page(base + page_url(sample_site.site, "search").split("?")[0]).page
    box = _tab_to(page, "e.id === 'nl-search-q'")
    assert box["outline"] != "none"
    page.keyboard.type("碳市场")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('.nl-search-list li').length > 0")
    before = page.url
    facet = _tab_to(page, "e.classList.contains('nl-facet__link')")
    assert facet["outline"] != "none" and facet["width"] >= 2
    page.keyboard.press("Enter")
    page.wait_for_function("u => location.href !== u", arg=before)
    page.wait_for_function("document.querySelector('.nl-facet__link--selected') !== null")


def test_pagination_works_by_keyboard_with_visible_focus(sample_site, base, open_page):  # noqa: F811
    page = open_page(base + page_url(sample_site.site, "month")).page
    link = _tab_to(page, "e.closest('.nl-pagination') !== null && e.getAttribute('rel') === 'next'")
    assert link["outline"] != "none" and link["width"] >= 2
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/page/2/" in page.url
    assert page.locator(".nl-pagination [aria-current=page]").inner_text() == "2"
