"""Atom feeds (RFC 4287) of the newest articles: one for the site, one per section. No MkDocs here.

XML is built with ElementTree, which escapes every text and attribute. Entry ids are ``urn:uuid``
values derived from the site name and the article's key, so they stay the same when the site moves.
Links are absolute when mkdocs.yml sets ``site_url``; without it they are relative to the feed's own
URL (valid Atom: readers resolve them against the address they fetched the feed from).
"""

from __future__ import annotations

import datetime as dt
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from .archive import facets, newest_first
from .model import Article, Catalog
from .pages import article_view
from .render import relative_url

ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 20
CHINA = dt.timezone(dt.timedelta(hours=8))  # the newsletter's dates are Beijing dates

ET.register_namespace("", ATOM)


@dataclass(frozen=True)
class Feed:
    path: str  # site path of the file, e.g. "feed.xml"
    title: str
    xml: str


def _timestamp(day: dt.date) -> str:
    return dt.datetime.combine(day, dt.time(), CHINA).isoformat()


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


class _Links:
    def __init__(self, site_url: str | None, feed_path: str):
        self.site_url = (site_url or "").rstrip("/") + "/" if site_url else None
        self.feed_dir = feed_path.rpartition("/")[0] + "/" if "/" in feed_path else ""

    def __call__(self, path: str) -> str:
        return self.site_url + path if self.site_url else relative_url(path or "./", self.feed_dir)


def feed_xml(title: str, path: str, page_url: str, articles: list[Article], catalog: Catalog,
             site_name: str, site_url: str | None) -> str:
    link = _Links(site_url, path)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "zh-CN"})
    _add(feed, "title", title)
    _add(feed, "id", uuid.uuid5(uuid.NAMESPACE_URL, f"{site_name}/{path}").urn)
    _add(feed, "updated", _timestamp(max((a.date for a in articles), default=dt.date(1970, 1, 1))))
    _add(feed, "link", rel="self", href=link(path), type="application/atom+xml")
    _add(feed, "link", rel="alternate", href=link(page_url), type="text/html")
    _add(_add(feed, "author"), "name", site_name)
    _add(feed, "generator", "newsletter-publisher")
    issues = {i.number: i for i in catalog.issues}
    for article in articles:
        issue = issues[article.issue_number]
        view = article_view(article, issue, catalog, base=link(article.url))
        entry = _add(feed, "entry")
        _add(entry, "title", article.title)
        _add(entry, "id", uuid.uuid5(uuid.NAMESPACE_URL, f"{site_name}/{article.key}").urn)
        _add(entry, "link", rel="alternate", href=link(article.url), type="text/html")
        _add(entry, "published", _timestamp(article.date))
        _add(entry, "updated", _timestamp(article.date))
        for name in article.authors or ([article.source] if article.source else []):
            _add(_add(entry, "author"), "name", name)
        _add(entry, "category", term=article.section.key, label=article.section.title)
        for tag in article.tags:
            _add(entry, "category", term=tag)
        _add(entry, "summary", f"{issue.label} {article.section.banner} {view.excerpt}")
        _add(entry, "content", str(view.body_html), type="html")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def site_feeds(catalog: Catalog, site_name: str, site_url: str | None, size: int = FEED_SIZE) -> list[Feed]:
    """The site feed (``feed.xml``) and one feed per section with articles (next to its listing page)."""
    articles = newest_first(catalog)
    feeds = [Feed("feed.xml", f"{site_name} — 最新文章",
                  feed_xml(f"{site_name} — 最新文章", "feed.xml", "", articles[:size], catalog, site_name, site_url))]
    section_facet = facets(catalog.settings)[0]
    for section in catalog.settings.sections:
        in_section = [a for a in articles if a.section.key == section.key][:size]
        if in_section:
            path = section_facet.feed_url(section.key)
            title = f"{site_name} — {section.title}"
            feeds.append(Feed(path, title, feed_xml(title, path, section_facet.url(section.key), in_section,
                                                    catalog, site_name, site_url)))
    return feeds
