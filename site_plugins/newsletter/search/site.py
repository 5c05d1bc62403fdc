"""The search as the site sees it: which articles are indexed with what text, and writing the index
and the browser assets into the built site (called by the plugin after MkDocs wrote the pages).

API for the build:

``write(catalog, site_dir, *, cache_file) -> index.BuildStats``
    The full build: writes ``site_dir/search/data/`` (layout: :mod:`newsletter.search.index`) and the
    browser assets. Files whose bytes are already right are left alone and files no longer produced are
    removed, so on the previous build's ``site_dir`` it rewrites only what changed (``BuildStats.rewritten``
    counts the files written), but it reads and renders every article. ``cache_file`` (SQLite, under
    ``.cache/``) keeps each article's token counts keyed on a hash of its title, tags and text, so only
    changed articles are tokenized again. Memory: one packed array of postings per term, the chunk rows
    of the current issues only (a process loading a 5,000-article catalog and writing its index peaked at
    134 MB with the token cache warm, 256 MB cold).

``update(catalog, site_dir, changed_keys, *, cache_file) -> index.BuildStats``
    The incremental build, after articles changed: ``changed_keys`` are the ``Article.key`` (``"34/slug"``)
    of every article added, removed or edited since the build in ``site_dir`` (for a changed
    ``issue.yml``, the keys of its articles). Renders only the articles of the issues named, and rewrites
    only their ``meta/``/``text/``/``facets/`` files, the shards of their old and new tokens and
    ``head.json.gz``; the result is byte for byte what ``write`` gives. Falls back to ``write`` when it
    cannot (no previous index, no cache, or the shard count changes). A change of ``synonyms.yml`` or of
    the sections needs ``update(catalog, site_dir, [], …)`` (the head only).

Both replace files by rename, never write in place, so a ``site_dir`` sharing files with the published
site through hard links is safe.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from .. import markup, pages
from ..model import Catalog, Issue
from . import index

ASSETS = Path(__file__).resolve().parent / "assets"
ASSET_FILES = ("tokenizer.js", "search.js", "search-ui.js", "search.css")
DATA_DIR = "search/data"  # inside the site; assets/search.js finds it relative to its own URL
ASSETS_DIR = "assets/search"


def documents(catalog: Catalog) -> Iterator[index.SearchDoc]:
    """Every published article, in ascending id order (oldest issue first), rendered one at a time."""
    for issue in sorted(catalog.issues, key=lambda i: i.number):
        yield from issue_documents(issue, catalog)


def issue_documents(issue: Issue, catalog: Catalog) -> Iterator[index.SearchDoc]:
    ids = index.doc_ids(issue.number, (a.slug for a in issue.articles))
    for article in sorted(issue.articles, key=lambda a: ids[a.slug]):
        view = pages.article_view(article, issue, catalog)
        yield index.SearchDoc(
            id=ids[article.slug], url=article.url, title=article.title, text=markup.plain_text(view.body_html),
            issue=issue.number, issue_date=issue.date.isoformat(), section=article.section.key,
            date=article.date.isoformat(), source=article.source or "", tags=article.tags,
        )


def _head_values(catalog: Catalog) -> dict:
    return {"synonyms": [list(g) for g in catalog.synonyms],
            "sections": [[s.key, s.title] for s in sorted(catalog.settings.sections, key=lambda s: s.order)]}


def write(catalog: Catalog, site_dir: Path, *, cache_file: Path | None) -> index.BuildStats:
    stats = index.build(documents(catalog), site_dir / DATA_DIR, cache_file=cache_file,
                        last_issue=max((i.number for i in catalog.issues), default=0), **_head_values(catalog))
    copy_assets(site_dir)
    return stats


def update(catalog: Catalog, site_dir: Path, changed_keys: Iterable[str], *, cache_file: Path | None) -> index.BuildStats:
    touched = {int(key.split("/", 1)[0]) for key in changed_keys}
    by_number = {issue.number: issue for issue in catalog.issues}
    issues = {n: list(issue_documents(by_number[n], catalog)) if n in by_number else [] for n in touched}
    stats = index.update(site_dir / DATA_DIR, issues, cache_file=cache_file, **_head_values(catalog))
    if stats is None:
        return write(catalog, site_dir, cache_file=cache_file)
    copy_assets(site_dir)
    return stats


def copy_assets(site_dir: Path) -> None:
    target = site_dir / ASSETS_DIR
    target.mkdir(parents=True, exist_ok=True)
    for name in ASSET_FILES:
        _copy_if_changed(ASSETS / name, target / name)


def _copy_if_changed(source: Path, dest: Path) -> None:
    if dest.is_file() and dest.read_bytes() == source.read_bytes():
        return
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.copyfile(source, tmp)
    tmp.replace(dest)  # a new file, never written through a hard link
