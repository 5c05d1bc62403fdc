"""Archive views on real builds: a generated 3-issue archive over two years, and the default content.

Expected values come from the generated files themselves (front matter read with python-frontmatter),
not from our loader, and URLs from the README's URL rules (``expected_slug``), not from our code.
"""

from __future__ import annotations

import collections
import hashlib
import html
import math
import posixpath
import re
import unicodedata
import urllib.request

import frontmatter
import pytest

from newsletter.archive import paginate, slugify

PER_PAGE = 20  # the README's default for archive listings

SECTION_TITLES = {"market": "市场热点", "policy": "政策聚焦", "domestic": "国内资讯", "international": "国际资讯",
                  "reading": "推荐阅读", "announcements": "行业公告"}


def generated_articles(project) -> list[dict]:
    """Every generated article: front matter plus issue number and site URL, in publication order."""
    articles = []
    for path in sorted((project.path / "issues").glob("*/*.md")):
        meta = dict(frontmatter.load(path).metadata)
        if meta.get("draft"):
            continue  # drafts are never published
        meta["issue"] = int(path.parent.name)
        meta["url"] = f"issues/{meta['issue']}/{path.stem}/"
        articles.append(meta)
    return articles


def expected_slug(name: str) -> str:
    """The README's rule, written out independently: lower-case ASCII words joined by '-' stay as they are;
    any other name becomes its ASCII words (lower-cased; full-width letters count as their ASCII forms) plus
    the first 8 hex digits of the SHA-1 of the name."""
    if re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name):
        return name
    words = re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKC", name).lower())
    return "-".join([*words, hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]])


def month_label(month: str) -> str:
    """2014-10 → 2014年10月, as the month archive names it."""
    year, number = month.split("-")
    return f"{year}年{int(number)}月"


def listing_urls(base: str, count: int) -> set[str]:
    """``base`` and its ``page/<n>/`` pages for a listing of ``count`` articles, PER_PAGE to a page."""
    return {base} | {f"{base}page/{n}/" for n in range(2, math.ceil(count / PER_PAGE) + 1)}


def expected_pages(articles: list[dict]) -> set[str]:
    """Every page the README promises for these articles (site paths of index.html files)."""
    pages = {"", "issues/", "search/", "sections/", "tags/", "sources/", "months/"}
    pages |= {f"issues/{a['issue']}/" for a in articles} | {a["url"] for a in articles}
    facets = {
        "sections": collections.Counter(a["section"] for a in articles),
        "tags": collections.Counter(expected_slug(t) for a in articles for t in a.get("tags") or []),
        "sources": collections.Counter(expected_slug(a["source"]) for a in articles if a.get("source")),
        "months": collections.Counter(str(a["date"])[:7] for a in articles),
    }
    for facet, counts in facets.items():
        for slug, count in counts.items():
            pages |= listing_urls(f"{facet}/{slug}/", count)
    return pages


def listing(page_html: str) -> list[tuple[str, str]]:
    """(href, title) of the articles a listing page shows, in order."""
    return [(href, html.unescape(title)) for href, title in
            re.findall(r'class="nl-listing__title" href="([^"]+)">([^<]+)</a>', page_html)]


def listed(project, url: str) -> list[str]:
    """Site paths of every article a paginated listing shows, following its rel=next links."""
    paths = []
    while url is not None:
        page = project.html(url)
        paths += [resolve(url, href) for href, _ in listing(page)]
        following = re.search(r'class="nl-pagination__step" rel="next" href="([^"]+)"', page)
        url = resolve(url, following.group(1)) if following else None
    return paths


def resolve(page_url: str, href: str) -> str:
    """Site path of a page-relative href found on the page at directory URL ``page_url``."""
    path = posixpath.normpath(posixpath.join("/" + page_url, href))
    return path.lstrip("/") + ("/" if href.endswith("/") and path != "/" else "")


def index_entries(page_html: str) -> list[tuple[str, str, int]]:
    """(href, name, count) of a facet index page."""
    return [(href, html.unescape(name), int(count)) for href, name, count in
            re.findall(r'<li><a href="([^"]+)">([^<]+)<span class="nl-count"> (\d+)<span class="nl-sr-only"> 篇</span></span></a></li>', page_html)]


@pytest.fixture(scope="module")
def site(synthetic_site):
    return synthetic_site(3)


@pytest.fixture(scope="module")
def paged(synthetic_site):
    return synthetic_site(3, per_page=4)


def test_issues_index_groups_by_year_newest_first(site):
    page = site.html("issues")
    years = re.findall(r'<h2 class="nl-heading" id="y(\d{4})">', page)
    assert years == ["2014", "2013"]
    issues = re.findall(r'<a href="(\d+)/">总第 (\d+) 期</a>\s*<time datetime="([\d-]+)">', page)
    assert [(n, d) for _, n, d in issues] == [("3", "2014-01-03"), ("2", "2013-12-27"), ("1", "2013-12-20")]
    assert page.count("25 篇") == 3
    assert "共 3 期、75 篇文章" in page
    assert page.index("2014年") < page.index("总第 3 期") < page.index("2013年") < page.index("总第 2 期")


def test_section_pages_list_every_article_of_the_section_newest_issue_first(site):
    articles = generated_articles(site)
    index = index_entries(site.html("sections"))
    assert [name for _, name, _ in index] == list(SECTION_TITLES.values())  # configured order
    for href, name, count in index:
        key = href.strip("/")
        expected = [a for a in articles if a["section"] == key]
        assert count == len(expected)
        shown = listed(site, f"sections/{key}/")
        assert len(shown) == len(expected)
        issues_shown = [int(path.split("/")[1]) for path in shown]
        assert issues_shown == sorted(issues_shown, reverse=True)
        assert set(shown) == {a["url"] for a in expected}


def test_tag_and_source_indexes_count_and_link_every_value(site):
    articles = generated_articles(site)
    for facet, values_of in (("tags", lambda a: a.get("tags", [])),
                             ("sources", lambda a: [a["source"]] if a.get("source") else [])):
        expected = collections.Counter(v for a in articles for v in values_of(a))
        entries = index_entries(site.html(facet))
        assert {name: count for _, name, count in entries} == dict(expected)
        counts = [count for _, _, count in entries]
        assert counts == sorted(counts, reverse=True)  # most used first
        for href, name, count in entries:
            assert re.fullmatch(r"[a-z0-9-]+/", href), href  # ASCII URL whatever the name
            page = site.html(f"{facet}/{href}")
            assert f"<h1>{html.escape(name, quote=False)}</h1>" in page
            assert f"共 {count} 篇" in page
            assert set(listed(site, f"{facet}/{href}")) == {a["url"] for a in articles if name in values_of(a)}


def test_month_archive_groups_articles_by_article_date_under_years(site):
    articles = generated_articles(site)
    page = site.html("months")
    assert re.findall(r'<h2 class="nl-heading">(\d{4})年</h2>', page) == ["2014", "2013"]
    entries = index_entries(page)
    expected = collections.Counter(str(a["date"])[:7] for a in articles)
    assert [(href, count) for href, _, count in entries] == \
        [(f"{month}/", expected[month]) for month in sorted(expected, reverse=True)]
    assert entries[0][1] == "2014年1月" and entries[-1][1] == "2013年12月"
    december = listed(site, "months/2013-12/")
    assert len(december) == expected["2013-12"]
    dates = {a["url"]: str(a["date"]) for a in articles}
    assert [dates[p] for p in december] == sorted((dates[p] for p in december), reverse=True)
    assert {path for path in december} == {a["url"] for a in articles if str(a["date"]).startswith("2013-12")}


def test_pagination_splits_listings_and_links_every_page(paged):
    articles = generated_articles(paged)
    market = [a for a in articles if a["section"] == "market"]
    pages = math.ceil(len(market) / 4)
    assert pages >= 3
    seen = []
    for n in range(1, pages + 1):
        url = "sections/market/" + (f"page/{n}/" if n > 1 else "")
        page = paged.html(url)
        shown = listing(page)
        assert len(shown) == (4 if n < pages else len(market) - 4 * (pages - 1))
        seen += [resolve(url, h) for h, _ in shown]
        assert f"第 {n}/{pages} 页" in page
        assert ('rel="prev"' in page) == (n > 1) and ('rel="next"' in page) == (n < pages)
        assert re.search(rf'<span class="nl-pagination__current" aria-current="page">{n}</span>', page)
        assert page.count('aria-label="第 ') == pages - 1  # a link to every other page
    assert len(seen) == len(set(seen)) == len(market)  # every article exactly once across the pages
    assert not (paged.site / "sections/market/page/1").exists()  # page 1 is the section's own URL


def test_paginate_keeps_one_empty_page_and_positions():
    pages = paginate(list(range(10)), 4, lambda n: f"x/{n}/")
    assert [len(chunk) for chunk, _ in pages] == [4, 4, 2]
    last = pages[-1][1]
    assert (last.first_index, last.last_index, last.total, last.next, last.previous) == (9, 10, 10, None, "x/2/")
    assert len(paginate([], 4, str)) == 1


def test_slugs_are_the_readmes_urls():
    # Written by hand from the README's rule (SHA-1 prefixes from `printf %s NAME | sha1sum`).
    assert slugify("碳交易") == "f0bb1d49"
    assert slugify("碳汇") == "3d24fc26"
    assert slugify("ccer") == "ccer"
    assert slugify("CCER") == "ccer-3b339ad3"
    assert slugify("Carbon Pulse") == "carbon-pulse-d58de5bb"
    assert slugify("中外对话 chinadialogue") == "chinadialogue-9dc4e9a1"
    assert slugify("ＣＣＥＲ") == "ccer-d3053f42"  # full-width letters give the ASCII word, the hash keeps it apart
    names = ("碳汇", "碳匯", "碳汇 ", "ＣＣＥＲ", "CCER", "ccer", "Carbon Pulse", "中外对话 chinadialogue")
    assert {n: slugify(n) for n in names} == {n: expected_slug(n) for n in names}
    assert len({slugify(n) for n in names}) == len(names)


def test_article_links_section_tags_source_and_section_neighbours_across_issues(site):
    articles = generated_articles(site)
    market = [a for a in articles if a["section"] == "market"]
    # the first market article of issue 2 follows the last market article of issue 1
    first_of_2 = next(i for i, a in enumerate(market) if a["issue"] == 2)
    article = market[first_of_2]
    page = site.html(article["url"])
    older = re.search(r'aria-label="市场热点栏目相邻文章（跨期）">\s*<a class="nl-pager__prev" rel="prev" href="([^"]+)">'
                      r'<span class="nl-pager__dir">本栏目更早一篇</span>', page)
    assert older and resolve(article["url"], older.group(1)) == market[first_of_2 - 1]["url"]
    assert 'aria-label="本期相邻文章"' in page  # the within-issue pager stays
    hrefs = {resolve(article["url"], h) for h in re.findall(r'href="([^"#]+)"', page)}
    assert "sections/market/" in hrefs
    assert f"sources/{expected_slug(article['source'])}/" in hrefs
    assert {f"tags/{expected_slug(t)}/" for t in article["tags"]} <= hrefs


def test_every_page_is_reachable_from_the_home_page_and_nav_has_every_view(site):
    home = site.html("")
    for label, url in (("往期目录", "issues/"), ("栏目", "sections/"), ("标签", "tags/"), ("来源", "sources/"), ("月份", "months/")):
        assert re.search(rf'<a href="{url}" class="md-tabs__link">\s*{label}\s*</a>', home), label
    pages = {p.parent.relative_to(site.site).as_posix() + "/" for p in site.site.rglob("index.html")}
    pages = {"" if p == "./" else p for p in pages}
    seen, todo = {""}, [""]
    while todo:
        url = todo.pop()
        for href in re.findall(r'href="([^"#:?]+/)"', site.html(url)):
            target = resolve(url, href)
            target = "" if target in ("/", ".", "./") else target
            if target in pages and target not in seen:
                seen.add(target)
                todo.append(target)
    assert seen == pages
    assert pages == expected_pages(generated_articles(site))


def test_articles_stay_out_of_the_global_nav(site):
    page = site.html("tags")
    nav = page[page.index('class="md-tabs"'):page.index("</nav>", page.index('class="md-tabs"'))]
    assert "issues/1/" not in nav and "合成" not in nav


def test_http_server_serves_archive_pages(site, serve):
    base = serve(site.site)
    tag = index_entries(site.html("tags"))[0]
    with urllib.request.urlopen(base + "tags/" + tag[0]) as response:
        assert response.status == 200 and tag[1] in response.read().decode("utf-8")


def test_default_content_has_every_view(default_site):
    articles = generated_articles(default_site)
    facets = {
        "sections": collections.Counter(SECTION_TITLES[a["section"]] for a in articles),
        "tags": collections.Counter(t for a in articles for t in a.get("tags") or []),
        "sources": collections.Counter(a["source"] for a in articles if a.get("source")),
        "months": collections.Counter(month_label(str(a["date"])[:7]) for a in articles),
    }
    slugs = {"sections": {v: k for k, v in SECTION_TITLES.items()}.__getitem__, "tags": expected_slug,
             "sources": expected_slug, "months": lambda label: "{}-{:02d}".format(*map(int, re.findall(r"\d+", label)))}
    for facet, counts in facets.items():
        entries = index_entries(default_site.html(facet))
        assert {name: count for _, name, count in entries} == dict(counts), facet
        assert {href for href, _, _ in entries} == {f"{slugs[facet](name)}/" for name in counts}, facet
    assert {a["url"] for a in articles} <= {p.parent.relative_to(default_site.site).as_posix() + "/"
                                            for p in default_site.site.glob("issues/*/*/index.html")}
