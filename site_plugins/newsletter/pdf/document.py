"""The PDF view of an issue: everything templates/pdf/issue.typ shows, as JSON-ready data.

Fields are strings and article bodies are block trees (:mod:`.blocks`); the template only walks them,
so content is never read as Typst markup. Images are the one thing the template reads from disk:
each must be a file inside the article's issue folder, and is handed over as a path from the project
root (the Typst root), already checked here. Anything else an article points at is a problem naming
the article and the URL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .. import markup
from ..model import Article, Catalog, Issue
from ..problems import Problem
from ..render import date_zh
from .blocks import BodyConverter, ImageRef

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}


@dataclass(frozen=True)
class IssueDocument:
    data: dict  # what the template reads (json.dumps of it goes to sys.inputs)
    problems: list[Problem]
    issue_file: str  # where the masthead, publisher and note come from, for messages

    def json(self) -> str:
        return json.dumps(self.data, ensure_ascii=False, separators=(",", ":"))


def _date(value) -> dict:
    return {"year": value.year, "month": value.month, "day": value.day}


class _ImageResolver:
    """An article's image src -> path from the project root, or None with a problem recorded."""

    def __init__(self, root: Path, article: Article, problems: list[Problem]):
        self.root = root.resolve()
        self.folder = (root / Path(article.path).parent).resolve()
        self.article = article
        self.problems = problems

    def __call__(self, image: ImageRef) -> str | None:
        src = image.src.strip()
        if not src:
            return None  # the sanitizer removed a URL it does not allow: nothing to show
        parts = urlsplit(src)
        if parts.scheme or parts.netloc:
            return self._refuse(src, f"{parts.scheme or 'this kind of'} URLs are not read: the PDF shows only "
                                     "image files in the issue's folder", src)
        path = (self.folder / unquote(parts.path)).resolve()
        if not path.is_relative_to(self.root):
            return self._refuse(path.as_uri(), "the file lies outside the project; put it in the issue's folder "
                                               "and link it relatively", src)
        if not path.is_relative_to(self.folder):
            return self._refuse(path.as_uri(), f"the file lies outside the issue's folder; put it in "
                                               f"{self.folder.relative_to(self.root).as_posix()}/", src)
        if not path.is_file():
            return self._refuse(src, "no such file in the issue's folder", src)
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            return self._refuse(src, f"not an image the PDF can show ({', '.join(sorted(IMAGE_SUFFIXES))})")
        return "/" + path.relative_to(self.root).as_posix()

    def _refuse(self, url: str, reason: str, src: str) -> None:
        self.problems.append(Problem(self.article.path, self._line(src), "pdf", f"{url}: {reason}"))
        return None

    def _line(self, src: str) -> int:
        """The file line where the body names ``src`` (the body's first line if it is not found as written)."""
        body = self.article.body
        first = body[:len(body) - len(body.lstrip())].count("\n")  # body_line is its first line with text
        for n, line in enumerate(body.splitlines()):
            if src in line:
                return self.article.body_line + n - first
        return self.article.body_line


def article_data(article: Article, catalog: Catalog, root: Path, problems: list[Problem]) -> dict:
    html = markup.render(article.body, allow_raw_html=catalog.settings.allow_raw_html, files=article.assets)
    body = BodyConverter(_ImageResolver(root, article, problems)).convert(html)
    return {
        "path": article.path,
        "title": article.title,
        "date": article.date.isoformat(),
        "source": article.source,
        "authors": list(article.authors),
        "doc_number": article.doc_number,
        "body": body,
    }


def issue_document(issue: Issue, catalog: Catalog, root: Path) -> IssueDocument:
    problems: list[Problem] = []
    sections = [
        {"key": section.key, "title": section.title, "banner": section.banner,
         "articles": [article_data(a, catalog, root, problems) for a in articles]}
        for section, articles in issue.by_section(catalog.settings.sections)
    ]
    data = {
        "masthead": issue.title,
        "number": issue.number,
        "label": issue.label,
        "date": _date(issue.date),
        "date_text": date_zh(issue.date),
        "period": issue.period,
        "publisher": issue.publisher,
        "note": issue.note,
        "keywords": [s["title"] for s in sections],
        "sections": sections,
    }
    return IssueDocument(data, problems, f"{issue.path}/issue.yml")
