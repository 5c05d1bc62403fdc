"""Archive views over the model: issues by year, and one generic facet machinery (section, tag, source,
month) that groups articles, orders them newest first, paginates and hands out :class:`PageSpec`s.

Every facet has one URL format, ``<facet>/<slug>/`` for its first page and ``<facet>/<slug>/page/<n>/``
for the rest, with its index at ``<facet>/``. Slugs are ASCII so that the site works on any static host,
in any zip file and under ``python -m http.server`` (see :func:`slugify`).

No MkDocs here.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from typing import Callable, Iterable, TypeVar

from .buildcache import Memo
from .model import Article, Catalog, Issue, Settings
from .pages import IssueEntry, Neighbour, PageSpec, _neighbours, issue_entry

T = TypeVar("T")
K = TypeVar("K")

# ---------------------------------------------------------------- slugs and ordering

_ASCII_WORD = re.compile(r"[a-z0-9]+")
_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*\Z")


def slugify(name: str) -> str:
    """A stable ASCII directory name for a tag or source.

    A name that already is a slug (lower-case ASCII words joined by ``-``) is its own slug. Any other
    name gets its ASCII words, if any, and the first 8 hex digits of the SHA-1 of its UTF-8 bytes:
    ``碳交易`` → ``<8 hex>``, ``CCER`` → ``ccer-<8 hex>``. The same name always gives the same
    URL whatever other names exist; two names never share one (not even CCER and ccer on a
    case-insensitive disk); and no host, zip tool or ``python -m http.server`` has to handle non-ASCII
    file names. Readers see the name itself in the page, its title and the link text.
    """
    if _SLUG.match(name):
        return name
    words = _ASCII_WORD.findall(unicodedata.normalize("NFKC", name).lower())
    return "-".join([*words, hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]])


def newest_first(catalog: Catalog) -> list[Article]:
    """Newest issue first; inside an issue, the issue's own order (sections, then position)."""
    return [a for issue in reversed(catalog.issues) for a in issue.articles]


def group_by(items: Iterable[T], key: Callable[[T], K]) -> list[tuple[K, list[T]]]:
    """Consecutive runs of equal keys, in the order given (items must already be sorted by key)."""
    return [(k, list(run)) for k, run in groupby(items, key)]


# ---------------------------------------------------------------- facets

@dataclass(frozen=True)
class Facet:
    """One way to cut the archive. ``values`` says which groups an article belongs to."""

    key: str  # URL prefix, e.g. "tags"
    title: str  # nav and index heading, e.g. "标签"
    values: Callable[[Article], Iterable[str]]
    label: Callable[[str], str] = str  # value -> what readers see
    slug: Callable[[str], str] = slugify
    block: Callable[[str], str] = lambda value: ""  # index sub-heading of a value (months: its year)
    by_count: bool = True  # index order: most articles first (else: the facet's own order below)
    rank: Callable[[str], object] = str
    has_feed: bool = False  # an Atom feed per value (feeds.py writes it at feed_url)
    by_article_date: bool = False  # listings newest article date first (else newest issue first)

    def url(self, value: str, page: int = 1) -> str:
        base = f"{self.key}/{self.slug(value)}/"
        return base if page == 1 else f"{base}page/{page}/"

    def feed_url(self, value: str) -> str:
        return f"{self.url(value)}feed.xml"


@lru_cache(maxsize=8)  # the same Facet objects for the same settings: views kept by a Memo key on them
def facets(settings: Settings) -> tuple[Facet, ...]:
    section_rank = {s.key: s.order for s in settings.sections}
    section_title = {s.key: s.title for s in settings.sections}
    return (
        Facet("sections", "栏目", lambda a: (a.section.key,), label=section_title.__getitem__,
              slug=str, by_count=False, rank=section_rank.__getitem__, has_feed=True),
        Facet("tags", "标签", lambda a: a.tags),
        Facet("sources", "来源", lambda a: (a.source,) if a.source else ()),
        Facet("months", "月份", lambda a: (a.date.strftime("%Y-%m"),), label=_month_label, slug=str,
              block=lambda value: f"{value[:4]}年", by_count=False, rank=_descending_month, by_article_date=True),
    )


def _month_label(value: str) -> str:
    return f"{int(value[:4])}年{int(value[5:])}月"


def _descending_month(value: str) -> int:
    return -int(value.replace("-", ""))


@dataclass(frozen=True)
class GroupLink:
    """What indexes and listing headings show of a group (and all a page's fingerprint needs of it)."""

    name: str
    url: str
    count: int


@dataclass(frozen=True)
class Group:
    """One value of a facet (a section, a tag, a source, a month) and its articles, newest first."""

    facet: Facet
    value: str
    articles: tuple[Article, ...]

    @property
    def name(self) -> str:
        return self.facet.label(self.value)

    @property
    def url(self) -> str:
        return self.facet.url(self.value)

    @property
    def count(self) -> int:
        return len(self.articles)

    @property
    def link(self) -> GroupLink:
        return GroupLink(self.name, self.url, self.count)


def facet_groups(facet: Facet, articles: list[Article]) -> list[Group]:
    """The one grouping loop every facet uses. ``articles`` come newest first and stay so in each group."""
    buckets: dict[str, list[Article]] = {}
    for article in articles:
        for value in facet.values(article):
            buckets.setdefault(value, []).append(article)
    if facet.by_article_date:  # stable: same dates keep newest issue first
        buckets = {value: sorted(items, key=lambda a: a.date, reverse=True) for value, items in buckets.items()}
    groups = [Group(facet, value, tuple(items)) for value, items in buckets.items()]
    _check_slugs(facet, groups)
    if facet.by_count:
        return sorted(groups, key=lambda g: (-g.count, g.value))
    return sorted(groups, key=lambda g: facet.rank(g.value))


def _check_slugs(facet: Facet, groups: list[Group]) -> None:
    seen: dict[str, str] = {}
    for group in groups:
        slug = facet.slug(group.value)
        if slug in seen:  # e.g. tags "CCER" and "ccer": tell the editor rather than overwrite a page
            raise ValueError(f"{facet.title} '{seen[slug]}' and '{group.value}' share the URL {facet.key}/{slug}/; "
                             "write them the same way")
        seen[slug] = group.value


# ---------------------------------------------------------------- pagination and listing pages

@dataclass(frozen=True)
class PageLink:
    number: int
    url: str
    current: bool


@dataclass(frozen=True)
class Pagination:
    number: int
    count: int
    links: tuple[PageLink, ...]
    previous: str | None
    next: str | None
    first_index: int  # 1-based positions of the page's first and last item in the whole list
    last_index: int
    total: int


def chunks(items: list[T], per_page: int) -> list[list[T]]:
    """``items`` in pages of ``per_page`` (at least one page, even when empty)."""
    per_page = max(1, per_page)
    return [items[i:i + per_page] for i in range(0, len(items), per_page)] or [[]]


def pagination(number: int, total: int, per_page: int, url: Callable[[int], str]) -> Pagination:
    """Page ``number`` (from 1) of ``total`` items in pages of ``per_page``."""
    per_page = max(1, per_page)
    count = max(1, -(-total // per_page))
    return Pagination(
        number=number, count=count,
        links=tuple(PageLink(n, url(n), n == number) for n in range(1, count + 1)),
        previous=url(number - 1) if number > 1 else None,
        next=url(number + 1) if number < count else None,
        first_index=(number - 1) * per_page + 1, last_index=min(number * per_page, total), total=total,
    )


def paginate(items: list[T], per_page: int, url: Callable[[int], str]) -> list[tuple[list[T], Pagination]]:
    """Split ``items`` into pages of ``per_page`` (at least one page, even when empty)."""
    return [(chunk, pagination(n, len(items), per_page, url)) for n, chunk in enumerate(chunks(items, per_page), start=1)]


@dataclass(frozen=True)
class ListingEntry:
    """An article as a listing shows it, with the issue it appeared in."""

    article: Article
    issue: Issue


@dataclass(frozen=True)
class IndexBlock:
    heading: str  # "" when the index has no sub-headings
    groups: list[GroupLink]


def listing_pages(group: Group, catalog: Catalog, issues: dict[int, Issue], memo: Memo) -> tuple[PageSpec, ...]:
    """A group's listing pages, made again only when what they show changed: the group's articles or
    their issues (then only the pages showing what changed, see :func:`_listing_pages`)."""
    return memo(_listing_pages, group.facet, group.value, group.articles,
                tuple(issues[a.issue_number] for a in group.articles), catalog.settings.per_page, memo)


def _listing_pages(facet: Facet, value: str, articles: tuple[Article, ...], issues: tuple[Issue, ...],
                   per_page: int, memo: Memo) -> tuple[PageSpec, ...]:
    return tuple(memo(listing_page, facet, value, len(articles), number, per_page, tuple(chunk),
                      issues[(number - 1) * per_page:number * per_page])
                 for number, chunk in enumerate(chunks(list(articles), per_page), start=1))


def listing_page(facet: Facet, value: str, total: int, number: int, per_page: int,
                 chunk: tuple[Article, ...], issues: tuple[Issue, ...]) -> PageSpec:
    page = pagination(number, total, per_page, lambda n: facet.url(value, n))
    link = GroupLink(facet.label(value), facet.url(value), total)
    suffix = f"（第 {number} 页）" if number > 1 else ""
    return PageSpec(
        url=facet.url(value, number),
        title=f"{facet.title}：{link.name}{suffix}",
        template="listing.html",
        context={
            "facet": facet, "group": link, "pagination": page,
            "entries": [ListingEntry(a, issue) for a, issue in zip(chunk, issues)],
            "index_url": f"{facet.key}/",
        },
        description=f"{facet.title}“{link.name}”下的全部 {total} 篇文章",
        feeds=((f"{facet.title}“{link.name}”最新文章", facet.feed_url(value)),) if facet.has_feed else (),
    )


def facet_index_page(facet: Facet, groups: list[Group]) -> PageSpec:
    blocks = [IndexBlock(heading, [g.link for g in items]) for heading, items in group_by(groups, lambda g: facet.block(g.value))]
    return PageSpec(
        url=f"{facet.key}/",
        title=facet.title,
        template="facet_index.html",
        context={"facet": facet, "blocks": blocks, "total": len(groups)},
        in_nav=True,
        description=f"按{facet.title}浏览全部文章",
    )


def facet_pages(catalog: Catalog, memo: Memo) -> list[PageSpec]:
    articles = newest_first(catalog)
    issues = {i.number: i for i in catalog.issues}
    specs = []
    for facet in facets(catalog.settings):
        groups = facet_groups(facet, articles)
        specs.append(facet_index_page(facet, groups))
        for group in groups:
            specs += listing_pages(group, catalog, issues, memo)
    return specs


# ---------------------------------------------------------------- issues by year

@dataclass(frozen=True)
class YearBlock:
    year: int
    issues: list[IssueEntry]


def issues_by_year(catalog: Catalog) -> list[YearBlock]:
    entries = [issue_entry(i, catalog) for i in sorted(catalog.issues, key=lambda i: (i.date, i.number), reverse=True)]
    return [YearBlock(year, items) for year, items in group_by(entries, lambda e: e.issue.date.year)]


def issues_index_page(catalog: Catalog) -> PageSpec:
    return PageSpec(
        url="issues/",
        title="往期目录",
        template="issues_index.html",
        context={"years": issues_by_year(catalog), "issue_count": len(catalog.issues),
                 "article_count": sum(len(i.articles) for i in catalog.issues)},
        in_nav=True,
        description="节能减排信息动态全部各期，按年份排列",
    )


# ---------------------------------------------------------------- what an article page links to

@dataclass(frozen=True)
class Link:
    name: str
    url: str


@dataclass(frozen=True)
class ArticleLinks:
    section: Link
    tags: tuple[Link, ...]
    source: Link | None
    previous_in_section: Neighbour | None  # older article of the same section, across issues
    next_in_section: Neighbour | None


def section_neighbours(catalog: Catalog) -> dict[str, tuple[Article | None, Article | None]]:
    """For every article (by :attr:`Article.key`): the article before and after it in its section across
    issues, in publication order."""
    runs: dict[str, list[Article]] = {}
    for article in catalog.articles:  # publication order
        runs.setdefault(article.section.key, []).append(article)
    around = {}
    for run in runs.values():
        for older, article, newer in zip([None, *run], run, [*run[1:], None]):
            around[article.key] = (older, newer)
    return around


def article_links(article: Article, older: Article | None, newer: Article | None, settings: Settings) -> ArticleLinks:
    """An article's section, tag and source pages, and its neighbours in its section (``older``,
    ``newer``: see :func:`section_neighbours`)."""
    section, tags, source, _ = facets(settings)
    return ArticleLinks(
        section=Link(article.section.title, section.url(article.section.key)),
        tags=tuple(Link(t, tags.url(t)) for t in article.tags),
        source=Link(article.source, source.url(article.source)) if article.source else None,
        previous_in_section=Neighbour(older.url, older.title) if older else None,
        next_in_section=Neighbour(newer.url, newer.title) if newer else None,
    )


def archive_pages(catalog: Catalog, memo: Memo | None = None) -> list[PageSpec]:
    """Every archive page: the issues index and each facet's index and listings."""
    return [issues_index_page(catalog), *facet_pages(catalog, memo or Memo())]
