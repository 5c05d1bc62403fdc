"""The search in real headless Chromium: the JS API, the search page (facets, URL state, history),
the header box, escaping, and no console errors or external requests."""

from __future__ import annotations

import lunr.builder as lunr_builder
import pytest
from lunr.builder import Builder
from lunr.token import Token

from conftest import ROOT
from newsletter.search.tokenizer import tokens
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
    assert results["total"] == 4  # 深圳…碳市场, APEC…碳中和, 碳排放管理办法, 碳市场年度回顾 (by hand)
    first = results["first"]
    assert {k: first[k] for k in ("url", "title", "issue", "section", "date", "source")} == {
        "url": base + url_of("issues/034/01-shenzhen.md"), "title": "深圳碳市场建设初见成效", "issue": 34,
        "section": "market", "date": "2014-10-25", "source": "深圳商报"}
    assert first["score"] > 0


def test_without_facet_counts_the_results_and_total_are_the_same(home):
    watch, _ = home
    got = watch.page.evaluate("""() => Promise.all([
        newsletterSearch.search('碳', {issue: 34}, {limit: 2}), newsletterSearch.search('碳', {issue: 34}, {limit: 2, facets: false})])
      .then(([a, b]) => [a.map(x => x.url), a.total, b.map(x => x.url), b.total, b.facets, a.facets.issue])""")
    assert got[0] == got[2] and len(got[0]) == 2
    assert got[1] == got[3] == 3  # 深圳…碳市场, APEC…碳中和, 碳排放管理办法 in issue 34
    assert got[4] is None
    assert got[5] == [{"value": "34", "label": "第 34 期", "count": 3}, {"value": "33", "label": "第 33 期", "count": 1}]


def test_search_page_facets_url_state_and_history(search_site, open_page):
    _, base = search_site
    watch = open_page(base + "search/?q=碳市场")
    page = watch.page
    page.wait_for_selector(".nl-search-hit")
    assert page.locator(".nl-search-hit__title").all_inner_texts() == ["深圳碳市场建设初见成效", "碳市场年度回顾"]
    assert page.locator(".nl-search-hit mark").first.inner_text() == "碳市场"
    page.wait_for_selector(".nl-search-snippet")
    snippet = page.locator(".nl-search-hit").first.locator(".nl-search-snippet")
    assert snippet.inner_text() == "深圳碳交易市场于 2013 年正式启动。在碳市场建设初期，深圳以机制设计为重点，力争在 2020年前达到碳排放峰值。"
    assert snippet.locator("mark").all_inner_texts() == ["碳市场"]
    page.wait_for_selector('.nl-facet[data-facet="year"] .nl-facet__link')  # drawn just after the results
    year = page.locator('.nl-facet[data-facet="year"] .nl-facet__link')
    assert year.all_inner_texts() == ["2014 年\n1", "2013 年\n1"]
    page.locator('.nl-facet[data-facet="issue"] .nl-facet__link', has_text="第 33 期").click()
    page.wait_for_function("document.querySelectorAll('.nl-search-hit').length === 1")
    page.wait_for_url("**/search/?q=*&issue=33")  # the history entry follows the drawn results
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
    page.wait_for_url("**/search/?q=CCER")
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


LUNR_JS = ROOT / "site_plugins" / "newsletter" / "search" / "assets" / "lunr.min.js"

# In the page: lunr.js 2.3.9 loads the index lunr.py built over the same articles; query() gives the
# documents, each field vector the BM25 weight of the token in that field.
LUNR_REFERENCE = """([serialized, token]) => {
  const idx = lunr.Index.load(serialized);
  const posting = idx.invertedIndex[token];
  return idx.query(q => q.term(token, {usePipeline: false})).map(match => {
    let score = 0, title = false;
    for (const field of ["title", "tags", "body"]) {
      if (!(match.ref in posting[field])) continue;
      const vector = idx.fieldVectors[field + "/" + match.ref];
      score += vector.elements[vector.positionForIndex(posting._index) + 1];
      title = title || field !== "body";
    }
    return [match.ref, score, title];
  }).sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}"""


@pytest.fixture(scope="module")
def lunr_reference(search_site):
    """lunr.py's index over the fixture articles (the text the site indexes), refs being their URLs."""
    project, base = search_site
    from newsletter import content
    from newsletter.model import Settings
    from newsletter.search import site

    catalog, problems = content.load_catalog(project.path, Settings())
    assert [p for p in problems if p.severity != "warning"] == []
    builder = Builder()
    builder.pipeline.reset()
    builder.search_pipeline.reset()
    builder.ref("url")
    for field in ("title", "tags", "body"):
        builder.field(field)
    original = lunr_builder.Tokenizer
    lunr_builder.Tokenizer = lambda text, *a, **k: [Token(t) for t in tokens(text or "")]
    try:
        for doc in site.documents(catalog):
            builder.add({"url": base + doc.url, **dict(zip(("title", "tags", "body"), doc.fields))})
    finally:
        lunr_builder.Tokenizer = original
    return builder.build().serialize()


@pytest.mark.parametrize("token", ["碳市", "市场", "碳", "ccer", "气候", "深圳"])
def test_engine_scores_equal_lunr_js(home, lunr_reference, token):
    """The engine computes lunr's BM25 from raw term frequencies; lunr.js, loading the index lunr.py built
    over the same articles, finds the same documents with the same weights (summed over fields)."""
    watch, _ = home
    engine = watch.page.evaluate("t => newsletterSearch.lookups(t)", token)
    watch.page.add_script_tag(path=str(LUNR_JS))
    reference = watch.page.evaluate(LUNR_REFERENCE, [lunr_reference, token])
    assert reference
    assert [[u, round(s, 9), t] for u, s, t in engine] == [[u, round(s, 9), t] for u, s, t in reference]
