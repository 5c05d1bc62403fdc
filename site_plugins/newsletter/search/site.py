"""The search as the site sees it: which articles are indexed with what text, and writing the index
and the browser assets into the built site (called by the plugin after MkDocs wrote the pages).

API for the build (full and incremental builds call the same function):

``write(catalog, site_dir, *, cache_file) -> index.BuildStats``
    Writes ``site_dir/search/data/`` (layout: :mod:`newsletter.search.index`) and the browser assets.
    Files whose bytes are already right are left alone and files no longer produced are removed, so
    calling it on the previous build's ``site_dir`` after one article changed rewrites only that article's
    ``meta/``, ``text/`` and ``facets/`` chunks, the shards of its old and new tokens and ``head.json.gz``
    (``BuildStats.rewritten`` counts them). Files are replaced by rename, never written in place, so a
    ``site_dir`` sharing files with the published site through hard links is safe.
    ``cache_file`` (a SQLite file under ``.cache/``) keeps each article's token counts keyed on a hash of
    its title, tags and text: only changed articles are tokenized again. Memory: one packed array of
    postings per term, chunk rows of the current issues only.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

from .. import markup, pages
from ..model import Catalog
from . import index

ASSETS = Path(__file__).resolve().parent / "assets"
ASSET_FILES = ("tokenizer.js", "search.js", "search-ui.js", "search.css")
DATA_DIR = "search/data"  # inside the site; assets/search.js finds it relative to its own URL
ASSETS_DIR = "assets/search"


def documents(catalog: Catalog) -> Iterator[index.SearchDoc]:
    """Every published article, in ascending id order (oldest issue first), rendered one at a time."""
    for issue in sorted(catalog.issues, key=lambda i: i.number):
        ids = index.doc_ids(issue.number, (a.slug for a in issue.articles))
        for article in sorted(issue.articles, key=lambda a: ids[a.slug]):
            view = pages.article_view(article, issue, catalog)
            yield index.SearchDoc(
                id=ids[article.slug], url=article.url, title=article.title, text=markup.plain_text(view.body_html),
                issue=issue.number, issue_date=issue.date.isoformat(), section=article.section.key,
                date=article.date.isoformat(), source=article.source or "", tags=article.tags,
            )


def write(catalog: Catalog, site_dir: Path, *, cache_file: Path | None) -> index.BuildStats:
    sections = [[s.key, s.title] for s in sorted(catalog.settings.sections, key=lambda s: s.order)]
    stats = index.build(documents(catalog), site_dir / DATA_DIR, synonyms=[list(g) for g in catalog.synonyms],
                        sections=sections, cache_file=cache_file)
    target = site_dir / ASSETS_DIR
    target.mkdir(parents=True, exist_ok=True)
    for name in ASSET_FILES:
        _copy_if_changed(ASSETS / name, target / name)
    return stats


def _copy_if_changed(source: Path, dest: Path) -> None:
    if dest.is_file() and dest.read_bytes() == source.read_bytes():
        return
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.copyfile(source, tmp)
    tmp.replace(dest)  # a new file, never written through a hard link
