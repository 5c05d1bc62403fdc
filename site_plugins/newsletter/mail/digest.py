"""The email view of an issue: what the digest shows, every link absolute. Model in, :class:`Digest` out.

The email is a digest, not the issue's full text (issue 34's text alone is over Gmail's ~102 KB
clipping limit): masthead, 总第 N 期, date, editor's note, then by section each article's title
linking to its page, its date and source and a short summary; links to the issue page and the PDF.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from ..markup import plain_text
from ..model import Article, Catalog, Issue
from ..pages import article_view
from ..publish import LinkedFile, linked_files
from ..pdf import pdf_url
from ..render import date_zh

SUMMARY_CHARS = 120
_SENTENCE_END = re.compile(r"[。！？；]")
PREHEADER_CHARS = 90
_SENTENCE_ENDS = set("。！？!?…；;")
_CLOSERS = "”’」』）)\"' "


@dataclass(frozen=True)
class DigestImage:
    url: str
    alt: str
    width: int
    height: int


@dataclass(frozen=True)
class DigestFile:
    text: str
    url: str
    label: str  # （附件 · DOCX · 45 KB）


@dataclass(frozen=True)
class DigestArticle:
    title: str
    url: str
    date: str  # YYYY-MM-DD, as the site and the PDF print it
    source: str | None
    summary: str
    image: DigestImage | None = None  # the article's first image, fitted to the email's width
    files: tuple[DigestFile, ...] = ()  # its attachments


@dataclass(frozen=True)
class DigestSection:
    title: str
    articles: tuple[DigestArticle, ...]


@dataclass(frozen=True)
class Digest:
    masthead: str
    label: str  # 总第 N 期
    date: str  # 2014年10月31日
    subject: str
    preheader: str
    publisher: str | None
    period: str | None
    note: str | None
    issue_url: str
    pdf_url: str | None
    home_url: str
    sections: tuple[DigestSection, ...]
    article_count: int
    unsubscribe_url: str | None = None


def _is_sentence(line: str) -> bool:
    return line.rstrip(_CLOSERS)[-1:] in _SENTENCE_ENDS


def _paragraphs(text: str) -> list[str]:
    """The article's opening run of prose: without a leading salutation (各区人民政府：), heading or
    document title, and up to the first line that is not a sentence (a signature, a date, a heading)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines) if _is_sentence(line)), None)
    if start is None:
        return lines
    end = next((i for i in range(start, len(lines)) if not _is_sentence(lines[i])), len(lines))
    return lines[start:end]


def _join(lines: list[str]) -> str:
    """One line; a space only between two Latin letters or digits (Chinese runs on without one)."""
    text = ""
    for line in lines:
        text += " " + line if text and text[-1].isascii() and line[0].isascii() else line
    return text


def summary(text: str, limit: int = SUMMARY_CHARS) -> str:
    """About ``limit`` characters of an article's plain text: whole sentences when one ends late enough."""
    paragraphs = _paragraphs(text)
    flat = _join(paragraphs)
    if len(flat) <= limit:
        whole = len(paragraphs) == len([line for line in text.splitlines() if line.strip()])
        return flat if whole else flat + "……"
    ends = [m.end() for m in _SENTENCE_END.finditer(flat, 0, limit)]
    cut = ends[-1] if ends and ends[-1] >= limit // 2 else limit - 1
    return flat[:cut].rstrip() + "……"


def subject(issue: Issue) -> str:
    return f"{issue.title} {issue.label}（{date_zh(issue.date)}）"


def _preheader(issue: Issue, titles: list[str]) -> str:
    """The line mail clients show after the subject: the editor's note, else the first titles."""
    text = issue.note or "；".join(titles)
    return text if len(text) <= PREHEADER_CHARS else text[: PREHEADER_CHARS - 1] + "…"


IMAGE_WIDTH = 552  # the 600 px column less the article's padding


def _image(files: list[LinkedFile], base: str) -> DigestImage | None:
    first = next((f for f in files if f.asset.kind == "image" and f.asset.web_size), None)
    if first is None:
        return None
    width, height = first.asset.web_size
    if width > IMAGE_WIDTH:
        width, height = IMAGE_WIDTH, max(1, round(height * IMAGE_WIDTH / width))
    return DigestImage(urljoin(base, first.url), first.text, width, height)


def _article(article: Article, issue: Issue, catalog: Catalog, base: str, summary_chars: int) -> DigestArticle:
    files = linked_files(article)
    text = summary(plain_text(article_view(article, issue, catalog).body_html), summary_chars) if summary_chars else ""
    return DigestArticle(article.title, urljoin(base, article.url), article.date.isoformat(), article.source, text,
                         _image(files, base), tuple(DigestFile(f.text, urljoin(base, f.url), f.label)
                                                    for f in files if f.asset.kind == "attachment"))


def digest(issue: Issue, catalog: Catalog, base: str, unsubscribe_url: str | None = None,
           summary_chars: int = SUMMARY_CHARS) -> Digest:
    """The digest of ``issue``; ``base`` is the site's address with a trailing slash (addresses.site_base);
    ``summary_chars`` 0 leaves summaries out."""
    sections = []
    for section, articles in issue.by_section(catalog.settings.sections):
        items = tuple(_article(a, issue, catalog, base, summary_chars) for a in articles)
        sections.append(DigestSection(section.banner, items))
    pdf = pdf_url(issue, catalog.settings)
    return Digest(
        masthead=issue.title,
        label=issue.label,
        date=date_zh(issue.date),
        subject=subject(issue),
        preheader=_preheader(issue, [a.title for a in issue.articles[:3]]),
        publisher=issue.publisher,
        period=issue.period,
        note=issue.note,
        issue_url=urljoin(base, issue.url),
        pdf_url=urljoin(base, pdf) if pdf else None,
        home_url=base,
        sections=tuple(sections),
        article_count=len(issue.articles),
        unsubscribe_url=unsubscribe_url,
    )
