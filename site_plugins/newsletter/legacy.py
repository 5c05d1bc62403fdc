"""Importer for printed issues that exist only as text extracted from their PDF.

``parse_printed_issue`` turns the text into an :class:`ImportedIssue`; ``write_issue`` writes it as
``issue.yml`` plus one ``NN-slug.md`` per article. Both are pure of MkDocs and never print;
``importer.py`` reads the files (``pdftext.py`` for PDFs) and talks to the user.

What the text looks like, and the heuristics used (all checked against issue 34):

* **Line layout.** pdftotext-style output: every text line is followed by an empty line (empty lines
  carry no information and are dropped). A line holding only spaces is a blank paragraph in the PDF
  and always ends a paragraph. Leading spaces mark the first line of a page and are dropped.
* **Page furniture** is removed wherever it appears, even mid-paragraph: the running header
  (``<masthead>   总第 N 期``, which also gives the issue number and masthead), the publisher line
  (a line right after a header that repeats in the file or names a company/centre), page numbers (a line
  of 1-3 digits next to a header), and blocks of hyperlink-annotation URLs (lines that are nothing but an
  http(s) URL; the PDF lists a page's links at the page end). Furniture is transparent: a paragraph
  continues across it.
* **A URL block becomes metadata only when it clearly is:** a block with one distinct URL that looks like an
  article address (a path with a 5+ digit run or a date, ending .htm/.html/.shtml or digits) placed right
  after an article's last paragraph becomes that article's ``source_url``, and so does one URL right after
  the title or the meta line (``pdftext.py`` writes a link annotation over them there); a block of identical links to a
  document (.doc/.docx/.pdf/.xls/.xlsx/.zip/.rar) right after a paragraph ending in that file name turns the
  paragraph into a link. Every other URL block is dropped.
* **Sections** start at a banner line ``【市场热点】``; the banner text is a section title from the model's
  sections (symbol-font private-use glyphs before it are dropped). An unknown banner is a warning.
* **Articles** are found from their meta line ``发布日期：2014-10-26  来源：承德日报`` (or ``发布时间：2014年10月27日``,
  source optional). The title is the line above it (skipping blank lines and a document-number line); a
  title wrapped over several lines has full-page-width earlier lines that do not end in a space. A document
  number (``宁政发〔2014〕251号``) just above or below the meta line goes to ``doc_number``.
* **Paragraphs.** Lines are hard-wrapped at a fixed column (measured: the most common display width, CJK
  counting 2). When the extraction kept the PDF's end-of-paragraph space (most lines without it, some
  with it), a line ends a paragraph iff it ends with a space, except: it ends in a comma/enumeration comma
  (unless the next line starts a numbered item: a "，" typed for "；"), it is full width and ends in a Latin letter or digit (a Latin word wrapped at the column), an opening
  bracket is still open, or it is inside an ``a)`` list item and the next line does not start a new item
  (forced line breaks in the original). Without that signal (trailing spaces stripped), a line ending in
  。！？；：” etc. ends a paragraph when the next line's first word would have fitted after it, and a line
  without punctuation when it is clearly short (8+ cells); on issue 34 this agrees with the space signal on
  97% of line ends. Lines are joined with no space, except between two Latin words/numbers.
* **Spaces.** Full-width digits, Latin letters and ％ become ASCII. Spaces next to CJK punctuation and
  between CJK and Latin/digits are extraction spacing and removed (``2014 年`` -> ``2014年``); a line whose
  CJK characters are spaced out (justified text, 3+ CJK-space-CJK gaps) loses those spaces; a single space
  between two Han words elsewhere is kept (``广东省发展改革委 广东省财政厅``). Titles and sources get the
  same treatment, so all text is spaced consistently.
* **Headings.** A paragraph is a heading when it is short (one line shorter than the column, or up to two lines
  for a numbered one) and does not end in punctuation, or is numbered, has no inner punctuation and ends in
  。, or is numbered and followed by a paragraph numbered in another style. ``a)`` items, the last item
  of a list whose items end in ；, lines with a colon, dates and signatures (a line followed by a date) are
  never headings. ``a)`` / ``1)`` get one space after them (the print is inconsistent). Numbering styles (一、 /
  （一） / 1． / （1） / 1) / 2-1 / 1标题) get levels ###, ####, ##### in the order they first appear in the
  article; unnumbered subheads are ###.
* **Tables**: a header line of N space-separated cells followed by rows that start with two or more
  code-like tokens (``ACM0011 CM-004-V01``), whose last cell may wrap over following lines, becomes a
  pipe table.
* **Footnotes**: ``[n]`` in the text becomes ``[^n]``; paragraphs at the end of an article starting with
  ``[n]`` become the footnote definitions.
* Markdown-significant characters in the text (``* _ ~ ^ ` [ ] < > #`` …) are escaped.

What it cannot know is left to the editor (and reported as warnings where it can tell): tags, authors,
lost figures (an article with an empty body), footnote numbers that do not match their notes.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import shutil
import tempfile
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import yaml

from . import furniture
from .model import DEFAULT_MASTHEAD, DEFAULT_SECTIONS, Section


@dataclass(frozen=True)
class ImportedArticle:
    slug: str
    front_matter: dict
    body: str
    source_line: int  # 1-based line of the title in the imported text


@dataclass(frozen=True)
class ImportedIssue:
    number: int | None
    date: dt.date | None
    title: str
    period: str | None
    publisher: str | None
    articles: list[ImportedArticle] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- character classes

_CJK_PUNCT = "，。、；：？！“”‘’（）《》〈〉【】〔〕「」『』—…·～"
_TERMINAL = set("。！？；：!?;:…”’）)」』》")
_SENTENCE_END = set("。！？；：!?;:…，、,")
_SOFT_END = set("，、,")
_DOC_EXTENSIONS = (".doc", ".docx", ".pdf", ".xls", ".xlsx", ".zip", ".rar")

_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_URL_LINE = re.compile(r"https?://\S+\Z")
_BANNER = re.compile(r"【(?P<name>[^】]{1,24})】\Z")  # 24: letter-spaced 【国 内 资 讯】
_META = re.compile(r"发\s*布\s*(?:日\s*期|时\s*间)\s*[:：]\s*(?P<date>.+?)(?:\s+来\s*源\s*[:：]\s*(?P<source>.+?))?"
                   r"(?:\s+作\s*者\s*[:：]\s*(?P<authors>.+?))?\s*\Z")
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,16}\s*[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d+\s*号\Z")
_PUBLISHER_HINT = re.compile(r"(公司|中心|研究院|研究所|协会|部)(（[^）]*）|\([^)]*\))?\Z")
_ISO_DATE = re.compile(r"(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})")
_CN_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DATE_ONLY = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月(\s*\d{1,2}\s*日)?\Z|\d{4}-\d{1,2}-\d{1,2}\Z")
_FOOTNOTE_DEF = re.compile(r"\[(\d{1,2})\]\s*(.+)\Z")
_CODE_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9./-]*\d[A-Za-z0-9./-]*\Z")
_ARTICLE_URL = re.compile(r"https?://[^/\s]+/\S*(\d{5,}|\d{4}-\d{2})\S*(\.s?html?|\d)\Z")

# Numbering styles of headings and list items, most specific first.
_NUMBERING = [
    ("cn", re.compile(r"[一二三四五六七八九十]{1,3}、")),
    ("cn_paren", re.compile(r"[（(][一二三四五六七八九十]{1,3}[）)]")),
    ("num_paren", re.compile(r"[（(]\d{1,2}[）)]")),
    ("latin", re.compile(r"[a-z]\)\s*")),
    ("num_close", re.compile(r"\d{1,2}\)\s*")),
    ("num_dot", re.compile(r"\d{1,2}(?:[．、]|\.(?!\d))")),
    ("decimal", re.compile(r"\d{1,2}-\d{1,2}(?=[^\d\-])")),
    ("bare", re.compile(r"\d(?=[A-Z\u4e00-\u9fff])(?![年月日个万亿千百元吨家项])")),
]
_SPACED_NUMBERING = {"decimal", "bare"}  # "2-1清洁…" is printed without the space a reader expects


def char_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)



def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def _is_latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def to_halfwidth_alnum(text: str) -> str:
    """Full-width digits, Latin letters and ％ to ASCII; CJK punctuation stays full width."""
    return "".join(chr(ord(c) - 0xFEE0) if ("０" <= c <= "９" or "Ａ" <= c <= "Ｚ" or "ａ" <= c <= "ｚ" or c == "％") else c
                   for c in text)


def _despace_justified(line: str) -> str:
    gaps = re.findall(r"(?<=[\u4e00-\u9fff，。、；：“”（）]) +(?=[\u4e00-\u9fff，。、；：“”（）])", line)
    if len(gaps) >= 3:
        return re.sub(r"(?<=[\u4e00-\u9fff，。、；：“”（）]) +(?=[\u4e00-\u9fff，。、；：“”（）])", "", line)
    return line


def normalise_spaces(text: str) -> str:
    """Remove extraction spacing: around CJK punctuation and between CJK and Latin/digits."""
    text = to_halfwidth_alnum(text)
    text = re.sub(r"[ \t\u3000]+", " ", text).strip()
    out = []
    for i, ch in enumerate(text):
        if ch == " " and 0 < i < len(text) - 1:
            left, right = text[i - 1], text[i + 1]
            if left in _CJK_PUNCT or right in _CJK_PUNCT:
                continue
            if (_is_han(left) and _is_latin(right)) or (_is_latin(left) and _is_han(right)):
                continue
            if (_is_han(left) and right == "%") or (left == "%" and _is_han(right)):
                continue
        out.append(ch)
    return "".join(out)


def parse_date(text: str) -> dt.date | None:
    text = unicodedata.normalize("NFKC", text)  # full-width digits and separators: ２０１４－１０－３０
    m = _ISO_DATE.search(text) or _CN_DATE.search(text)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


# ---------------------------------------------------------------- lines

@dataclass
class _Line:
    no: int  # 1-based line number in the text
    text: str  # stripped
    kind: str  # text, blank, url, banner, meta, furniture
    trailing: bool = False  # the extraction ended the line with a space
    width: int = 0


def _classify(text: str) -> tuple[list[_Line], dict]:
    raw = text.splitlines()
    lines: list[_Line] = []
    for i, line in enumerate(raw, 1):
        line = _PRIVATE_USE.sub("", line)  # symbol-font bullets (e.g. U+F0B2 before section banners)
        if line == "":
            continue
        stripped = line.strip()
        if not stripped:
            lines.append(_Line(i, "", "blank"))
            continue
        kind = "text"
        if _URL_LINE.match(stripped):
            kind = "url"
        elif _BANNER.match(stripped):
            kind = "banner"
        elif furniture.header_number(stripped) is not None:
            kind = "header"
        elif _META.match(stripped):
            kind = "meta"
        lines.append(_Line(i, stripped, kind, line != line.rstrip(), char_width(stripped)))
    info = _mark_furniture(lines)
    return lines, info


def _mark_furniture(lines: list[_Line]) -> dict:
    """Turn header, publisher and page-number lines into furniture; return what the headers tell."""
    info: dict = {"numbers": Counter(), "mastheads": Counter(), "publishers": Counter()}
    counts = Counter(l.text for l in lines if l.kind == "text")
    for i, line in enumerate(lines):
        if line.kind != "header":
            continue
        m = furniture.RUNNING_HEADER.match(line.text)
        info["numbers"][furniture.header_number(line.text)] += 1
        info["mastheads"][furniture.squeeze(m.group("masthead"))] += 1
        line.kind = "furniture"
        seen = 0
        for nxt in lines[i + 1:]:
            if seen == 3:
                break
            if nxt.kind == "blank":
                nxt.kind = "furniture"
                continue
            seen += 1
            if nxt.kind == "text" and furniture.is_page_number(nxt.text):
                nxt.kind = "furniture"
            elif nxt.kind == "text" and (counts[nxt.text] > 1 or _PUBLISHER_HINT.search(nxt.text)) and seen == 1:
                info["publishers"][nxt.text] += 1
                nxt.kind = "furniture"
            else:
                break
        for prev in reversed(lines[max(0, i - 2):i]):  # a page number printed just above the header
            if prev.kind == "text" and furniture.is_page_number(prev.text):
                prev.kind = "furniture"
    for line in lines:  # the publisher line also where no header precedes it
        if line.kind == "text" and line.text in info["publishers"]:
            line.kind = "furniture"
    return info


def _column_width(lines: Sequence[_Line], trailing_mode: bool) -> int:
    widths = Counter(l.width for l in lines if l.kind == "text" and 16 <= l.width <= 80
                     and (not trailing_mode or not l.trailing))
    return widths.most_common(1)[0][0] if widths else 38


# ---------------------------------------------------------------- articles

@dataclass
class _RawArticle:
    title_lines: list[_Line]
    meta: _Line
    section: str | None
    body: list[_Line]
    doc_number: str | None = None

    @property
    def title_url(self) -> str | None:
        """The one address linked from the title (URL lines between the title and the 发布日期 line)."""
        urls = {l.text for l in self.between if l.kind == "url"}
        return urls.pop() if len(urls) == 1 else None

    between: list[_Line] = field(default_factory=list)


def _title_span(lines: list[_Line], meta_index: int, column: int) -> tuple[int, int, str | None]:
    """Indexes of the first and last title lines above the meta line, and a document number found between."""
    doc_number = None
    j = meta_index - 1
    while j >= 0 and (lines[j].kind in ("blank", "furniture", "url") or (lines[j].kind == "text" and _DOC_NUMBER.match(lines[j].text) and doc_number is None)):
        if lines[j].kind == "text":
            doc_number = lines[j].text
        j -= 1
    if j < 0 or lines[j].kind != "text":
        return meta_index, meta_index - 1, doc_number
    start = j
    k = j - 1
    while k >= 0 and lines[k].kind == "furniture":
        k -= 1
    while k >= 0 and lines[k].kind == "text" and not lines[k].trailing and lines[k].width > column + 4:
        start = k
        k -= 1
    return start, j, doc_number


def _split_articles(lines: list[_Line], column: int, banners: dict[str, str], warnings: list[str]) -> list[_RawArticle]:
    """Articles from their meta lines; each runs to the next article's title or section banner."""
    spans = [_title_span(lines, i, column) + (i,) for i, l in enumerate(lines) if l.kind == "meta"]
    sections = _banner_sections(lines, banners, warnings)
    articles: list[_RawArticle] = []
    for n, (start, last, doc, meta_i) in enumerate(spans):
        before = [key for i, key in sections if i < start]
        end = spans[n + 1][0] if n + 1 < len(spans) else len(lines)
        end = next((i for i, _ in sections if meta_i < i < end), end)
        if start == meta_i:
            warnings.append(f"line {lines[meta_i].no}: no title found above the date line")
        if not before:
            warnings.append(f"line {lines[meta_i].no}: article before any section banner gets no section")
        articles.append(_RawArticle([l for l in lines[start:last + 1] if l.kind == "text"], lines[meta_i], before[-1] if before else None,
                                    lines[meta_i + 1:end], doc, lines[last + 1:meta_i]))
    stray = [l for l in lines[:spans[0][0]] if l.kind == "text"] if spans else []
    if stray:
        warnings.append(f"line {stray[0].no}: {len(stray)} line(s) of text before the first article were skipped (a cover or a table of contents?); check nothing of an article is among them")
    return articles


def _banner_sections(lines: list[_Line], banners: dict[str, str], warnings: list[str]) -> list[tuple[int, str | None]]:
    sections = []
    for i, line in enumerate(lines):
        if line.kind == "banner":
            name = furniture.squeeze(_BANNER.match(line.text).group("name"))
            if name not in banners:
                warnings.append(f"line {line.no}: unknown section banner 【{name}】; its articles get no section")
            sections.append((i, banners.get(name)))
    return sections


# ---------------------------------------------------------------- paragraphs

@dataclass
class _Block:
    kind: str  # para, table, url
    text: str = ""
    lines: list[_Line] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


def _numbering(text: str) -> str | None:
    for name, pattern in _NUMBERING:
        if pattern.match(text):
            return name
    return None


def _open_brackets(text: str) -> bool:
    for opener, closer in (("（", "）"), ("(", ")"), ("《", "》"), ("〔", "〕")):
        if text.count(opener) > text.count(closer):
            return True
    return False


def _ends_paragraph(line: _Line, nxt: _Line | None, para: list[_Line], column: int, trailing_mode: bool) -> bool:
    """Whether ``line`` (the last of ``para`` so far) ends its paragraph; ``nxt`` is the next text line."""
    last = line.text[-1]
    # inside an "a)" item a line may break early; the item ends where the next item starts
    in_item = _numbering(para[0].text) == "latin" and not (nxt is not None and _numbering(nxt.text))
    unclosed = _open_brackets("".join(l.text for l in para))
    if trailing_mode:
        if not line.trailing:
            return False
        if last in _SOFT_END:
            return nxt is not None and _numbering(nxt.text) not in (None, "bare")  # "，" typed for "；"
        if last in _TERMINAL:
            return not unclosed or last in "）)"
        wrapped_word = line.width >= column - 6 and (_is_latin(last) or last in ".-/")
        return not (wrapped_word or unclosed or in_item)
    if last in _SOFT_END or unclosed or in_item:
        return False
    if last in _TERMINAL:  # ends a paragraph if the next line's first word would have fitted after it
        return nxt is None or line.width + _first_word_width(nxt.text) <= column
    return line.width <= column - 8


def _first_word_width(text: str) -> int:
    m = re.match(r"[A-Za-z0-9.,%/-]+", text)
    return char_width(m.group() if m else text[:1])


def _join(a: str, b: str) -> str:
    if a and b and (a[-1].isascii() and a[-1] in ",;:" or _is_latin(a[-1])) and _is_latin(b[0]):
        return a + " " + b
    return a + b


def _table_at(items: list[_Line], i: int, trailing_mode: bool, column: int) -> tuple[_Block, int] | None:
    """A pipe table starting at items[i] (a header line), or None."""
    header = items[i].text.split()
    if len(header) < 2 or i + 1 >= len(items):
        return None

    def code_cells(text: str) -> list[str]:
        cells = []
        for token in text.split():
            if _CODE_TOKEN.match(token):
                cells.append(token)
            else:
                break
        return cells

    if len(code_cells(items[i + 1].text)) < 2:
        return None
    header = _header_cells(header, len(code_cells(items[i + 1].text)) + 1)
    ncols = len(header)
    rows: list[list[str]] = []
    j = i + 1
    while j < len(items) and items[j].kind == "text":
        text = items[j].text
        codes = code_cells(text)
        if len(codes) >= 2 and len(codes) < ncols:
            rest = text.split(None, len(codes))[len(codes):]
            rows.append(codes + [rest[0] if rest else ""])
            done = bool(rest) and (items[j].trailing or not trailing_mode)
            j += 1
            while not done and j < len(items) and items[j].kind == "text" and len(code_cells(items[j].text)) < 2:
                rows[-1][-1] = _join(rows[-1][-1], items[j].text)
                done = _ends_paragraph(items[j], None, [items[j]], column, trailing_mode)
                j += 1
            continue
        break
    if len(rows) < 2:
        return None
    cells = [[normalise_spaces(c) for c in header]] + [[normalise_spaces(c) for c in r] + [""] * (ncols - len(r)) for r in rows]
    return _Block("table", rows=cells, lines=items[i:j]), j


def _header_cells(tokens: list[str], wanted: int) -> list[str]:
    """Header cells from the header line's words: "CDM 方法学编号" (a header wrapped inside its cell)
    is one cell while there are more words than the rows have cells."""
    tokens = list(tokens)
    while len(tokens) > wanted:
        k = next((k for k in range(len(tokens) - 1) if tokens[k].isascii() and _is_han(tokens[k + 1][0])), None)
        if k is None:
            break
        tokens[k:k + 2] = [tokens[k] + tokens[k + 1]]
    return tokens


def _blocks(body: list[_Line], column: int, trailing_mode: bool) -> list[_Block]:
    items = [l for l in body if l.kind in ("text", "blank", "url", "meta")]
    blocks: list[_Block] = []
    para: list[_Line] = []

    def close():
        if para:
            text = ""
            for l in para:
                text = _join(text, _despace_justified(l.text))
            blocks.append(_Block("para", normalise_spaces(text), list(para)))
            para.clear()

    i = 0
    while i < len(items):
        line = items[i]
        if line.kind == "blank":
            close()
            i += 1
            continue
        if line.kind == "url":
            urls = []
            while i < len(items) and items[i].kind == "url":
                urls.append(items[i].text)
                i += 1
            blocks.append(_Block("url", urls=urls, lines=[line]))  # position only; the paragraph goes on
            continue
        if not para:
            table = _table_at(items, i, trailing_mode, column)
            if table:
                blocks.append(table[0])
                i = table[1]
                continue
        if line.kind == "meta":
            line = _Line(line.no, line.text, "text", line.trailing, line.width)
        para.append(line)
        nxt = next((l for l in items[i + 1:] if l.kind == "text"), None)
        if _ends_paragraph(line, nxt, para, column, trailing_mode):
            close()
        i += 1
    close()
    return blocks


# ---------------------------------------------------------------- markdown

_MD_ESCAPE = re.compile(r"([\\`*_~^\[\]>|])")


def _escape(text: str) -> str:
    """Text shown as is by Markdown; ``[n]`` footnote marks become ``[^n]``."""
    text = _MD_ESCAPE.sub(r"\\\1", text).replace("<", "&lt;")
    text = re.sub(r"\\\[(\d{1,2})\\\]", r"[^\1]", text)
    if re.match(r"#|[-+](\s|\Z)", text):
        text = "\\" + text
    return re.sub(r"\A(\d+)\.(\s)", r"\1\\.\2", text)


def _is_heading(block: _Block, prev: _Block | None, nxt: _Block | None, column: int) -> bool:
    text = block.text
    if not text or nxt is None or "：" in text or ":" in text or _DATE_ONLY.match(text):
        return False
    style = _numbering(text)
    if style == "latin":
        return False
    if nxt.kind == "para" and _DATE_ONLY.match(nxt.text):
        return False  # a signature: the issuing body above its date
    last = text[-1]
    n_lines = len(block.lines)
    short = n_lines == 1 and block.lines[0].width < column - 4
    if style is None:
        if not short:
            return False
        if last in _TERMINAL or last in _SOFT_END:
            return last == "”" and text.startswith("“") and not re.search(r"[，。；！？]", text)
        return not re.search(r"[。；！？]", text)
    if n_lines > 2:
        return False
    if prev is not None and prev.kind == "para" and _numbering(prev.text) == style and prev.text[-1] in ";；":
        return False  # the last item of a list whose items end in ；
    if last not in _SENTENCE_END:
        return not re.search(r"[。；！？]", text)
    if last == "。" and not re.search(r"[，。；！？、]", text[:-1]) and len(text) <= 40:
        return True
    nxt_style = _numbering(nxt.text) if nxt.kind == "para" else None
    return last == "。" and nxt_style not in (None, style, "latin") and not re.search(r"[。；！？]", text[:-1])


def _item_spacing(text: str) -> str:
    """``a)项目`` / ``2)CM`` -> ``a) 项目`` / ``2) CM``: the printed issue spaces these inconsistently."""
    return re.sub(r"\A([a-z]|\d{1,2})\)\s*", r"\1) ", text)


def _heading_text(text: str, style: str | None) -> str:
    if style in _SPACED_NUMBERING:
        m = dict(_NUMBERING)[style].match(text)
        text = text[: m.end()] + " " + text[m.end():].lstrip()
    return text


def _table_markdown(rows: list[list[str]]) -> str:
    def row(cells):
        return "| " + " | ".join(_MD_ESCAPE.sub(r"\\\1", c) for c in cells) + " |"

    return "\n".join([row(rows[0]), "|" + "|".join(" --- " for _ in rows[0]) + "|"] + [row(r) for r in rows[1:]])


def _render_body(blocks: list[_Block], column: int, lineno: int, warnings: list[str]) -> tuple[str, str | None]:
    """Markdown body and the article's source URL, if one of its URL blocks clearly is."""
    paras = [b for b in blocks if b.kind != "url"]
    notes: list[str] = []
    refs = {m for b in paras for m in re.findall(r"(?<=\S)\[(\d{1,2})\]", b.text)}
    for block in [b for b in paras if b.kind == "para"]:  # a note printed at the foot of a page
        m = _FOOTNOTE_DEF.match(block.text)
        if m and m.group(1) in refs:
            paras.remove(block)
            notes.append(block.text)
    notes.sort(key=lambda note: int(_FOOTNOTE_DEF.match(note).group(1)))
    while paras and paras[-1].kind == "para" and (_FOOTNOTE_DEF.match(paras[-1].text) or _listed_note(paras[-1].text, refs)):
        # footnote definitions: trailing paragraphs starting with [n], or "n. …" where the text refers to [n]
        notes.insert(0, _listed_note(paras[-1].text, refs) or paras[-1].text)
        paras.pop()
    source_url = _place_urls(blocks, paras)
    styles: list[str] = []  # numbering styles in the order they first head a section
    parts = [_block_markdown(block, paras[k - 1] if k else None, paras[k + 1] if k + 1 < len(paras) else None,
                             column, styles) for k, block in enumerate(paras)]
    parts += [_footnote_markdown(note) for note in notes]
    body = "\n\n".join(parts)
    defined = {_FOOTNOTE_DEF.match(note).group(1) for note in notes}
    used = set(re.findall(r"\[\^(\d+)\](?!:)", body))
    for n in sorted(defined - used):
        warnings.append(f"line {lineno}: footnote [{n}] is defined but never referred to")
    for n in sorted(used - defined):
        warnings.append(f"line {lineno}: footnote [{n}] is referred to but has no note")
    return (body + "\n" if body else ""), source_url


def _listed_note(text: str, refs: set[str]) -> str | None:
    """A note printed as a numbered list at the article's end ("1. …", as the PDF shows Markdown
    footnotes), as ``[n] …``, when the text refers to [n]."""
    m = re.match(r"(\d{1,2})[.．]\s*(.+)\Z", text)
    return f"[{m.group(1)}] {m.group(2)}" if m and m.group(1) in refs else None


def _place_urls(blocks: list[_Block], paras: list[_Block]) -> str | None:
    """Link a document URL to the paragraph naming the file; return the source URL if one block is it."""
    source_url = None
    for k, block in enumerate(blocks):
        if block.kind != "url" or len(set(block.urls)) != 1:
            continue
        url = block.urls[0]
        before = [b for b in blocks[:k] if b.kind == "para"]
        text_after = [b for b in blocks[k + 1:] if b in paras]
        if url.lower().endswith(_DOC_EXTENSIONS):
            if before and before[-1].text.lower().endswith("." + url.lower().rsplit(".", 1)[-1]):
                before[-1].urls = [url]
        elif source_url is None and (not before or _ARTICLE_URL.match(url) and not text_after):
            source_url = url  # linked from the title or the 发布日期/来源 line, or the article's own address at its end
    return source_url


def _block_markdown(block: _Block, prev: _Block | None, nxt: _Block | None, column: int, styles: list[str]) -> str:
    if block.kind == "table":
        return _table_markdown(block.rows)
    text = block.text
    if _is_heading(block, prev, nxt, column):
        style = _numbering(text)
        if style is None:
            return "### " + _escape(text)
        if style not in styles:
            styles.append(style)
        level = min(3 + styles.index(style), 6)
        return "#" * level + " " + _escape(_item_spacing(_heading_text(text, style)))
    if block.urls:
        label, colon, name = text.rpartition("：")
        return f"{_escape(label)}{colon}[{_escape(name)}]({block.urls[0]})"
    return _escape(_item_spacing(text))


def _footnote_markdown(note: str) -> str:
    m = _FOOTNOTE_DEF.match(note)
    content = m.group(2).strip()
    content = f"<{content}>" if _URL_LINE.match(content) else _escape(content)
    return f"[^{m.group(1)}]: {content}"


# ---------------------------------------------------------------- parse

def _slug(order: int, title: str, width: int) -> str:
    words = [w.lower() for w in re.findall(r"[A-Za-z]{2,}", to_halfwidth_alnum(title))][:3]
    number = f"{order:0{width}d}"
    return "-".join([number] + words)


def parse_printed_issue(text: str, *, number: int | None = None,
                        sections: Sequence[Section] = DEFAULT_SECTIONS) -> ImportedIssue:
    """Parse the text of one printed issue. Never raises on odd input; problems go to ``warnings``."""
    warnings: list[str] = []
    lines, info = _classify(text.replace("\r\n", "\n").replace("\f", "\n").lstrip("\ufeff"))
    texts = [l for l in lines if l.kind == "text"]
    trailing_share = sum(l.trailing for l in texts) / len(texts) if texts else 0
    trailing_mode = 0.05 <= trailing_share <= 0.9
    column = _column_width(lines, trailing_mode)
    detected = info["numbers"].most_common(1)[0][0] if info["numbers"] else None
    if number is None:
        number = detected
        if number is None:
            warnings.append("no running header (… 总第 N 期) found; pass the issue number")
    elif detected is not None and detected != number:
        warnings.append(f"the running header says 总第 {detected} 期 but the number given is {number}")
    publisher = info["publishers"].most_common(1)[0][0] if info["publishers"] else None
    banners = {furniture.squeeze(s.title): s.key for s in sections}
    raw_articles = _split_articles(lines, column, banners, warnings)
    _stray_furniture(lines, raw_articles, publisher, warnings)
    if not raw_articles:
        warnings.append("no articles found (no 发布日期/发布时间 lines)")
    width = max(2, len(str(len(raw_articles))))
    articles = []
    for order, raw in enumerate(raw_articles, 1):
        articles.append(_article(raw, order, width, column, trailing_mode, warnings))
    dates = [a.front_matter["date"] for a in articles if isinstance(a.front_matter.get("date"), dt.date)]
    masthead = info["mastheads"].most_common(1)[0][0] if info["mastheads"] else DEFAULT_MASTHEAD
    issue_date = _cover_date(lines, raw_articles) or (max(dates) if dates else None)
    return ImportedIssue(number=number, date=issue_date, title=masthead, period=None,
                         publisher=publisher, articles=articles, warnings=warnings)


def _stray_furniture(lines: list[_Line], raw_articles: list[_RawArticle], publisher: str | None,
                     warnings: list[str]) -> None:
    """A line inside the articles that reads like page furniture but was not found as such: say where."""
    first = raw_articles[0].meta.no if raw_articles else math.inf
    for line in lines:
        kind = furniture.line_kind(line.text, publisher) if line.kind == "text" and line.no >= first else None
        if kind:
            warnings.append(f"line {line.no}: '{line.text}' looks like {kind} but not like the page furniture "
                            "around it; kept as text: check the article it lands in")


_COVER_DATE = re.compile(r"(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}-\d{1,2}-\d{1,2})\s*\Z")


def _cover_date(lines: list[_Line], raw_articles: list[_RawArticle]) -> dt.date | None:
    """The publication date printed on the cover: a line before the first article ending in a date."""
    first = raw_articles[0].title_lines[0].no if raw_articles and raw_articles[0].title_lines else 0
    for line in lines:
        if line.no >= first:
            break
        m = _COVER_DATE.search(unicodedata.normalize("NFKC", line.text)) if line.kind == "text" else None
        if m and len(line.text) <= 60:
            return parse_date(m.group(1))
    return None


def _article(raw: _RawArticle, order: int, width: int, column: int, trailing_mode: bool,
             warnings: list[str]) -> ImportedArticle:
    title_text = ""
    for l in raw.title_lines:
        title_text = _join(title_text, l.text)
    title = normalise_spaces(title_text)
    lineno = raw.title_lines[0].no if raw.title_lines else raw.meta.no
    m = _META.match(raw.meta.text)
    date = parse_date(m.group("date"))
    if date is None:
        warnings.append(f"line {raw.meta.no}: cannot read the date '{m.group('date')}'")
    source = normalise_spaces(m.group("source")) if m.group("source") else None
    authors = [a for a in re.split(r"[、，,;；]|\s+", normalise_spaces(m.group("authors") or "")) if a]
    body_lines = list(raw.body)
    doc_number = raw.doc_number
    first = next((k for k, l in enumerate(body_lines) if l.kind == "text"), None)
    if doc_number is None and first is not None and _DOC_NUMBER.match(body_lines[first].text):
        doc_number = body_lines.pop(first).text
    blocks = _blocks(body_lines, column, trailing_mode)
    body, source_url = _render_body(blocks, column, lineno, warnings)
    source_url = raw.title_url or source_url
    if not body.strip():
        warnings.append(f"line {lineno}: 《{title}》 has no text (a figure or table lost in extraction?); "
                        "write an editor's note as its body")
    front: dict = {"title": title, "section": raw.section, "date": date}
    if source:
        front["source"] = source
    if source_url:
        front["source_url"] = source_url
    if doc_number:
        front["doc_number"] = normalise_spaces(doc_number)
    front["tags"] = []
    if authors:
        front["authors"] = authors
    return ImportedArticle(_slug(order, title, width), front, body, lineno)


# ---------------------------------------------------------------- write

_PLAIN_UNSAFE_START = set("-?:,[]{}#&*!|>'\"%@`~ ")


def yaml_scalar(value) -> str:
    """A YAML scalar that both PyYAML and a YAML 1.2 core-schema reader read back as ``value``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    plain_ok = (
        text
        and text[0] not in _PLAIN_UNSAFE_START
        and text == text.strip()
        and not re.search(r":(\s|\Z)|\s#|[\n\t\\\"',\[\]{}]", text)
        and not re.fullmatch(r"[-+.0-9eExXoO_:]*|(?i:y|n|yes|no|on|off|true|false|null|~)", text)
    )
    if plain_ok:
        try:
            plain_ok = yaml.safe_load(f"k: {text}") == {"k": text}
        except yaml.YAMLError:
            plain_ok = False
    return text if plain_ok else json.dumps(text, ensure_ascii=False)


def _yaml_mapping(values: dict) -> str:
    out = []
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            out.append(f"{key}: [{', '.join(yaml_scalar(v) for v in value)}]")
        else:
            out.append(f"{key}: {yaml_scalar(value)}")
    return "\n".join(out) + "\n"


def issue_yaml(imported: ImportedIssue) -> str:
    return _yaml_mapping({"number": imported.number, "date": imported.date, "title": imported.title,
                          "period": imported.period, "publisher": imported.publisher})


def article_markdown(article: ImportedArticle) -> str:
    return f"---\n{_yaml_mapping(article.front_matter)}---\n\n{article.body}"


def write_issue(imported: ImportedIssue, dest: Path, *, overwrite: bool = False) -> list[Path]:
    """Write ``issue.yml`` and the articles into ``dest`` all at once.

    Everything is written to a temporary sibling folder first and renamed into place, so a failure
    never leaves half an issue. An existing non-empty ``dest`` is refused (``FileExistsError``) unless
    ``overwrite``; then it is replaced as a whole, so no article of an earlier import is left behind.
    """
    dest = Path(dest)
    if imported.number is None or imported.date is None:
        raise ValueError("the issue needs a number and a date before it can be written")
    if dest.exists() and not dest.is_dir():
        raise FileExistsError(f"{dest} exists and is not a folder")
    if dest.is_dir() and any(dest.iterdir()) and not overwrite:
        raise FileExistsError(f"{dest} already holds files; pass overwrite=True (--force) to replace them")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.import-", dir=dest.parent))
    try:
        (tmp / "issue.yml").write_text(issue_yaml(imported), encoding="utf-8")
        names = [f"{a.slug}.md" for a in imported.articles]
        if len(set(names)) != len(names):
            raise ValueError("two articles would get the same file name")
        for article, name in zip(imported.articles, names):
            (tmp / name).write_text(article_markdown(article), encoding="utf-8")
        _swap_into_place(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [dest / "issue.yml"] + [dest / n for n in names]


def _swap_into_place(tmp: Path, dest: Path) -> None:
    old = None
    if dest.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=dest.parent))
        old.rmdir()
        os.replace(dest, old)
    try:
        os.replace(tmp, dest)
    except BaseException:
        if old is not None:
            os.replace(old, dest)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
