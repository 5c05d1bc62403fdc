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
