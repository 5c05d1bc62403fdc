"""The text of a printed issue's PDF, in reading order, as the importer reads it (``legacy.py``).

Why poppler's ``pdftotext``: it is maintained, GPL-2 but run as a separate program (nothing of it is
linked in), already installed for ``pdftoppm``, fast (a 40-page issue in well under a second), and with
``-bbox-layout`` it gives every word with its box, so the layout decisions stay here, in Python, where
they can be tested: PyMuPDF would do the same but is AGPL; pdfminer.six is ten times slower on CJK.
Link annotations come from **pypdf** (pure Python, BSD): only the annotation dictionaries are read.

What is done with the boxes, page by page:

* **Furniture.** A line in the top or bottom eighth of a page whose text (digits ignored) comes back at
  the same height on another page is the running header, the publisher line or the page number; so is a
  page number or a ``… 总第 N 期`` line there. Each page's furniture is written once, where the page
  starts, in the order the importer knows (header, publisher, page number); the rest of the band is dropped.
* **Columns.** A vertical gutter near the middle that no narrow line crosses, with a column of aligned
  lines on each side, makes a page two-column. Lines crossing it (titles, banners set across the page)
  cut the page into bands; within a band the left column is read before the right.
* **Lines.** Words on one baseline within a column are one line. Consecutive lines set larger than the
  body text (titles, headings) are one line: a wrapped title is not broken up, not even by a column or
  page break.
* **Paragraph ends** are marked as pdftotext marks them for Word files, with a space at the line end:
  a line that stops well short of the column's right edge (edges measured over the whole document), or
  whose next line is indented, set in another size, further below than the column's line spacing, or a
  numbered item; a short line that only a long unbreakable word made short does not end one.
* **Notes.** A raised small number is a note mark, written ``[n]``; the notes at a page's foot are
  written after the paragraph the page break cut, so it is not split by them.
* **Links.** A link annotation over a title or the 发布日期/来源 line is written as a URL line right after
  that line (the importer makes it ``source_url``); a link over body text as a URL line after the last
  line it covers; a link whose text is its own address adds nothing.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from . import furniture

TIMEOUT = 120  # seconds for pdftotext on one file
_XHTML = "{http://www.w3.org/1999/xhtml}"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_TOP_BAND, _BOTTOM_BAND = 0.125, 0.875


class PdfError(Exception):
    """The file cannot be read as a PDF; the message says why, for the editor."""


@dataclass
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def size(self) -> float:
        return self.y1 - self.y0


@dataclass
class Line:
    words: list[Word]
    column: str = "all"  # left, right or all (one column, or set across the columns)
    links: list[str] = field(default_factory=list)
    ends_paragraph: bool = False
    short: bool = False  # stops well before the column's right edge
    room: float = 0.0  # space left to the column's right edge
    indented: bool = False  # starts further right than the column's left edge
    column_end: bool = False  # the last line of its column on its page
    gap_after: bool = False  # the next line in the column is further below than the line spacing

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def y0(self) -> float:
        return min(w.y0 for w in self.words)

    @property
    def y1(self) -> float:
        return max(w.y1 for w in self.words)

    @property
    def size(self) -> float:
        return max(w.size for w in self.words)

    @property
    def text(self) -> str:
        out = ""
        for prev, word in zip([None] + self.words, self.words):
            if prev is not None:
                gap = word.x0 - prev.x1
                out += "  " if gap > 1.5 * word.size else (" " if gap > 0.12 * word.size else "")
            out += word.text
        return out


@dataclass
class Page:
    width: float
    height: float
    words: list[Word]
    links: list[tuple[tuple[float, float, float, float], str]] = field(default_factory=list)


# ---------------------------------------------------------------- reading the file

def read_pages(path: Path) -> list[Page]:
    """Words and link rectangles of every page (pdftotext coordinates: points, origin top left)."""
    try:
        run = subprocess.Popen(["pdftotext", "-bbox-layout", "-enc", "UTF-8", str(path), "-"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except FileNotFoundError:
        raise PdfError("pdftotext is not installed; apt-get install poppler-utils (scripts/setup.sh does)") from None
    links = _link_annotations(path)  # while pdftotext works
    try:
        stdout, stderr = run.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        run.kill()
        run.communicate()
        raise PdfError(f"pdftotext took more than {TIMEOUT} s; is this a scanned or damaged PDF?") from None
    if run.returncode != 0:
        reason = stderr.decode("utf-8", "replace").strip().splitlines()
        raise PdfError(f"not a readable PDF ({reason[-1] if reason else f'pdftotext exit {run.returncode}'})")
    try:
        root = ET.fromstring(_CONTROL.sub("", stdout.decode("utf-8", "replace")))
    except ET.ParseError as exc:
        raise PdfError(f"pdftotext gave unreadable output: {exc}") from None
    pages = []
    for page in root.iter(f"{_XHTML}page"):
        words = [Word(float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")), float(w.get("yMax")),
                      w.text or "") for w in page.iter(f"{_XHTML}word") if (w.text or "").strip()]
        pages.append(Page(float(page.get("width")), float(page.get("height")), words))
    if not pages:
        raise PdfError("the PDF has no pages")
    for page, page_links in zip(pages, links):
        page.links = page_links
    return pages


def _link_annotations(path: Path) -> list[list[tuple[tuple[float, float, float, float], str]]]:
    """Per page: (x0, y0, x1, y1) in pdftotext coordinates and the URI of each link annotation."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(str(path))
        result = []
        for page in reader.pages:
            box = page.mediabox
            found = []
            for ref in page.get("/Annots") or []:
                annot = ref.get_object()
                action = annot.get("/A")
                action = action.get_object() if action is not None else None
                if annot.get("/Subtype") != "/Link" or action is None or action.get("/S") != "/URI":
                    continue
                x0, y0, x1, y1 = (float(v) for v in annot["/Rect"])
                top = float(box.top)
                found.append(((min(x0, x1) - float(box.left), top - max(y0, y1),
                               max(x0, x1) - float(box.left), top - min(y0, y1)), str(action["/URI"])))
            result.append(found)
        return result
    except (PyPdfError, KeyError, ValueError, TypeError, AttributeError):
        return []  # the text is still worth importing; the links are a bonus


# ---------------------------------------------------------------- layout

def _group_lines(words: list[Word], column: str) -> list[Line]:
    """Words on one baseline (their boxes overlap by half a height) into lines, top to bottom."""
    lines: list[Line] = []
    for word in sorted(words, key=lambda w: (w.y0 + w.y1) / 2):
        middle = (word.y0 + word.y1) / 2
        for line in reversed(lines[-3:]):
            if line.y0 <= middle <= line.y1 and abs(line.size - word.size) < 0.5 * line.size:
                line.words.append(word)
                break
        else:
            lines.append(Line([word], column))
    lines = _absorb_small_lines(lines)
    for line in lines:
        line.words.sort(key=lambda w: w.x0)
    return lines


def _absorb_small_lines(lines: list[Line]) -> list[Line]:
    """A superscript or subscript (smaller, raised or lowered) belongs to the line it overlaps."""
    out: list[Line] = []
    for line in lines:
        host = next((o for o in reversed(out[-3:]) if _overlap(o, line) > 0.3 * min(o.size, line.size)), None)
        if host is not None and (line.size < 0.85 * host.size or host.size < 0.85 * line.size):
            big, small = (host, line) if line.size < host.size else (line, host)
            if big is line:
                out[out.index(host)] = line
            raised = small.y1 < big.y1 - 0.2 * big.size
            big.words.extend(Word(w.x0, w.y0, w.x1, w.y1, f"[{w.text}]") if raised and re.fullmatch(r"\d{1,2}", w.text)
                             else w for w in small.words)  # a raised number is a note mark, printed [n] in print
            continue
        out.append(line)
    return out


def _overlap(a: Line, b: Line) -> float:
    return min(a.y1, b.y1) - max(a.y0, b.y0)


def _gutter(words: list[Word], left: float, right: float) -> tuple[float, float] | None:
    """The x range between two columns, or None for a one-column page."""
    narrow = [w for w in words if w.x1 - w.x0 < 0.55 * (right - left)]
    if len(narrow) < 6:
        return None
    lo, hi = int(left + 0.3 * (right - left)), int(left + 0.7 * (right - left))
    covered = [False] * (hi - lo + 1)
    for w in narrow:
        for x in range(max(lo, int(w.x0)), min(hi, int(w.x1)) + 1):
            covered[x - lo] = True
    runs, start = [], None
    for i, c in enumerate(covered + [True]):
        if not c and start is None:
            start = i
        elif c and start is not None:
            runs.append((start + lo, i - 1 + lo))
            start = None
    for a, b in sorted(runs, key=lambda r: r[0] - r[1]):
        if b - a < 6:
            continue
        lefts = [w for w in narrow if w.x1 <= a + 1]
        rights = [w for w in narrow if w.x0 >= b - 1]
        if min(len(lefts), len(rights)) < 3 or min(len(lefts), len(rights)) < 0.2 * len(narrow):
            continue
        if (max(w.x1 for w in rights) - b) < 0.3 * (right - left) or (a - left) < 0.3 * (right - left):
            continue
        if not (_aligned(lefts) and _aligned(rights)):
            continue  # words that happen to sit right of a gap (after a Latin word), not a column of lines
        return a, b
    return None


def _band_lines(page: Page) -> list[Line]:
    """Lines in the top and bottom bands, split where words are far apart (header left and right)."""
    out = []
    for line in _group_lines([w for w in page.words if _in_band(w, page)], "all"):
        part = [line.words[0]]
        for prev, word in zip(line.words, line.words[1:]):
            if word.x0 - prev.x1 > 2.5 * word.size:
                out.append(Line(part))
                part = []
            part.append(word)
        out.append(Line(part))
    return out


def _aligned(words: list[Word]) -> bool:
    """Whether most of these words start a line at one left edge, as a column's lines do (a paragraph's
    first line indented: two edges)."""
    rows: dict[int, float] = {}
    for w in words:  # where each row of these words starts
        row = round((w.y0 + w.y1) / 4)
        rows[row] = min(rows.get(row, w.x0), w.x0)
    starts = Counter(round(x) for x in rows.values()).most_common(2)
    return len(rows) >= 5 and sum(n for _, n in starts) >= 0.6 * len(rows)


def _furniture_keys(pages: list[Page]) -> set[tuple[str, int]]:
    """(text with digits as #, height) of band lines that recur on more than one page."""
    seen: dict[tuple[str, int], set[int]] = defaultdict(set)
    for number, page in enumerate(pages):
        for line in _band_lines(page):
            seen[_furniture_key(line)].add(number)
    return {key for key, on in seen.items() if len(on) > 1}


def _furniture_key(line: Line) -> tuple[str, int]:
    return re.sub(r"[0-9０-９]+", "#", furniture.squeeze(line.text)), round(line.y0 / 3)


def _in_band(word: Word, page: Page) -> bool:
    return word.y1 < _TOP_BAND * page.height or word.y0 > _BOTTOM_BAND * page.height


def _split_furniture(page: Page, keys: set[tuple[str, int]]) -> tuple[list[Line], list[Word]]:
    """The page's furniture lines and the words of everything else."""
    band = _band_lines(page)
    furn, body_words = [], [w for w in page.words if not _in_band(w, page)]
    for line in band:
        text = line.text
        if (_furniture_key(line) in keys or furniture.header_number(text) is not None
                or furniture.is_page_number(text)):
            furn.append(line)
        else:
            body_words.extend(line.words)
    return furn, body_words


def _canonical_furniture(lines: list[Line]) -> list[str]:
    """Header, publisher, page number: the order the importer expects at a page break.

    The header is the row holding 总第 N 期, its parts (masthead left, number right) joined."""
    marked = next((l for l in lines if furniture.ISSUE_NUMBER.search(l.text)), None)
    row = [l for l in lines if marked is not None and _overlap(l, marked) > 0.3 * marked.size]
    header = "  ".join(l.text for l in sorted(row, key=lambda l: l.x0))
    numbers = [furniture.squeeze(l.text) for l in lines if l not in row and furniture.is_page_number(l.text)]
    others = sorted((l for l in lines if l not in row and not furniture.is_page_number(l.text)),
                    key=lambda l: -len(l.text))
    return [header] * bool(row) + [l.text for l in others[:1]] + numbers[:1]


def _reading_order(words: list[Word], page: Page) -> list[Line]:
    if not words:
        return []
    left, right = min(w.x0 for w in words), max(w.x1 for w in words)
    gutter = _gutter(words, left, right)
    if gutter is None:
        return _group_lines(words, "all")
    a, b = gutter
    spanning = _group_lines([w for w in words if w.x0 < a and w.x1 > b], "all")
    lefts = _group_lines([w for w in words if w.x1 <= a], "left")
    rights = _group_lines([w for w in words if w.x0 >= b], "right")
    ordered: list[Line] = []
    cuts = [l.y0 for l in spanning] + [page.height + 1]
    top = -1.0
    for cut, span in zip(cuts, spanning + [None]):
        ordered += [l for l in lefts if top <= l.y0 < cut] + [l for l in rights if top <= l.y0 < cut]
        if span is not None:
            ordered.append(span)
            top = span.y0
    return ordered


# ---------------------------------------------------------------- paragraphs

def _is_display(line: Line, body_size: float) -> bool:
    return line.size > 1.03 * body_size


def _merge_display_lines(lines: list[Line], body_size: float) -> list[Line]:
    """A title or heading set larger than the body text and wrapped (its line full to the column's
    right edge, the next in the same size right below) becomes one line."""
    right = defaultdict(float)
    for line in lines:
        right[line.column] = max(right[line.column], line.x1)
    out: list[Line] = []
    for line in lines:
        prev = out[-1] if out else None
        if (prev is not None and _is_display(line, body_size) and abs(prev.size - line.size) < 0.03 * line.size
                and prev.column == line.column and 0 < line.y0 - prev.words[-1].y0 < 1.8 * line.size
                and prev.words[-1].x1 > right[line.column] - 2 * line.size):
            prev.words.extend(line.words)  # a merged line is no longer one row: only its text is used
            prev.links += line.links
            continue
        out.append(line)
    return out


def column_edges(lines: list[Line], body_size: float) -> dict[str, tuple[float, float]]:
    """Left and right edge of each kind of column over the whole document: the x most body lines share
    (a page of short lines, hanging punctuation or the odd wide line do not move them)."""
    edges = {}
    for column in ("all", "left", "right"):
        body = [l for l in lines if l.column == column and abs(l.size - body_size) < 0.1 * body_size]
        if body:
            edges[column] = (_most_common(round(l.x0) for l in body), _most_common(round(l.x1) for l in body))
    return edges


def _mark_paragraph_ends(lines: list[Line], body_size: float, edges: dict[str, tuple[float, float]]) -> None:
    by_column: dict[str, list[Line]] = defaultdict(list)
    for line in lines:
        by_column[line.column].append(line)
    for name, column in by_column.items():
        body = [l for l in column if abs(l.size - body_size) < 0.1 * body_size]
        left, right = edges.get(name, (min(l.x0 for l in column), max(l.x1 for l in column)))
        gaps = [b.y0 - a.y1 for a, b in zip(body, body[1:]) if 0 <= b.y0 - a.y1 < body_size]
        usual = statistics.median(gaps) if gaps else 0.3 * body_size
        for line, nxt in zip(column, column[1:] + [None]):
            size = line.size
            line.short = line.x1 < right - 1.5 * size
            line.room = right - line.x1
            line.indented = line.x0 > left + 0.8 * size
            line.column_end = nxt is None or nxt.y0 < line.y0
            line.gap_after = not line.column_end and nxt.y0 - line.y1 > usual + 0.25 * size
            if abs(size - body_size) > 0.1 * body_size:
                line.ends_paragraph = True
            elif line.short:
                line.ends_paragraph = True
            elif not line.column_end and (abs(nxt.size - size) > 0.1 * size or nxt.x0 > left + 0.8 * size
                                          or line.gap_after):
                line.ends_paragraph = True
        # the last line of a column continues on the next column or page unless it is short (set above)


def _attach_links(page: Page, lines: list[Line]) -> None:
    """Each address once, after the last line its link covers (a link wrapped over lines has a
    rectangle per line)."""
    rects: dict[str, list[tuple[float, float, float, float]]] = defaultdict(list)
    for rect, uri in page.links:
        rects[uri].append(rect)
    for uri, boxes in rects.items():
        hit = [l for l in lines if any(l.x0 < x1 and l.x1 > x0 and l.y0 < y1 - 1 and l.y1 > y0 + 1
                                       for x0, y0, x1, y1 in boxes)]
        if not hit:
            continue
        text = furniture.squeeze("".join(l.text for l in hit))
        if re.sub(r"\Ahttps?://", "", uri).rstrip("/") in text:
            continue  # the address is printed; the text carries it
        if uri not in hit[-1].links:
            hit[-1].links.append(uri)


def page_lines(page: Page, keys: set[tuple[str, int]], body_size: float) -> tuple[list[str], list[Line]]:
    """The page's furniture (as the importer expects it) and its lines in reading order."""
    furn, words = _split_furniture(page, keys)
    lines = _reading_order(words, page)
    _attach_links(page, lines)
    return _canonical_furniture(furn), _merge_display_lines(lines, body_size)


def _most_common(values) -> float | None:
    counts = Counter(values)
    return float(counts.most_common(1)[0][0]) if counts else None


def _em(pages: list[Page]) -> float:
    """The width of a CJK character in the body text: the median advance in runs of four or more Han."""
    advances = [(w.x1 - w.x0) / len(w.text) for page in pages for w in page.words
                if len(w.text) >= 4 and all("\u4e00" <= c <= "\u9fff" for c in w.text)]
    return statistics.median(advances) if advances else 10.0


def _body_size(pages: list[Page]) -> float:
    sizes = Counter()
    for page in pages:
        for w in page.words:
            sizes[round(w.size, 1)] += len(w.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _paragraphs_in_reading_order(lines: list[Line], body_size: float, em: float) -> None:
    """What one line and the next in reading order (across columns and pages) tell.

    A full line ending a sentence ends its paragraph when the next line starts a numbered item, or,
    at the foot of a column, when the next column starts indented. A short line's paragraph goes on
    when a word too wide for the rest of the line made it short ("59%，", "2,000余家", a quotation mark
    kept with its word: less than 4 em left, or less than a long Latin word): only in a document that
    indents its paragraphs, when the next line is right below, not indented, and the line does not end
    a sentence. (At the foot of a column a short line still ends its paragraph: a heading often follows.)"""
    body = [l for l in lines if abs(l.size - body_size) < 0.1 * body_size]
    starts = [b for a, b in zip(body, body[1:]) if a.ends_paragraph and not a.column_end]
    indenting = bool(starts) and sum(l.indented for l in starts) >= 0.6 * len(starts)
    for line, nxt in zip(body, body[1:]):
        sentence_end = line.text.rstrip()[-1:] in _SENTENCE_END
        if sentence_end and (_NUMBERED.match(nxt.text) or indenting and line.column_end and nxt.indented):
            line.ends_paragraph = True
    if not indenting:
        return
    for line, nxt in zip(body, body[1:]):
        if (line.short and not line.column_end and not line.gap_after and line.room < _first_word_em(nxt.text) * em
                and not nxt.indented
                and line.text.rstrip()[-1:] not in _SENTENCE_END and abs(line.size - nxt.size) < 0.1 * body_size
                and not _NUMBERED.match(nxt.text)):
            line.ends_paragraph = False


_NUMBERED = re.compile(r"[（(]?(\d{1,2}|[一二三四五六七八九十]{1,3}|[a-z])[）)．.、](?!\d)")  # the next item of a list
_SENTENCE_END = set("。！？；：!?;:…”’」』")


def _first_word_em(text: str) -> float:
    """About how wide (in em) the first unbreakable piece of a line is, plus the slack justification
    leaves: a run of Latin letters, digits and signs is ~0.6 em a character, with the CJK punctuation after it."""
    m = re.match(r"[!-~]+", text)
    return max(4.0, 0.6 * len(m.group()) + 1.5) if m else 4.0


def _titles_across_breaks(pages: list[list[Line]], body_size: float, edges: dict[str, tuple[float, float]]) -> None:
    """A title (set larger than the body) that a column or page break cut: its first part fills the
    column to the right edge, the next column starts in the same size. The parts become one line, where
    the title starts."""
    flat = [(page, line) for page in pages for line in page]
    merged: set[int] = set()
    for (page_a, a), (page_b, b) in zip(flat, flat[1:]):
        if id(a) in merged:
            continue
        broken = page_a is not page_b or b.column != a.column or b.y0 <= a.y0
        right = edges.get(a.column, (0, a.x1))[1]
        if (broken and _is_display(a, body_size) and abs(a.size - b.size) < 0.03 * a.size
                and a.words[-1].x1 > right - 2 * a.size):
            a.words.extend(b.words)
            a.links += b.links
            page_b.remove(b)
            merged.add(id(b))


def to_text(pages: list[Page]) -> str:
    """The text the importer reads: one line per printed line, a space ending a paragraph's last line,
    each page's furniture where the page starts, URL lines after the line they were linked from."""
    keys = _furniture_keys(pages)
    body_size = _body_size(pages)
    laid_out = [page_lines(page, keys, body_size) for page in pages]
    edges = column_edges([line for _, lines in laid_out for line in lines], body_size)
    _titles_across_breaks([lines for _, lines in laid_out], body_size, edges)
    for _, lines in laid_out:
        _mark_paragraph_ends(lines, body_size, edges)
    _paragraphs_in_reading_order([line for _, lines in laid_out for line in lines], body_size, _em(pages))
    out: list[str] = []
    notes: list[Line] = []  # footnotes from the foot of a page, held until the paragraph around them ends
    for furn, lines in laid_out:
        out += furn
        lines, foot = _foot_notes(lines, body_size)
        for line in lines:
            out.append(line.text + (" " if line.ends_paragraph else ""))
            out += line.links
            if line.ends_paragraph and notes:
                out += [note.text + " " for note in notes]
                notes.clear()
        notes += foot
        out.append("\f")
    out += [note.text + " " for note in notes]
    return "\n".join(out) + "\n"


def _foot_notes(lines: list[Line], body_size: float) -> tuple[list[Line], list[Line]]:
    """The footnotes at the foot of a page (smaller lines after the text, the first starting with its
    number) apart from the page's text: the paragraph the page break cut goes on without them."""
    start = len(lines)
    while start > 0 and lines[start - 1].size < 0.92 * body_size:
        start -= 1
    while start < len(lines) and not re.match(r"\[?\d{1,2}\]?", lines[start].text):
        start += 1
    foot = lines[start:]
    for note in foot:
        note.ends_paragraph = bool(re.match(r"\[?\d{1,2}\]?", note.text))  # joined again below
    merged: list[Line] = []
    for note in foot:  # a note wrapped over several lines is one line of text
        if merged and not re.match(r"\[\d{1,2}\]", note.text):
            merged[-1].words = merged[-1].words + note.words
        else:
            merged.append(note)
    return lines[:start], merged


def pdf_text(path: Path) -> str:
    """``to_text(read_pages(path))``; raises :class:`PdfError` with a message for the editor."""
    return to_text(read_pages(Path(path)))
