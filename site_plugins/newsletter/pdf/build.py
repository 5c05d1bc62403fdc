"""Write issue PDFs where the site and the CLI want them: unchanged ones from the cache, the others
typeset in parallel worker processes (one per core), which write into the cache. The site build starts
them early (:func:`start_rendering`), so the PDFs are typeset while MkDocs renders the pages.

A PDF is reused from the cache (``.cache/pdf/`` in the project) when its key is unchanged: the
issue as loaded (front matter and Markdown of every published article), the other files in its
folder (images), the print template, the fonts, and the code and Typst version that render it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from ..model import Catalog, Issue
from ..problems import Problem
from . import pdf_filename
from .typeset import MissingFontError, PdfError, PdfJob, typeset
from .workers import Batch, Failure, run_all

CACHE_DIR = ".cache/pdf"
_CODE = [Path(__file__).parent / name for name in ("blocks.py", "document.py", "fonts.py", "typeset.py")] + \
        [Path(__file__).parent.parent / "markup.py"]


@dataclass(frozen=True)
class PdfSetup:
    root: Path
    templates_dir: Path
    timeout: float
    use_cache: bool = True
    workers: int | None = None  # default: one per core

    @property
    def cache_dir(self) -> Path:
        return self.root / CACHE_DIR


@dataclass
class PdfReport:
    rendered: list[Path] = field(default_factory=list)
    reused: list[Path] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def _files_digest(digest, files) -> None:
    for path in sorted(files):
        if path.is_file():
            digest.update(path.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")


def _fonts_digest(digest) -> None:
    from .fonts import FontProblem, cjk_fonts

    try:
        folders = cjk_fonts().folders
    except FontProblem:
        return
    for folder in folders:
        for font in sorted(Path(folder).iterdir()):
            stat = font.stat()
            digest.update(f"{font}|{stat.st_size}|{stat.st_mtime_ns}\0".encode())


def cache_key(issue: Issue, catalog: Catalog, setup: PdfSetup) -> str:
    digest = hashlib.sha256()
    digest.update(repr((issue, catalog.settings.sections, catalog.settings.allow_raw_html)).encode())
    digest.update(version("typst").encode())
    _files_digest(digest, [p for p in (setup.root / issue.path).rglob("*")])
    _files_digest(digest, (setup.templates_dir / "pdf").rglob("*"))
    _files_digest(digest, _CODE)
    _fonts_digest(digest)
    return digest.hexdigest()[:24]


@dataclass(frozen=True)
class _Task:
    job: PdfJob
    path: Path  # where the worker writes the PDF (in the cache, or a scratch folder)


def _render_to_file(task: _Task) -> tuple[Problem, ...]:
    """In a worker: typeset, write the PDF (by rename, so a reader never sees half a file) and its warnings."""
    result = typeset(task.job)
    task.path.parent.mkdir(parents=True, exist_ok=True)
    for stale in task.path.parent.glob(f"{task.job.issue.number:03d}-*"):
        stale.unlink(missing_ok=True)
    partial = task.path.with_suffix(f".{os.getpid()}.partial")
    partial.write_bytes(result.pdf)
    _warnings_file(task.path).write_text(json.dumps([dataclasses.astuple(w) for w in result.warnings],
                                                    ensure_ascii=False), encoding="utf-8")
    partial.replace(task.path)
    return result.warnings


def _warnings_file(pdf: Path) -> Path:
    return pdf.with_suffix(".warnings.json")


def _cached_warnings(pdf: Path) -> list[Problem]:
    try:
        return [Problem(*row) for row in json.loads(_warnings_file(pdf).read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError):
        return []


def start_rendering(catalog: Catalog, setup: PdfSetup) -> Batch | None:
    """Start typesetting, in the background, every issue whose PDF is not in the cache yet (the site build
    calls this before it renders pages; :func:`write_pdfs` then finds them in the cache)."""
    if not setup.use_cache:
        return None
    tasks = [_Task(PdfJob(issue, catalog, setup.root, setup.templates_dir), path) for issue in catalog.issues
             if not (path := _cache_path(issue, catalog, setup)).is_file()]
    return Batch(tasks, _render_to_file, setup.workers) if tasks else None


def finish_rendering(batch: Batch | None, setup: PdfSetup) -> int:
    """Wait for :func:`start_rendering`'s PDFs; how many were made (a failure is left for :func:`write_pdfs`
    to report)."""
    if batch is None:
        return 0
    results = batch.finish(setup.timeout, lambda task: _timeout_message(task.job, setup.timeout))
    return sum(not isinstance(r, Failure) for r in results)


def in_cache(issue: Issue, catalog: Catalog, setup: PdfSetup) -> bool:
    """Whether the issue's PDF as it is now is in the cache (writing it is then a copy)."""
    return setup.use_cache and _cache_path(issue, catalog, setup).is_file()


def _cache_path(issue: Issue, catalog: Catalog, setup: PdfSetup) -> Path:
    return setup.cache_dir / f"{issue.number:03d}-{cache_key(issue, catalog, setup)}.pdf"


def write_pdfs(catalog: Catalog, setup: PdfSetup, targets: list[tuple[Issue, Path]]) -> PdfReport:
    """Write every target; problems of all issues are collected and raised together as one PdfError."""
    report, pending = PdfReport(), []
    for issue, target in targets:
        cached = _cache_path(issue, catalog, setup)
        if setup.use_cache and cached.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(cached, target)
            report.reused.append(target)
            report.warnings.extend(_cached_warnings(cached))
        else:
            pending.append((issue, target, cached))
    with tempfile.TemporaryDirectory(prefix="newsletter-pdf-") as scratch:
        tasks = [_Task(PdfJob(issue, catalog, setup.root, setup.templates_dir),
                       cached if setup.use_cache else Path(scratch) / cached.name) for issue, _, cached in pending]
        results = run_all(tasks, _render_to_file, setup.timeout, lambda task: _timeout_message(task.job, setup.timeout),
                          setup.workers)
        messages = []
        for (issue, target, _), task, result in zip(pending, tasks, results):
            if isinstance(result, Failure):
                if result.kind == MissingFontError.__name__:
                    raise MissingFontError(result.message)  # the same for every issue: say it once
                messages.append(result.message)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(task.path, target)
            report.rendered.append(target)
            report.warnings.extend(result)
    if messages:
        raise PdfError("\n".join(messages))
    return report


def _timeout_message(job: PdfJob, timeout: float) -> str:
    return (f"{job.issue.path}: pdf: rendering took longer than {timeout:g} s "
            "(plugin option pdf: timeout in mkdocs.yml, or --timeout)")


def site_targets(catalog: Catalog, site_dir: Path) -> list[tuple[Issue, Path]]:
    """Each issue's PDF next to its issue page in the built site."""
    return [(issue, site_dir / issue.url / pdf_filename(issue)) for issue in catalog.issues]
