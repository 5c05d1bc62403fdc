"""Write issue PDFs where the site and the CLI want them, re-rendering only what changed.

A PDF is reused from the cache (``.cache/pdf/`` in the project) when its key is unchanged: the
issue as loaded (front matter and Markdown of every published article), the other files in its
folder (images), the print templates, and the code and WeasyPrint version that render it.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Catalog, Issue
from . import pdf_filename

CACHE_DIR = ".cache/pdf"
_CODE = [Path(__file__).parent / name for name in ("document.py", "fetcher.py", "writer.py")] + \
        [Path(__file__).parent.parent / "markup.py"]


@dataclass(frozen=True)
class PdfSetup:
    root: Path
    templates_dir: Path
    timeout: float
    extra_roots: tuple[Path, ...] = ()
    use_cache: bool = True

    @property
    def cache_dir(self) -> Path:
        return self.root / CACHE_DIR


@dataclass
class PdfReport:
    rendered: list[Path] = field(default_factory=list)
    reused: list[Path] = field(default_factory=list)


def _files_digest(digest, files) -> None:
    for path in sorted(files):
        if path.is_file():
            digest.update(path.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")


def cache_key(issue: Issue, catalog: Catalog, setup: PdfSetup) -> str:
    import weasyprint

    digest = hashlib.sha256()
    digest.update(repr((issue, catalog.settings.sections, catalog.settings.allow_raw_html)).encode())
    digest.update(weasyprint.__version__.encode())
    _files_digest(digest, [p for p in (setup.root / issue.path).rglob("*")])
    _files_digest(digest, (setup.templates_dir / "pdf").rglob("*"))
    _files_digest(digest, _CODE)
    return digest.hexdigest()[:24]


def write_issue_pdf(issue: Issue, catalog: Catalog, setup: PdfSetup, target: Path) -> bool:
    """Write the PDF of ``issue`` to ``target``; True if it was rendered, False if taken from the cache."""
    from .writer import PdfJob, render_pdf

    target.parent.mkdir(parents=True, exist_ok=True)
    key = cache_key(issue, catalog, setup) if setup.use_cache else ""
    cached = setup.cache_dir / f"{issue.number:03d}-{key}.pdf"
    if setup.use_cache and cached.is_file():
        shutil.copyfile(cached, target)
        return False
    data = render_pdf(PdfJob(issue, catalog, setup.root, setup.templates_dir, setup.extra_roots), setup.timeout)
    target.write_bytes(data)
    if setup.use_cache:
        setup.cache_dir.mkdir(parents=True, exist_ok=True)
        for stale in setup.cache_dir.glob(f"{issue.number:03d}-*.pdf"):
            stale.unlink()
        shutil.copyfile(target, cached)
    return True


def write_pdfs(catalog: Catalog, setup: PdfSetup, targets: list[tuple[Issue, Path]]) -> PdfReport:
    """Write every target; problems of all issues are collected and raised together as one PdfError."""
    from .writer import MissingFontError, PdfError

    report, messages = PdfReport(), []
    for issue, target in targets:
        try:
            rendered = write_issue_pdf(issue, catalog, setup, target)
        except MissingFontError:
            raise  # the same for every issue: say it once
        except PdfError as exc:
            messages.append(str(exc))
            continue
        (report.rendered if rendered else report.reused).append(target)
    if messages:
        raise PdfError("\n".join(messages))
    return report


def site_targets(catalog: Catalog, site_dir: Path) -> list[tuple[Issue, Path]]:
    """Each issue's PDF next to its issue page in the built site."""
    return [(issue, site_dir / issue.url / pdf_filename(issue)) for issue in catalog.issues]
