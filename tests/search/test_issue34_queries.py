"""The held-out query set over the real issue 34 (tests/fixtures/search_queries.yml): every article
judged relevant is among the first ten results of the real engine in Chromium."""

from __future__ import annotations

import pytest
import yaml

from conftest import FIXTURES

pytestmark = pytest.mark.browser

QUERIES = yaml.safe_load((FIXTURES / "search_queries.yml").read_text(encoding="utf-8"))["queries"]


@pytest.fixture(scope="module")
def issue34_page(default_site, serve, browser):
    base = serve(default_site.site)
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(base, wait_until="networkidle")
    yield page, base, errors
    context.close()


@pytest.mark.parametrize("entry", QUERIES, ids=[e["q"] for e in QUERIES])
def test_relevant_articles_in_top_ten(issue34_page, entry):
    page, base, errors = issue34_page
    urls = page.evaluate("q => newsletterSearch.search(q, {}, {limit: 10}).then(r => r.map(x => x.url))", entry["q"])
    found = [u[len(base):].strip("/").removeprefix("issues/") for u in urls]
    missing = [str(r) for r in entry["relevant"] if str(r) not in found]
    assert missing == [], f"{entry['q']}: {found}"
    assert errors == []
