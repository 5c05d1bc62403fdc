"""Page furniture of the printed issue: what is on every page but belongs to no article.

One definition of each kind, used twice: the importer (``legacy.py``) removes these lines from the
extracted text, and ``newsletter check`` warns where one survived in a title or body (``issue_warnings``).

* the running header: the masthead with 总第 N 期 (however spaced, full-width digits too);
* the publisher line (the issue's ``publisher``, printed in the footer);
* a page number alone: ``12``, ``第 12 页``, ``- 12 -``, ``12 / 38``;
* a line that is nothing but a URL (the link annotations some extractions list at a page's end).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterator

from .problems import Problem

DIGITS = r"[0-9０-９]"
# 总第 34 期, 总 第 ３４ 期, 总第三十四期: the issue number as printed in the running header.
ISSUE_NUMBER = re.compile(rf"总\s*第\s*(?P<number>{DIGITS}+)\s*期")
RUNNING_HEADER = re.compile(rf"(?P<masthead>\S.*?)\s*{ISSUE_NUMBER.pattern}(?P<rest>.*)\Z")
PAGE_NUMBER = re.compile(rf"(?:第\s*{DIGITS}{{1,3}}\s*页|[-–—]\s*{DIGITS}{{1,3}}\s*[-–—]|{DIGITS}{{1,3}}(?:\s*/\s*{DIGITS}{{1,3}})?)\Z")
URL_ONLY = re.compile(r"<?https?://\S+?>?\Z")

_MARKDOWN_LEAD = re.compile(r"\A(?:#{1,6}\s+|>\s*|[-*+]\s+)+")
_ESCAPE = re.compile(r"\\(.)")


def squeeze(text: str) -> str:
    """Text without spaces and with full-width letters and digits as ASCII (NFKC), for comparing lines."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def header_number(line: str) -> int | None:
    """The issue number if ``line`` is a running header (masthead … 总第 N 期 …), else None."""
    m = RUNNING_HEADER.match(line.strip())
    if not m or len(squeeze(m.group("masthead"))) > 30 or len(squeeze(m.group("rest"))) > 12:
        return None
    return int(unicodedata.normalize("NFKC", m.group("number")))


def is_page_number(line: str) -> bool:
    return bool(PAGE_NUMBER.match(line.strip()))


def is_url_only(line: str) -> bool:
    return bool(URL_ONLY.match(line.strip()))


def _plain(line: str) -> str:
    """A Markdown line as read: heading/quote/list markers and backslash escapes removed."""
    return _ESCAPE.sub(r"\1", _MARKDOWN_LEAD.sub("", line.strip())).strip()


def line_kind(line: str, publisher: str | None = None) -> str | None:
    """Which furniture a line of a title or body is, or None."""
    text = _plain(line)
    if not text:
        return None
    if ISSUE_NUMBER.search(text):
        return "the running header (masthead with 总第 N 期)"
    if publisher and len(squeeze(publisher)) >= 6 and squeeze(publisher) in squeeze(text):
        return "the publisher line"
    if is_page_number(text):
        return "a page number"
    if is_url_only(text):
        return "a line that is only a URL"
    return None


def _body_lines(body: str, body_line: int) -> Iterator[tuple[int, str, bool]]:
    """(file line, text, whether the line is a paragraph of its own) for each line of a body."""
    lines = body.split("\n")
    start = len(body) - len(body.lstrip())
    first = body[:start].count("\n")
    for i, line in enumerate(lines):
        alone = (i == 0 or not lines[i - 1].strip()) and (i + 1 == len(lines) or not lines[i + 1].strip())
        yield body_line + i - first, line, alone


def article_warnings(article, publisher: str | None) -> list[Problem]:
    """Furniture in an article's title or body, one warning per line."""
    problems = []
    title_kind = line_kind(article.title, publisher)
    if title_kind is None and re.search(rf"\s{DIGITS}{{1,3}}\Z", article.title):
        title_kind = "a page number"
    if title_kind:
        problems.append(Problem(article.path, article.field_lines.get("title", 1), "title",
                                f"looks like page furniture: {title_kind} ('{article.title}'); "
                                "remove it (left by the import of a printed page)", "warning"))
    for lineno, line, alone in _body_lines(article.body, article.body_line):
        kind = line_kind(line, publisher)
        if kind == "a page number" and not alone:
            continue  # a number inside a list or table, not a paragraph of its own
        if kind:
            problems.append(Problem(article.path, lineno, "body",
                                    f"looks like page furniture: {kind} ('{line.strip()[:60]}'); "
                                    "remove it (left by the import of a printed page)", "warning"))
    return problems


def issue_warnings(issue) -> list[Problem]:
    return [p for article in issue.articles for p in article_warnings(article, issue.publisher)]
