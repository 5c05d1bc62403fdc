"""Views: which pages the site has and what each one shows. Model in, :class:`PageSpec` out.

Templates only present what a spec hands them: grouping, sorting and counting happen here.
Other view modules (archive, search, feeds) add their own specs through :func:`site_pages`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from markupsafe import Markup

from . import markup
from .buildcache import Memo
from .model import Article, Asset, Catalog, Issue, Section, Settings
from .pdf import pdf_url


@dataclass(frozen=True)
class PageSpec:
    url: str  # site-root-relative directory URL, "" for the home page, e.g. "issues/34/"
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    in_nav: bool = False
    description: str = ""
    hide: tuple[str, ...] = ("navigation", "toc")  # Material sidebars this page leaves out
    feeds: tuple[tuple[str, str], ...] = ()  # (title, site path) of Atom feeds to announce besides the site's

    @property
    def src_uri(self) -> str:
        return f"{self.url}index.md"


@dataclass(frozen=True)
class Neighbour:
    url: str
    title: str


@dataclass(frozen=True)
class ArticleView:
    """An article as pages show it: the model plus what is derived for display."""

    article: Article
    issue: Issue
    body_html: str
    chars: int
    minutes: int
    excerpt: str = ""  # the first characters of the plain text, for feeds and listings

    @property
    def url(self) -> str:
        return self.article.url


@dataclass(frozen=True)
class TocGroup:
    section: Section
    articles: list[Article]


EXCERPT_CHARS = 140


def _render_page_body(body: str, allow_raw_html: bool, files: tuple[Asset, ...], base: str) -> tuple[str, int, str]:
    html = markup.render(body, allow_raw_html=allow_raw_html, files=files, base=base)
    text = markup.plain_text(html)
    return html, markup.char_count(text), text[:EXCERPT_CHARS]


@lru_cache(maxsize=None)
def _rendered(body: str, allow_raw_html: bool, files: tuple[Asset, ...], base: str) -> tuple[str, int, str]:
    # Keyed by the files' content digests too: a replaced image changes the page (its size), a moved one does not.
    kind = f"page:{allow_raw_html}" + (f":{base}:{[(a.name, a.digest) for a in files]}" if files else "")
    return markup.stored(kind, body, lambda b: _render_page_body(b, allow_raw_html, files, base))


def article_view(article: Article, issue: Issue, catalog: Catalog, base: str = "") -> ArticleView:
    """``base``: what links to the article's files start with; "" on its own page and in the PDF (where the
    files sit beside it), its absolute URL in feeds and email."""
    return _article_view(article, issue, catalog.settings, base)


def _article_view(article: Article, issue: Issue, settings: Settings, base: str = "") -> ArticleView:
    html, chars, excerpt = _rendered(article.body, settings.allow_raw_html, article.assets, base)
    return ArticleView(article, issue, Markup(html), chars, markup.reading_minutes(chars), excerpt)


def issue_toc(issue: Issue, catalog: Catalog) -> list[TocGroup]:
    return _issue_toc(issue, catalog.settings)


def _issue_toc(issue: Issue, settings: Settings) -> list[TocGroup]:
    return [TocGroup(section, articles) for section, articles in issue.by_section(settings.sections)]


@dataclass(frozen=True)
class IssueEntry:
    """An issue as lists of issues show it (home page, issues index)."""

    issue: Issue
    count: int
    pdf_url: str | None


def issue_entry(issue: Issue, catalog: Catalog) -> IssueEntry:
    return IssueEntry(issue, len(issue.articles), pdf_url(issue, catalog.settings))


def _neighbours(items: list, index: int) -> tuple[Neighbour | None, Neighbour | None]:
    def at(i):
        return Neighbour(items[i].url, getattr(items[i], "title", None) or items[i].label) if 0 <= i < len(items) else None

    return at(index - 1), at(index + 1)


def home_page(catalog: Catalog) -> PageSpec:
    latest = catalog.latest
    recent = list(reversed(catalog.issues))[1: 1 + catalog.settings.recent_issues]
    return PageSpec(
        url="",
        title=latest.title if latest else "首页",
        template="home.html",
        context={
            "latest": latest,
            "toc": issue_toc(latest, catalog) if latest else [],
            "recent": [issue_entry(i, catalog) for i in recent],
            "issue_count": len(catalog.issues),
        },
        in_nav=True,
    )


def issue_page(issue: Issue, previous: Neighbour | None, following: Neighbour | None, settings: Settings) -> PageSpec:
    return PageSpec(
        url=issue.url,
        title=f"{issue.title} {issue.label}",
        template="issue.html",
        context={"issue": issue, "toc": _issue_toc(issue, settings), "previous": previous, "next": following,
                 "pdf": pdf_url(issue, settings)},
        description=f"{issue.title} {issue.label}（{issue.date.isoformat()}）",
    )


def article_page(view: ArticleView, previous: Neighbour | None, following: Neighbour | None,
                 links: Any) -> PageSpec:
    """``links``: the archive's :class:`~newsletter.archive.ArticleLinks` (section, tags, source, section pager)."""
    article = view.article
    return PageSpec(
        url=article.url,
        title=article.title,
        template="article.html",
        context={"view": view, "article": article, "issue": view.issue, "previous": previous, "next": following,
                 "links": links},
        description=f"{article.title} — {view.issue.title} {view.issue.label}",
    )


def issue_pages(catalog: Catalog, memo: Memo) -> list[PageSpec]:
    """Each issue's page and its articles' pages, made again only for an issue whose page or articles'
    pages show something that changed: the issue (any of its articles), the issues before and after it
    (their titles in the pager) or an article's neighbours in its section (ditto)."""
    from .archive import section_neighbours

    in_section = section_neighbours(catalog)
    issues = catalog.issues
    specs = []
    for index, issue in enumerate(issues):
        around = _neighbours(issues, index)
        specs += memo(_issue_and_article_pages, issue, *around,
                      tuple(in_section[article.key] for article in issue.articles), catalog.settings)
    return specs


def _issue_and_article_pages(issue: Issue, previous: Neighbour | None, following: Neighbour | None,
                             in_section: tuple[tuple[Article | None, Article | None], ...],
                             settings: Settings) -> tuple[PageSpec, ...]:
    from .archive import article_links

    specs = [issue_page(issue, previous, following, settings)]
    articles = issue.articles
    for i, (article, (older, newer)) in enumerate(zip(articles, in_section)):
        specs.append(article_page(_article_view(article, issue, settings), *_neighbours(articles, i),
                                  article_links(article, older, newer, settings)))
    return tuple(specs)


SEARCH_FACETS = (("section", "栏目"), ("issue", "期号"), ("year", "年份"), ("tag", "标签"), ("source", "来源"))


def search_page(catalog: Catalog) -> PageSpec:
    """The search page: a form that works without scripts; assets/search/search-ui.js fills results and facets."""
    return PageSpec(
        url="search/",
        title="搜索",
        template="search.html",
        context={"facets": SEARCH_FACETS, "article_count": len(catalog.articles)},
        in_nav=True,
    )


def site_pages(catalog: Catalog, memo: Memo | None = None) -> list[PageSpec]:
    """Every generated page of the site. ``memo`` (the preview's, kept across rebuilds) hands out again the
    specs of pages whose inputs are the same objects as last time (see buildcache.Memo)."""
    from . import archive  # archive builds on the specs above, so it is imported here, not at the top

    memo = memo or Memo()
    memo.begin()
    return [home_page(catalog), *archive.archive_pages(catalog, memo),
            *issue_pages(catalog, memo), search_page(catalog)]
