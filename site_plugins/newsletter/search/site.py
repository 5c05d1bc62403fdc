"""The search as the site sees it: which articles are indexed with what text, and writing the index
and the browser assets into the built site (called by the plugin after MkDocs wrote the pages)."""

from __future__ import annotations

import shutil
from pathlib import Path

from .. import markup, pages
from ..model import Catalog
from . import index

ASSETS = Path(__file__).resolve().parent / "assets"
ASSET_FILES = ("lunr.min.js", "tokenizer.js", "search.js", "search-ui.js", "search.css")
DATA_DIR = "search/data"  # inside the site; assets/search.js finds it relative to its own URL
ASSETS_DIR = "assets/search"


def documents(catalog: Catalog) -> list[index.SearchDoc]:
    """Every published article, in id order (newest issue first)."""
    docs = []
    for issue in catalog.issues:
        for article in issue.articles:
            view = pages.article_view(article, issue, catalog)
            docs.append(index.SearchDoc(
                url=article.url, title=article.title, text=markup.plain_text(view.body_html),
                issue=issue.number, issue_date=issue.date.isoformat(), section=article.section.key,
                section_title=article.section.title, date=article.date.isoformat(), source=article.source or "",
                tags=article.tags,
            ))
    return index.order_newest_first(docs)


def write(catalog: Catalog, site_dir: Path, *, cache_file: Path | None) -> index.BuildStats:
    data = site_dir / DATA_DIR
    if data.exists():
        shutil.rmtree(data)
    stats = index.build(documents(catalog), data, synonyms=[list(g) for g in catalog.synonyms], cache_file=cache_file)
    target = site_dir / ASSETS_DIR
    target.mkdir(parents=True, exist_ok=True)
    for name in ASSET_FILES:
        shutil.copyfile(ASSETS / name, target / name)
    return stats
