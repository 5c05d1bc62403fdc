"""Which files the site publishes besides its pages: each article's linked files, beside the article's page.

``issues/034/chart.png`` linked from ``issues/034/01-jiage.md`` is published as
``issues/34/01-jiage/chart.png``, so the link as written works on the page (and in the PDF, which reads
the issue folder). Large images are published as their web-sized copy (images.py). No MkDocs here:
the plugin hands these to MkDocs as files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from . import images, markup
from .model import Article, Asset, Catalog


@dataclass(frozen=True)
class PublishedFile:
    site_path: str  # e.g. "issues/34/01-jiage/chart.png"
    source: Path  # the original in the issue folder, or its cached web-sized copy


def published_files(catalog: Catalog, root: Path, cache_dir: Path) -> list[PublishedFile]:
    return [PublishedFile(f"{article.url}{asset.name}", images.web_copy(asset, root / asset.path, cache_dir))
            for article in catalog.articles for asset in article.assets]


@dataclass(frozen=True)
class LinkedFile:
    """A file of an article as other views (the email) show it."""

    asset: Asset
    text: str  # the image's alt text, or the link's text
    url: str  # site path of the published file, URL-encoded: "issues/34/02-notice/%E5%90%8D%E5%8D%95.docx"

    @property
    def label(self) -> str:
        return markup.file_label(self.asset)


def linked_files(article: Article) -> list[LinkedFile]:
    texts: dict[str, str] = {}
    for reference in markup.references(article.body):
        texts.setdefault(markup.file_name(reference.target) or "", reference.text)
    return [LinkedFile(asset, texts.get(asset.name) or asset.name, article.url + quote(asset.name))
            for asset in article.assets]
