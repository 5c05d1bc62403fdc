"""What the live preview does after a rebuild has been served: the PDFs of edited issues are rendered
in a background thread, and each replaces the issue's previous PDF (one rename) when it is ready, so
the page reloads at once and the PDF link serves the previous PDF until then. No MkDocs here.

Each PDF carries the digest of what it was made from (see the plugin's ``_pdf_digest``). A rebuild
says which digest it wants for each PDF (:meth:`PdfQueue.want`); a render whose digest is no longer
wanted when it ends (the editor saved again meanwhile) is dropped, and the newer one is rendered next.
"""

from __future__ import annotations

import logging
import os
import queue
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .model import Catalog, Issue

log = logging.getLogger("mkdocs.plugins.newsletter")


@dataclass(frozen=True)
class PdfJob:
    catalog: Catalog
    issue: Issue
    target: Path  # where the served site has the issue's PDF
    digest: str
    workdir: Path  # beside the site, on its file system: where the PDF is made before the rename


class PdfQueue:
    """One worker thread; ``render(catalog, issue, path)`` writes a PDF file (pdf/build.py)."""

    def __init__(self, render: Callable[[Catalog, Issue, Path], None]):
        self.render = render
        self.jobs: queue.Queue[PdfJob | None] = queue.Queue()
        self.lock = threading.Lock()
        self.wanted: dict[Path, str] = {}  # target -> digest the latest rebuild wants there
        self.placed: dict[Path, str] = {}  # target -> digest of the file that is there now
        self.thread: threading.Thread | None = None

    def current(self, target: Path) -> str | None:
        """Digest of the PDF the site has at ``target`` (None: unknown, or none)."""
        with self.lock:
            return self.placed.get(target) if target.is_file() else None

    def set_current(self, target: Path, digest: str) -> None:
        """A rebuild wrote ``target`` itself."""
        with self.lock:
            self.placed[target] = self.wanted[target] = digest

    def want(self, job: PdfJob) -> None:
        with self.lock:
            if self.wanted.get(job.target) == job.digest:
                return  # already queued
            self.wanted[job.target] = job.digest
        self.jobs.put(job)
        if self.thread is None:
            self.thread = threading.Thread(target=self._work, name="newsletter-pdf", daemon=True)
            self.thread.start()

    def busy(self) -> bool:
        with self.lock:
            return any(self.placed.get(t) != d for t, d in self.wanted.items())

    def stop(self) -> None:
        if self.thread is not None:
            self.jobs.put(None)

    def _work(self) -> None:
        while (job := self.jobs.get()) is not None:
            with self.lock:
                if self.wanted.get(job.target) != job.digest:
                    continue  # superseded by a later save
            folder = Path(tempfile.mkdtemp(prefix=".newsletter-pdf-", dir=job.workdir))
            try:
                made = folder / job.target.name
                self.render(job.catalog, job.issue, made)
                with self.lock:
                    if self.wanted.get(job.target) != job.digest or not job.target.parent.is_dir():
                        continue
                    os.replace(made, job.target)
                    self.placed[job.target] = job.digest
                log.info(f"PDF of {job.issue.label} updated in the preview: {job.target.name}")
            except Exception as exc:  # the preview keeps the previous PDF; the editor sees why in the log
                log.error(f"PDF of {job.issue.label} failed; the preview keeps the previous one: {exc}")
            finally:
                shutil.rmtree(folder, ignore_errors=True)
