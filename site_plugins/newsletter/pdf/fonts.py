"""The fonts the PDF is set in: the Chinese (CJK) fonts fontconfig knows, handed to Typst by folder,
and DejaVu's folder when it is installed, for the symbols the CJK fonts lack (superscript digits, …).

Typst gets only these folders (no other system fonts, not its own Latin fonts), so what it can print is
exactly what these fonts cover: :func:`missing_characters` names any character none of them has
(Typst itself would print an empty box without a word). The families the template asks for are
named at the top of templates/pdf/issue.typ; one that is not installed is reported by Typst and
turned into :func:`unknown_family_message`.
"""

from __future__ import annotations

import bisect
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FALLBACK = ":family=DejaVu Sans"  # fontconfig pattern of the fallback fonts (Debian: fonts-dejavu-core)
INSTALL_HINT = ("install one (Debian/Ubuntu: apt-get install fonts-noto-cjk; "
                "other systems: the Noto CJK fonts from your package manager), then run again")


class FontProblem(Exception):
    """No usable Chinese font: the same for every issue, said once."""


@dataclass(frozen=True)
class FontSet:
    folders: tuple[str, ...]  # what Typst searches
    families: tuple[str, ...]
    ranges: tuple[tuple[int, int], ...]  # merged code point ranges the fonts cover, sorted

    @property
    def described(self) -> str:
        return f"the fonts in {', '.join(self.folders)}"

    def covers(self, char: str) -> bool:
        code = ord(char)
        i = bisect.bisect_right(self.ranges, (code, float("inf"))) - 1
        return i >= 0 and self.ranges[i][0] <= code <= self.ranges[i][1]


def _parse_charset(text: str) -> list[tuple[int, int]]:
    ranges = []
    for part in text.split():
        low, _, high = part.partition("-")
        ranges.append((int(low, 16), int(high or low, 16)))
    return ranges


def _merge(ranges: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[list[int]] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    return tuple((low, high) for low, high in merged)


@lru_cache(maxsize=1)
def cjk_fonts() -> FontSet:
    """The installed fonts that cover Simplified Chinese; raises :class:`FontProblem` when there is none."""
    if shutil.which("fc-list") is None:
        raise FontProblem(f"PDF: cannot look for a Chinese font: fontconfig's fc-list is missing; {INSTALL_HINT}")
    faces = _faces(":lang=zh-cn")
    if not faces:
        raise FontProblem("PDF: no Chinese (CJK) font found; the PDF would show empty boxes instead of text. "
                          f"To fix it, {INSTALL_HINT}")
    folders = sorted({str(Path(file).parent) for file, _, _ in faces + _faces(FALLBACK)})
    # Typst reads every font in these folders: count all their characters.
    faces = [face for face in _faces() if str(Path(face[0]).parent) in folders]
    ranges = [r for _, _, charset in faces for r in _parse_charset(charset)]
    return FontSet(tuple(folders), tuple(sorted({family for _, family, _ in faces})), _merge(ranges))


def _faces(pattern: str = "") -> list[list[str]]:
    """(file, family, charset) of each font face fontconfig lists for ``pattern``."""
    listing = subprocess.run(["fc-list", "--format", "%{file}|%{family[0]}|%{charset}\n"] + ([pattern] if pattern else []),
                             capture_output=True, text=True).stdout
    return [line.split("|", 2) for line in listing.splitlines() if line.count("|") >= 2]


def unknown_family_message(family: str, template: str) -> str:
    return (f"PDF: the font family '{family}' named in {template} is not installed "
            f"(installed Chinese fonts: {', '.join(cjk_fonts().families)}); {INSTALL_HINT}, "
            f"or name an installed family at the top of {template}")


def missing_characters(text: str, fonts: FontSet) -> list[str]:
    """Characters of ``text`` that none of the fonts has, in order of first appearance."""
    return [c for c in dict.fromkeys(text) if not c.isspace() and not fonts.covers(c)]
