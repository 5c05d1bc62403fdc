"""Read a PDF back the way a reader's tools do: poppler's pdftotext/pdffonts and pypdf."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pypdf import PdfReader


def squeeze(text: str) -> str:
    """Text without any whitespace: pdftotext breaks Chinese lines anywhere."""
    return re.sub(r"\s+", "", text)


@dataclass(frozen=True)
class Bookmark:
    title: str
    page: int  # 1-based
    children: tuple["Bookmark", ...] = ()


class ReadPdf:
    def __init__(self, path: Path):
        self.path = path
        self.reader = PdfReader(str(path))

    @cached_property
    def pages(self) -> list[str]:
        """Text of each page (index 0 is page 1), in reading order."""
        out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(self.path), "-"], capture_output=True, text=True,
                             check=True).stdout
        return out.split("\f")[: len(self.reader.pages)]

    @cached_property
    def bookmarks(self) -> list[Bookmark]:
        def walk(items) -> list[Bookmark]:
            marks: list[Bookmark] = []
            for item in items:
                if isinstance(item, list):
                    last = marks.pop()
                    marks.append(Bookmark(last.title, last.page, tuple(walk(item))))
                else:
                    marks.append(Bookmark(item.title, self.reader.get_destination_page_number(item) + 1))
            return marks

        return walk(self.reader.outline)

    def fonts(self) -> list[dict[str, str]]:
        """pdffonts rows: name, type, emb."""
        lines = subprocess.run(["pdffonts", str(self.path)], capture_output=True, text=True, check=True).stdout.splitlines()
        rows = []
        for line in lines[2:]:
            parts = line.split()
            # name type... encoding emb sub uni object ID
            rows.append({"name": parts[0], "emb": parts[-5], "line": line})
        return rows

    def contents_numbers(self, last_contents_page: int) -> list[int]:
        """Page numbers printed at the end of the contents lines (after the dot leaders), in order."""
        layout = subprocess.run(["pdftotext", "-layout", "-l", str(last_contents_page), "-enc", "UTF-8", str(self.path),
                                 "-"], capture_output=True, text=True, check=True).stdout
        contents = layout[re.search(r"目\s*录", layout).end():]
        return [int(n) for n in re.findall(r"\S\s+(\d+)\s*$", contents, flags=re.M)]

    def image_count(self) -> int:
        """Distinct image objects (pages may share one resource dictionary)."""
        images = set()
        for page in self.reader.pages:
            resources = page.get("/Resources") or {}
            xobjects = resources.get("/XObject") or {}
            images |= {x.idnum for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image"}
        return len(images)

    def attachments(self) -> dict:
        return dict(self.reader.attachments)

    def annotation_kinds(self) -> set[str]:
        kinds = set()
        for page in self.reader.pages:
            for annot in page.get("/Annots") or []:
                kinds.add(str(annot.get_object().get("/Subtype")))
        return kinds

    def lines(self, page: int) -> list[tuple[str, float, float]]:
        """(text, top, bottom) of each text line of a page (1-based), y growing downwards, from poppler's
        bounding boxes."""
        from html import unescape

        xml = subprocess.run(["pdftotext", "-bbox-layout", "-f", str(page), "-l", str(page), "-enc", "UTF-8",
                              str(self.path), "-"], capture_output=True, text=True, check=True).stdout
        found = []
        for attrs, body in re.findall(r"<line ([^>]*)>(.*?)</line>", xml, flags=re.S):
            box = dict(re.findall(r'(\w+)="([^"]*)"', attrs))
            words = re.findall(r"<word[^>]*>(.*?)</word>", body, flags=re.S)
            found.append((unescape("".join(words)), float(box["yMin"]), float(box["yMax"])))
        return found

    def page_height(self, page: int) -> float:
        return float(self.reader.pages[page - 1].mediabox.height)

    def link_targets(self, page: int) -> list[tuple[int, float]]:
        """(target page, vertical middle from the top) of each internal link on a page (pages 1-based)."""
        numbers = {p.indirect_reference.idnum: n for n, p in enumerate(self.reader.pages, start=1)}
        targets = []
        for annot in self.reader.pages[page - 1].get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            dest = annot.get("/Dest") or (annot.get("/A") or {}).get("/D")
            if dest is None:
                continue
            dest = dest.get_object()
            if not isinstance(dest, list):  # a named destination
                dest = self.reader.named_destinations[str(dest)]
                target = self.reader.get_destination_page_number(dest) + 1
            else:
                target = numbers[dest[0].idnum]
            rect = [float(v) for v in annot["/Rect"]]
            targets.append((target, self.page_height(page) - (rect[1] + rect[3]) / 2))
        return targets
