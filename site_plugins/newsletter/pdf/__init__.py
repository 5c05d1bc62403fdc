"""The printable PDF of an issue: issue -> data (JSON) -> Typst template (templates/pdf/issue.typ) -> PDF.

This module is what views and the CLI import; it stays free of Typst so that the site's pages can
link a PDF without loading the renderer. Modules, in the order data flows:

- ``blocks``: an article body (the site's sanitized HTML) -> a tree of blocks and inlines;
- ``document``: the PDF view of an issue as JSON-ready data, images checked inside the issue folder;
- ``fonts``: the Chinese fonts handed to Typst, and the characters none of them has;
- ``typeset``: one issue through Typst (templates/pdf/issue.typ), every problem as a message;
- ``workers``: worker processes, one per core, each task under a time limit;
- ``build``: the cache (``.cache/pdf/``) and where PDFs go; ``command``: ``newsletter pdf``.
"""

from __future__ import annotations

from ..model import Issue, Settings


def pdf_filename(issue: Issue) -> str:
    return f"newsletter-{issue.number:03d}.pdf"


def pdf_path(issue: Issue) -> str:
    """Site-root-relative path of an issue's PDF, next to its issue page (e.g. issues/34/newsletter-034.pdf)."""
    return f"{issue.url}{pdf_filename(issue)}"


def pdf_url(issue: Issue, settings: Settings) -> str | None:
    """What pages link for an issue's PDF (a site path for ``url()``), or None when the build leaves PDFs out."""
    return pdf_path(issue) if settings.pdf_enabled else None
