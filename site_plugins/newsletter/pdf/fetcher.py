"""The WeasyPrint URL fetcher of our PDFs: it reads only the project.

WeasyPrint's default fetcher opens any URL (http, ftp, any ``file://`` on the machine) and embeds
what ``<a rel="attachment">`` points to. Ours allows ``data:`` URLs and files whose resolved path
(symlinks followed) lies inside one of the allowed folders; everything else is refused. WeasyPrint
only logs a failed fetch and goes on, so every refusal or failure is also recorded here, and the
writer turns the records into errors naming the article.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher


@dataclass(frozen=True)
class RefusedFetch:
    url: str
    reason: str


class ProjectFetcher(URLFetcher):
    def __init__(self, allowed_roots: list[Path]):
        super().__init__(timeout=5, allowed_protocols={"data", "file"}, allow_redirects=False)
        self.allowed_roots = [root.resolve() for root in allowed_roots]
        self.refused: list[RefusedFetch] = []

    def fetch(self, url, headers=None):
        reason = self.refusal(url)
        if reason is None:
            try:
                return super().fetch(url, headers)
            except Exception as exc:  # WeasyPrint would swallow it: record it first
                reason = f"cannot be read ({type(exc).__name__}: {exc})"
        self.refused.append(RefusedFetch(url, reason))
        raise ValueError(f"refused: {url}: {reason}")

    def refusal(self, url: str) -> str | None:
        """Why ``url`` may not be read, or None if it may."""
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return None
        if scheme != "file":
            return f"{scheme or 'this kind of'} URLs are not fetched: the PDF uses only files inside the project"
        path = Path(unquote(urlsplit(url).path)).resolve()
        if any(path.is_relative_to(root) for root in self.allowed_roots):
            return None
        return "the file lies outside the project; put it in the issue's folder and link it relatively"
