"""Typeset one issue with Typst: the issue as data (document.py) + templates/pdf/issue.typ -> PDF bytes.

Runs inside a worker process (workers.py); each process keeps one Typst compiler, so the fonts are
loaded once per process, not once per issue. Typst's root is the project: the template and the images
are read from there and nothing outside it can be. Every failure is a :class:`PdfError` whose text is
for editors (file, line, what to do), never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..model import Catalog, Issue
from ..problems import Problem, errors, format_problems
from . import fonts
from .document import IssueDocument, issue_document

TEMPLATE = "pdf/issue.typ"


class PdfError(Exception):
    """The PDF could not be made; ``str()`` is the message for the user."""


class MissingFontError(PdfError):
    """No usable Chinese font: every issue would fail the same way."""


@dataclass(frozen=True)
class PdfJob:
    issue: Issue
    catalog: Catalog
    root: Path  # the project folder: Typst's root, the only place files are read from
    templates_dir: Path

    @property
    def template(self) -> Path:
        return self.templates_dir / TEMPLATE


@dataclass(frozen=True)
class Typeset:
    pdf: bytes
    warnings: tuple[Problem, ...]


_compilers: dict[tuple, object] = {}  # per process: one compiler (and its fonts) per root and template


def _compiler(root: Path, template: Path, font_set: fonts.FontSet):
    import typst

    key = (root, template, font_set.folders)
    if key not in _compilers:
        typst_fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False,
                                  font_paths=list(font_set.folders))
        _compilers[key] = typst.Compiler(input=str(template), root=str(root), font_paths=typst_fonts)
    return _compilers[key]


def typeset(job: PdfJob) -> Typeset:
    """The PDF of ``job.issue``; raises :class:`PdfError` (:class:`MissingFontError` for fonts)."""
    import typst

    try:
        font_set = fonts.cjk_fonts()
    except fonts.FontProblem as exc:
        raise MissingFontError(str(exc)) from None
    root, template = job.root.resolve(), job.template.resolve()
    template_name = _shown(template, root)
    if not template.is_file():
        raise PdfError(f"{template_name}: pdf: the print template is missing")
    if not template.is_relative_to(root):
        raise PdfError(f"{template_name}: pdf: the print template must lie inside the project ({root})")
    document = issue_document(job.issue, job.catalog, root)
    if errors(document.problems):
        raise PdfError(format_problems(document.problems))
    try:
        pdf, typst_warnings = _compiler(root, template, font_set).compile_with_warnings(
            format="pdf", sys_inputs={"issue": document.json()}, pdf_tags=True)
    except typst.TypstError as exc:
        where = (exc.diagnostic or "").strip().splitlines()
        raise PdfError(f"{template_name}: pdf: Typst could not lay out issue {job.issue.number}: {exc.message}"
                       + (f"\n{where[1].strip()}" if len(where) > 1 else "")) from None
    warnings = list(document.problems) + glyph_warnings(document, font_set, root)
    for warning in typst_warnings:
        family = warning.message.partition("unknown font family: ")[2]
        if family:
            raise MissingFontError(fonts.unknown_family_message(family, template_name))
        warnings.append(Problem(template_name, 1, "pdf", f"Typst: {warning.message}", "warning"))
    return Typeset(pdf, tuple(warnings))


def _shown(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


# ---------------------------------------------------------------- characters no font has

def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, v in value.items() if key not in ("t", "src", "url", "path") for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def glyph_warnings(document: IssueDocument, font_set: fonts.FontSet, root: Path) -> list[Problem]:
    """A warning for each character that no font has, naming the article (or issue.yml) and its line."""
    data = document.data
    owners = [(document.issue_file, {k: v for k, v in data.items() if k in ("masthead", "publisher", "period", "note")})]
    owners += [(article["path"], article) for section in data["sections"] for article in section["articles"]]
    found = []
    for path, value in owners:
        missing = fonts.missing_characters("".join(_strings(value)), font_set)
        if not missing:
            continue
        try:
            lines = (root / path).read_text(encoding="utf-8").splitlines()
        except OSError:
            lines = []
        for char in missing:
            line = next((n for n, text in enumerate(lines, start=1) if char in text), 1)
            found.append(Problem(path, line, "pdf", f"the character '{char}' (U+{ord(char):04X}) is in none of the "
                                 f"PDF's fonts ({font_set.described}): it prints as an empty box; "
                                 "install a font that has it or write the text differently", "warning"))
    return found
