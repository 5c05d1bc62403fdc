"""Atom feeds and the sitemap on real builds, read back with feedparser."""

from __future__ import annotations

import posixpath
import re

import feedparser
import frontmatter

from conftest import article_text, configure, issue_yml

SITE_URL = "https://example.org/newsletter/"


def newest_first(project) -> list[dict]:
    """Generated articles, newest issue first and in each issue in file order (our issue order)."""
    articles = []
    for folder in sorted((project.path / "issues").glob("[0-9]*"), reverse=True):
        for path in sorted(folder.glob("*.md")):
            meta = dict(frontmatter.load(path).metadata, url=f"issues/{int(folder.name)}/{path.stem}/")
            articles.append(meta)
    return articles


def test_site_feed_holds_the_newest_articles_with_absolute_links(synthetic_site):
    site = synthetic_site(3, site_url=SITE_URL)
    feed = feedparser.parse((site.site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "节能减排信息动态 — 最新文章"
    expected = newest_first(site)[:20]
    assert [e.link for e in feed.entries] == [SITE_URL + a["url"] for a in expected]
    assert [e.title for e in feed.entries] == [a["title"] for a in expected]
    first = feed.entries[0]
    assert first.published.startswith(str(expected[0]["date"]))
    assert {t.term for t in first.tags} >= set(expected[0]["tags"])
    assert "<p>" in first.content[0].value
    assert len({e.id for e in feed.entries}) == 20 and all(e.id.startswith("urn:uuid:") for e in feed.entries)


def test_one_feed_per_section_announced_on_its_pages(synthetic_site):
    site = synthetic_site(3, site_url=SITE_URL)
    for key in ("market", "policy", "domestic", "international", "reading", "announcements"):
        feed = feedparser.parse((site.site / "sections" / key / "feed.xml").read_bytes())
        assert not feed.bozo
        expected = [a for a in newest_first(site) if a["section"] == key][:20]
        assert [e.link for e in feed.entries] == [SITE_URL + a["url"] for a in expected]
        page = site.html(f"sections/{key}")
        assert '<link rel="alternate feed" type="application/atom+xml"' in page and 'href="feed.xml"' in page
    assert 'href="../../../feed.xml"' in site.html("issues/1/01-market")  # the site feed on every page


def test_without_site_url_feed_links_are_relative_to_the_feed_and_resolve(synthetic_site):
    site = synthetic_site(3)
    feed = feedparser.parse((site.site / "sections" / "policy" / "feed.xml").read_bytes(),
                            response_headers={"content-location": "http://host/sections/policy/feed.xml",
                                                  "content-type": "application/atom+xml"})
    assert not feed.bozo and feed.entries
    for entry in feed.entries:
        path = entry.link.removeprefix("http://host/")
        assert (site.site / path / "index.html").exists(), entry.link


def test_feed_escapes_content(project):
    project.write("issues/034/issue.yml", issue_yml())
    project.write("issues/034/01-a.md", article_text(title='"<script>x()</script> & 碳"', source='"A & <B>"',
                                                     tags='["<img src=x onerror=alert(1)>"]'))
    assert project.build().returncode == 0
    raw = (project.site / "feed.xml").read_text(encoding="utf-8")
    assert "<script>" not in raw and "<img" not in raw
    feed = feedparser.parse(raw.encode())
    assert not feed.bozo
    assert feed.entries[0].title == "<script>x()</script> & 碳"
    assert feed.entries[0].author == "A & <B>"


def test_sitemap_lists_every_page_including_those_not_in_the_nav(synthetic_site):
    site = synthetic_site(3, site_url=SITE_URL)
    listed = set(re.findall(r"<loc>([^<]+)</loc>", (site.site / "sitemap.xml").read_text(encoding="utf-8")))
    pages = {SITE_URL + posixpath.relpath(p.parent.as_posix(), site.site.as_posix()) + "/"
             for p in site.site.rglob("index.html")}
    pages = {p.replace("/./", "/") for p in pages}
    assert listed == pages
    assert SITE_URL + "issues/2/01-market/" in listed and SITE_URL + "tags/" in listed
