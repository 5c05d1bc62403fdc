"""The printable PDF of an issue: issue -> HTML (templates/pdf/) -> WeasyPrint -> PDF.

This module is what views and the CLI import; it stays free of WeasyPrint so that the site's
pages can link a PDF without loading the renderer. Modules:

- ``document``: the PDF view of an issue (what the print template shows) and its HTML;
- ``fetcher``: the WeasyPrint URL fetcher that reads only the project;
- ``fonts``: the check that a CJK font is installed;
- ``writer``: rendering under a time limit, with every problem collected;
- ``cache``: the site build's cache of rendered PDFs.
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
