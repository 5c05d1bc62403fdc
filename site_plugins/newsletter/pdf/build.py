"""Write issue PDFs where the site and the CLI want them: unchanged ones from the cache, the others
typeset in parallel worker processes (one per core).

A PDF is reused from the cache (``.cache/pdf/`` in the project) when its key is unchanged: the
issue as loaded (front matter and Markdown of every published article), the other files in its
folder (images), the print template, the fonts, and the code and Typst version that render it.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from ..model import Catalog, Issue
from ..problems import Problem
from . import pdf_filename
from .typeset import MissingFontError, PdfError, PdfJob, typeset
from .workers import Failure, run_all

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


def write_pdfs(catalog: Catalog, setup: PdfSetup, targets: list[tuple[Issue, Path]]) -> PdfReport:
    """Write every target; problems of all issues are collected and raised together as one PdfError."""
    report, pending = PdfReport(), []
    for issue, target in targets:
        cached = setup.cache_dir / f"{issue.number:03d}-{cache_key(issue, catalog, setup)}.pdf"
        if setup.use_cache and cached.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(cached, target)
            report.reused.append(target)
        else:
            pending.append((issue, target, cached))
    jobs = [PdfJob(issue, catalog, setup.root, setup.templates_dir) for issue, _, _ in pending]
    results = run_all(jobs, typeset, setup.timeout, lambda job: _timeout_message(job, setup.timeout), setup.workers)
    messages = []
    for (issue, target, cached), result in zip(pending, results):
        if isinstance(result, Failure):
            if result.kind == MissingFontError.__name__:
                raise MissingFontError(result.message)  # the same for every issue: say it once
            messages.append(result.message)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(result.pdf)
        report.rendered.append(target)
        report.warnings.extend(result.warnings)
        if setup.use_cache:
            _store(setup.cache_dir, issue, cached, result.pdf)
    if messages:
        raise PdfError("\n".join(messages))
    return report


def _store(cache_dir: Path, issue: Issue, cached: Path, pdf: bytes) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    for stale in cache_dir.glob(f"{issue.number:03d}-*.pdf"):
        stale.unlink()
    cached.write_bytes(pdf)


def _timeout_message(job: PdfJob, timeout: float) -> str:
    return (f"{job.issue.path}: pdf: rendering took longer than {timeout:g} s "
            "(plugin option pdf: timeout in mkdocs.yml, or --timeout)")


def site_targets(catalog: Catalog, site_dir: Path) -> list[tuple[Issue, Path]]:
    """Each issue's PDF next to its issue page in the built site."""
    return [(issue, site_dir / issue.url / pdf_filename(issue)) for issue in catalog.issues]
