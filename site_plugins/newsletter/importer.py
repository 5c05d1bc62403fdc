"""``newsletter import FILE... --out issues/``: printed issues (PDF or extracted text) into issue folders.

Each file is read (``pdftext`` for a PDF), parsed (``legacy.parse_printed_issue``), written all or
nothing (``legacy.write_issue``: a temporary folder beside the target, renamed into place) and then
loaded back by the same loader as ``newsletter check`` (``content.load_issue``), whose problems are
printed with their ``path:line``. A file that fails leaves no folder and does not stop the others; the
summary table lists every file. This module is the only one of the importer's that prints.
"""

from __future__ import annotations

import os
import re
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from . import content, legacy, pdftext, vocabulary
from .legacy import char_width
from .model import Settings
from .problems import Problem


@dataclass(frozen=True)
class ImportResult:
    file: str
    number: int | None = None
    folder: str | None = None
    articles_per_section: dict[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()  # the reader's, then the check's, as printed
    error: str | None = None


def read_printed(path: Path) -> tuple[str | None, str | None]:
    """The text of a printed issue (a PDF or its extracted text), or an error message."""
    if is_pdf(path):
        if not path.is_file():
            return None, f"{path}: cannot be read: no such file"
        try:
            return pdftext.pdf_text(path), None
        except pdftext.PdfError as exc:
            return None, f"{path}: {exc}"
    return read_seed(path)


def is_pdf(path: Path) -> bool:
    if path.suffix.lower() == ".pdf":
        return True
    try:
        with open(path, "rb") as handle:
            return handle.read(5) == b"%PDF-"
    except OSError:
        return False


def read_seed(path: Path) -> tuple[str | None, str | None]:
    """The text of an extracted-text file, or an error message (never an exception)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        return None, f"{path}: cannot be read: {exc.strerror or exc}"
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        hint = "save it as UTF-8"
        try:
            raw.decode("gb18030")
            hint = f"it looks like GBK; convert it with: iconv -f GBK -t UTF-8 '{path}' -o '{path}.utf8'"
        except UnicodeDecodeError:
            pass
        return None, f"{path}:{line}: file is not UTF-8; {hint}"


def _where(text: str, is_pdf: bool):
    """Turn the parser's 'line N: …' into 'page P: …' for a PDF (its text lines are nobody's to see)."""
    if not is_pdf:
        return lambda warning: warning
    page_of_line = []
    page = 1
    for line in text.replace("\r\n", "\n").split("\n"):
        page_of_line.append(page)
        page += line.count("\f")

    def where(warning: str) -> str:
        m = re.match(r"line (\d+): ", warning)
        if not m:
            return warning
        number = int(m.group(1))
        return f"page {page_of_line[min(number, len(page_of_line)) - 1]}: {warning[m.end():]}"

    return where


@dataclass(frozen=True)
class ReadIssue:
    """A printed issue read and parsed, not yet written (what a worker process hands back)."""

    file: str
    imported: legacy.ImportedIssue | None = None
    warnings: tuple[str, ...] = ()
    error: str | None = None


def read_issue(path: Path, number: int | None, sections) -> ReadIssue:
    """Read and parse one printed issue; never raises for bad input."""
    name = str(path)
    text, error = read_printed(path)
    if error:
        return ReadIssue(name, error=error)
    if is_pdf(path) and not text.strip():
        return ReadIssue(name, error=f"{name}: the PDF has no text, only images (a scan?); "
                                     "give it a text layer with OCR first (e.g. ocrmypdf -l chi_sim)")
    imported = legacy.parse_printed_issue(text, number=number, sections=sections)
    where = _where(text, is_pdf(path))
    warnings = tuple(where(w) for w in imported.warnings)
    if not imported.articles:
        return ReadIssue(name, imported, warnings,
                         f"{name}: no articles found (no 发布日期/发布时间 lines); is this a printed issue?")
    if imported.number is None:
        return ReadIssue(name, imported, warnings, f"{name}: no issue number (no running header 总第 N 期); pass --number")
    return ReadIssue(name, imported, warnings)


def write_and_check(read: ReadIssue, out: Path, settings: Settings, root: Path, *, force: bool = False,
                    taken: dict[int, str] | None = None) -> ImportResult:
    """Write one read issue all or nothing into its folder, then check what was written."""
    name, imported, warnings = read.file, read.imported, read.warnings
    if read.error:
        return ImportResult(name, imported.number if imported else None, warnings=warnings, error=read.error)
    dest = out if content.ISSUE_FOLDER.match(out.name) else out / f"{imported.number:03d}"
    if taken is not None and imported.number in taken:
        return ImportResult(name, imported.number, warnings=warnings,
                            error=f"{name}: issue {imported.number} is also {taken[imported.number]} in this import")
    try:
        legacy.write_issue(imported, dest, overwrite=force)
    except FileExistsError:
        return ImportResult(name, imported.number, warnings=warnings,
                            error=f"{dest}: already holds files; nothing was overwritten (--force replaces it)")
    except (OSError, ValueError) as exc:
        return ImportResult(name, imported.number, warnings=warnings, error=f"{dest}: cannot write the issue: {exc}")
    if taken is not None:
        taken[imported.number] = name
    problems = check_written(dest, settings, root)
    counts: dict[str, int] = {}
    for article in imported.articles:
        key = article.front_matter.get("section") or "?"
        counts[key] = counts.get(key, 0) + 1
    return ImportResult(name, imported.number, _relative(dest, root), counts, warnings + tuple(str(p) for p in problems))


def import_one(path: Path, out: Path, settings: Settings, root: Path, *, number: int | None = None,
               force: bool = False, taken: dict[int, str] | None = None) -> ImportResult:
    """Read, parse, write and check one printed issue; never raises for bad input."""
    return write_and_check(read_issue(path, number, settings.sections), out, settings, root, force=force, taken=taken)


def read_issues(paths: Sequence[Path], number: int | None, sections) -> list[ReadIssue]:
    """Read a batch on every core (reading and parsing are independent; writing stays in order, here)."""
    workers = min(len(paths), os.cpu_count() or 1)
    if workers < 2:
        return [read_issue(path, number, sections) for path in paths]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(read_issue, paths, [number] * len(paths), [sections] * len(paths)))


def _relative(path: Path, root: Path) -> str:
    try:
        return Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()
    except ValueError:  # another drive
        return path.as_posix()


def check_written(folder: Path, settings: Settings, root: Path) -> list[Problem]:
    """What ``newsletter check`` says about an issue folder (its errors and warnings)."""
    tags, _ = vocabulary.load(root / settings.tags_file, settings.tags_file, settings)
    _, problems = content.load_issue(folder, _relative(folder, root), settings, tags)
    return sorted(problems)


# ---------------------------------------------------------------- the command

def summary_table(results: Sequence[ImportResult], settings: Settings) -> str:
    """file, issue, articles per section, warnings: one row per file (a failed file says why)."""
    keys = [s.key for s in settings.sections]
    keys += sorted({k for r in results for k in r.articles_per_section} - set(keys))
    head = ["file", "issue"] + keys + ["warnings"]
    rows = [[r.file, str(r.number or "-")] + [str(r.articles_per_section.get(k, 0)) for k in keys] + [str(len(r.warnings))]
            for r in results if not r.error]
    widths = [max(char_width(row[i]) for row in [head] + rows) for i in range(len(head))]
    widths[:2] = [max([widths[i]] + [char_width(str(r.number or "-") if i else r.file) for r in results]) for i in (0, 1)]
    lines = []
    for r, row in zip([None] + list(results), [head] + [None] * len(results)):
        if row is None and r.error:
            row = [r.file, str(r.number or "-"), "failed: " + r.error.removeprefix(r.file + ": ")]
        else:
            row = row or rows.pop(0)
        lines.append("  ".join(_pad(cell, width) for cell, width in zip(row, widths + [0])).rstrip())
    return "\n".join(lines)


def _pad(text: str, width: int) -> str:
    """Left-aligned in ``width`` terminal columns (a CJK character takes two)."""
    return text + " " * (width - char_width(text))


def import_command(files: Sequence[str], out: str, settings: Settings, root: Path, *,
                   number: int | None = None, force: bool = False) -> int:
    """Import every file, print warnings (stderr) and the summary table (stdout); exit code 1 if any failed."""
    if number is not None and len(files) > 1:
        print("error: --number applies to one file; each file of a batch is numbered from its running header",
              file=sys.stderr)
        return 2
    taken: dict[int, str] = {}
    results = []
    for read in read_issues([Path(name) for name in files], number, settings.sections):
        name = read.file
        result = write_and_check(read, Path(out), settings, root, force=force, taken=taken)
        for warning in result.warnings:
            print(warning if re.match(r"\S+:\d+: ", warning) else f"{name}: warning: {warning}", file=sys.stderr)
        if result.error:
            print(f"error: {result.error}", file=sys.stderr)
        results.append(result)
    print(summary_table(results, settings))
    failed = sum(1 for r in results if r.error)
    written = [r.folder for r in results if r.folder]
    print(f"{len(written)} issue(s) imported" + (f" into {', '.join(written)}" if written else "")
          + (f"; {failed} file(s) failed" if failed else ""))
    return 1 if failed else 0
