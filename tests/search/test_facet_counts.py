"""Totals and facet counts of the engine in Chromium against a brute-force count over a generated archive
of 2,000 articles: facet values read straight from the articles' front matter and issue.yml, matches by
plain substring search of every query term (separators and case aside) in title, tags or text.

Only the search index is built (not the pages): the test serves the index and the engine's assets with
a bare page that loads them."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import pytest
import yaml

from conftest import load_synth
from newsletter import content
from newsletter.model import Settings
from newsletter.search import site

pytestmark = pytest.mark.browser

ISSUES = 80  # × 25 articles
QUERIES = [
    # (query, filters); terms of one or two characters, Latin words, several terms, a rare phrase
    ("深圳", {}), ("配额", {"year": "2014"}), ("CCER", {"section": "market"}), ("碳 欧盟", {}),
    ("排污权", {"tag": "排污权"}), ("光伏", {"source": "新华网"}), ("天然气 北京", {"issue": "40"}),
    ("热电联产厂至少已运行三年", {}), ("比特币", {}),
]
FACETS = ("section", "issue", "year", "tag", "source")


def plain(text: str) -> str:
    """Lower case, full-width folded, nothing but letters, digits and ideographs (the brute force's own)."""
    return "".join(re.findall(r"\w", unicodedata.normalize("NFKC", text).lower())).replace("_", "")


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """(base URL of the served index, [article dict]) for the generated archive."""
    root = tmp_path_factory.mktemp("facets")
    load_synth().generate(root, ISSUES, 25, 0)
    catalog, problems = content.load_catalog(root, Settings())
    assert [p for p in problems if p.severity != "warning"] == []
    out = root / "site"
    site.write(catalog, out, cache_file=None)
    (out / "index.html").write_text(
        '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>t</title>'
        '<script src="assets/search/tokenizer.js"></script><script src="assets/search/search.js"></script></html>',
        encoding="utf-8")
    texts = {doc.url: doc.text for doc in site.documents(catalog)}  # the indexed text, as input
    articles = []
    for folder in sorted((root / "issues").iterdir()):
        if not folder.is_dir():
            continue
        issue = yaml.safe_load((folder / "issue.yml").read_text(encoding="utf-8"))
        for path in sorted(folder.glob("*.md")):
            front = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
            url = f"issues/{issue['number']}/{path.stem}/"
            articles.append({
                "url": url, "section": front["section"], "issue": str(issue["number"]),
                "year": str(issue["date"])[:4], "tag": list(front.get("tags") or []), "source": front.get("source", ""),
                "haystack": [plain(front["title"]), *map(plain, front.get("tags") or []), plain(texts[url])],
            })
    assert len(articles) == ISSUES * 25
    return out, articles


def brute_force(articles, query, filters):
    terms = [plain(t) for t in query.split()]
    matched = [a for a in articles if all(any(t in h for h in a["haystack"]) for t in terms)]

    def passes(a, except_facet=None):
        return all(f == except_facet or (v in a[f] if f == "tag" else a[f] == v) for f, v in filters.items())

    counts = {}
    for facet in FACETS:
        tally = Counter()
        for a in matched:
            if passes(a, facet):
                tally.update(a[facet] if facet == "tag" else [a[facet]])
        tally.pop("", None)
        counts[facet] = dict(tally)
    return sum(1 for a in matched if passes(a)), counts


@pytest.fixture(scope="module")
def page(archive, serve, browser):
    out, _ = archive
    context = browser.new_context()
    tab = context.new_page()
    errors = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.goto(serve(out), wait_until="networkidle")
    yield tab, errors
    context.close()


@pytest.mark.parametrize("query,filters", QUERIES, ids=[f"{q}{f or ''}" for q, f in QUERIES])
def test_totals_and_facet_counts_equal_a_brute_force_count(archive, page, query, filters):
    _, articles = archive
    tab, errors = page
    got = tab.evaluate("""([q, f]) => newsletterSearch.search(q, f, {limit: 5}).then(r => ({
        total: r.total, urls: r.map(x => x.url),
        facets: Object.fromEntries(Object.entries(r.facets).map(([k, v]) => [k, Object.fromEntries(v.map(e => [e.value, e.count]))]))}))""",
                       [query, filters])
    total, counts = brute_force(articles, query, filters)
    assert got["total"] == total
    assert got["facets"] == counts
    assert len(got["urls"]) == min(5, total)
    assert errors == []
    if query == "比特币":
        assert total == 0
    else:
        assert total > 0
