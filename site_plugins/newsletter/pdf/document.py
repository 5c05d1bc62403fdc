"""The PDF view of an issue: what templates/pdf/issue.html shows, and the HTML it produces.

Article bodies are the site's own sanitized HTML (:func:`newsletter.pages.article_view`): one
Markdown source, no second copy. Only their ids are scoped per article, because one PDF holds
every article and footnote ids (``fn:1``) would otherwise collide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin

from markupsafe import Markup

from ..model import Article, Catalog, Issue, Section
from ..pages import PageSpec, article_view
from ..render import Renderer

TEMPLATE = "pdf/issue.html"
STYLESHEET = "pdf/print.css"
_ID_OR_FRAGMENT = re.compile(r'(\sid="|\shref="#)([^"]*)"')


@dataclass(frozen=True)
class PdfArticle:
    article: Article
    anchor: str  # the article's id in the document, linked from the contents
    body_html: Markup


@dataclass(frozen=True)
class PdfSection:
    section: Section
    anchor: str
    articles: list[PdfArticle]


def scope_ids(html: str, prefix: str) -> Markup:
    """Prefix every id and in-page link of an (already sanitized) article body with ``prefix``."""
    return Markup(_ID_OR_FRAGMENT.sub(lambda m: f'{m[1]}{prefix}-{m[2]}"', html))


def pdf_sections(issue: Issue, catalog: Catalog) -> list[PdfSection]:
    sections, n = [], 0
    for section, articles in issue.by_section(catalog.settings.sections):
        items = []
        for article in articles:
            n += 1
            anchor = f"art-{n}"
            items.append(PdfArticle(article, anchor, scope_ids(article_view(article, issue, catalog).body_html, anchor)))
        sections.append(PdfSection(section, f"sec-{section.key}", items))
    return sections


def issue_spec(issue: Issue, catalog: Catalog) -> PageSpec:
    sections = pdf_sections(issue, catalog)
    return PageSpec(
        url=issue.url,
        title=f"{issue.title} {issue.label}",
        template=TEMPLATE,
        context={
            "issue": issue,
            "sections": sections,
            "keywords": ", ".join(s.section.title for s in sections),
        },
    )


def issue_html(issue: Issue, catalog: Catalog, renderer: Renderer) -> str:
    return renderer.render(issue_spec(issue, catalog))


# Attributes through which WeasyPrint fetches something (images, stylesheets, attachments, objects).
_FETCHED = {("img", "src"), ("link", "href"), ("object", "data"), ("embed", "src"), ("video", "poster"),
            ("image", "href"), ("use", "href"), ("input", "src")}


class _FetchedUrls(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, value in attrs:
            attachment = tag == "a" and name == "href" and "attachment" in (values.get("rel") or "")
            if value and ((tag, name) in _FETCHED or attachment):
                self.urls.append(value)
        self.urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", values.get("style") or "")


def fetched_urls(body_html: str, base_url: str) -> set[str]:
    """Absolute URLs WeasyPrint will fetch for this body (to name the article when a fetch is refused)."""
    parser = _FetchedUrls()
    parser.feed(body_html)
    return {urljoin(base_url, url) for url in parser.urls} | set(parser.urls)
