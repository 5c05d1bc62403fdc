"""The search in real headless Chromium: the JS API, the search page (facets, URL state, history),
the header box, escaping, and no console errors or external requests."""

from __future__ import annotations

import pytest

from search.conftest import XSS_TITLE, url_of

pytestmark = pytest.mark.browser

SEARCH = "([q, f]) => newsletterSearch.search(q, f).then(r => r.map(x => x.url))"

EXPECTED = [
    # query, filters, expected article paths best first
    ("市场建设", {}, ["issues/034/01-shenzhen.md"]),
    ("碳市场", {}, ["issues/034/01-shenzhen.md", "issues/033/01-review.md"]),
    ("碳市场", {"issue": 33}, ["issues/033/01-review.md"]),
    ("碳市场", {"section": "market", "year": "2014"}, ["issues/034/01-shenzhen.md"]),
    ("CCER项目", {}, ["issues/034/02-ccer.md"]),
    ("2020年", {}, ["issues/034/01-shenzhen.md"]),
    ("APEC", {}, ["issues/034/03-apec.md"]),
    ("apec", {"tag": "CCER"}, []),
    ("氣候談判", {}, ["issues/034/03-apec.md"]),
    ("发改委", {}, ["issues/034/02-ccer.md"]),
    ("UNFCCC", {}, ["issues/033/02-unfccc.md"]),
    ("碳市场 深圳", {}, ["issues/034/01-shenzhen.md"]),
    ("ＣＣＥＲ", {"source": "新华网"}, ["issues/034/02-ccer.md"]),
    ("场建", {}, ["issues/034/01-shenzhen.md"]),
    ("比特币", {}, []),
    ("建设市场", {}, []),  # every bigram occurs somewhere, the phrase nowhere
]


@pytest.fixture
def home(search_site, open_page):
    _, base = search_site
    return open_page(base), base


@pytest.mark.parametrize("query,filters,expected", EXPECTED, ids=[f"{q}{f or ''}" for q, f, _ in EXPECTED])
def test_api_finds_expected_articles(home, query, filters, expected):
    watch, base = home
    urls = watch.page.evaluate(SEARCH, [query, filters])
    assert urls == [base + url_of(p) for p in expected]
    assert watch.errors == [] and watch.external == []


def test_results_carry_display_fields_and_single_characters_work(home):
    watch, base = home
    results = watch.page.evaluate("newsletterSearch.search('碳', {}).then(r => ({total: r.total, first: r[0]}))")
    assert results["total"] >= 4
    first = results["first"]
    assert {k: first[k] for k in ("url", "title", "issue", "section", "date", "source")} == {
        "url": base + url_of("issues/034/01-shenzhen.md"), "title": "深圳碳市场建设初见成效", "issue": 34,
        "section": "market", "date": "2014-10-25", "source": "深圳商报"}
    assert first["score"] > 0


def test_search_page_facets_url_state_and_history(search_site, open_page):
    _, base = search_site
    watch = open_page(base + "search/?q=碳市场")
    page = watch.page
    page.wait_for_selector(".nl-search-hit")
    assert page.locator(".nl-search-hit__title").all_inner_texts() == ["深圳碳市场建设初见成效", "碳市场年度回顾"]
    assert page.locator(".nl-search-hit mark").first.inner_text() == "碳市场"
    year = page.locator('.nl-facet[data-facet="year"] .nl-facet__link')
    assert year.all_inner_texts() == ["2014 年\n1", "2013 年\n1"]
    page.locator('.nl-facet[data-facet="issue"] .nl-facet__link', has_text="第 33 期").click()
    page.wait_for_function("document.querySelectorAll('.nl-search-hit').length === 1")
    assert "issue=33" in page.url and "q=" in page.url
    assert page.locator(".nl-search-hit__title").all_inner_texts() == ["碳市场年度回顾"]
    page.go_back()
    page.wait_for_function("document.querySelectorAll('.nl-search-hit').length === 2")
    assert "issue=" not in page.url
    page.go_forward()
    page.wait_for_function("document.querySelectorAll('.nl-search-hit').length === 1")
    # shared URL opens the same state
    other = open_page(page.url).page
    other.wait_for_selector(".nl-search-hit")
    assert other.locator(".nl-search-hit__title").all_inner_texts() == ["碳市场年度回顾"]
    assert other.input_value("#nl-search-q") == "碳市场"
    assert watch.errors == [] and watch.external == []


def test_search_page_keyboard_only(search_site, open_page):
    _, base = search_site
    watch = open_page(base + "search/")
    page = watch.page
    page.focus("#nl-search-q")
    page.keyboard.type("CCER")
    page.keyboard.press("Enter")
    page.wait_for_selector(".nl-search-hit")
    assert "q=CCER" in page.url
    link = page.locator(".nl-facet__link").first
    link.focus()
    outline = link.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    page.wait_for_function("location.search.includes('section=')")


def test_header_box_shows_title_issue_section_date(search_site, open_page):
    _, base = search_site
    watch = open_page(base)
    page = watch.page
    page.fill("#nl-header-q", "碳市场")
    page.wait_for_selector(".nl-header-search__hit")
    first = page.locator(".nl-header-search__hit").first
    assert first.locator(".nl-header-search__title").inner_text() == "深圳碳市场建设初见成效"
    assert first.locator(".nl-search-meta").inner_text().split() == ["第", "34", "期", "市场热点", "2014-10-25", "深圳商报"]
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#nl-header-q", "aria-activedescendant") == "nl-header-hit-0"
    page.keyboard.press("Enter")
    page.wait_for_url(base + url_of("issues/034/01-shenzhen.md"))
    page.fill("#nl-header-q", "CCER")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=CCER")
    page.wait_for_selector(".nl-search-hit")
    assert watch.errors == [] and watch.external == []


PAYLOADS = ['<img src=x onerror="window.__xss=9">', '"><script>window.__xss=8</script>', "<svg onload=window.__xss=7>碳"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_in_query_and_content_do_not_execute(search_site, open_page, payload):
    _, base = search_site
    from urllib.parse import quote

    watch = open_page(base + "search/?q=" + quote(payload) + "&tag=" + quote(payload))
    page = watch.page
    page.wait_for_function("document.querySelector('.nl-search-status').textContent.length > 0 && "
                           "!document.querySelector('.nl-search-status').textContent.includes('正在')")
    page.fill("#nl-header-q", payload)
    page.wait_for_timeout(300)
    page.goto(base + "search/?q=" + quote("碳排放管理办法"))
    page.wait_for_selector(".nl-search-hit")
    assert page.locator(".nl-search-hit__title").first.inner_text() == XSS_TITLE
    page.fill("#nl-header-q", "管理办法")
    page.wait_for_selector(".nl-header-search__hit")
    page.wait_for_timeout(200)
    assert page.evaluate("window.__xss") is None
    assert watch.errors == [] and watch.external == []


@pytest.mark.parametrize("token", ["碳市", "市场", "碳", "ccer", "气候", "深圳"])
def test_engine_scores_equal_lunr_js(home, token):
    """The engine scores tokens from the compact shards; lunr.Index.load of the same shard scores alike."""
    watch, _ = home
    both = watch.page.evaluate("t => newsletterSearch.lookups(t)", token)
    assert both["engine"] and both["engine"] == both["lunr"]
