"""What the live preview does after a rebuild has been served: the PDFs of edited issues are rendered
in a background thread, and each replaces the issue's previous PDF (one rename) when it is ready, so
the page reloads at once and the PDF link serves the previous PDF until then. No MkDocs here.

The PDFs wait until the preview has been idle for :data:`IDLE_SECONDS` (no rebuild running or just
finished) and are typeset at the lowest CPU priority, a few issues at a time: a save that comes while
one is being typeset is not slowed down by it (the machine's cores go to the rebuild first).

Each PDF carries the digest of what it was made from (see the plugin's ``_pdf_digest``). A rebuild
says which digest it wants for each PDF (:meth:`PdfQueue.want`); a render whose digest is no longer
wanted when it ends (the editor saved again meanwhile) is dropped, and the newer one is rendered next.
"""

from __future__ import annotations

import gc
import logging
import os
import queue
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .model import Catalog, Issue

log = logging.getLogger("mkdocs.plugins.newsletter")
IDLE_SECONDS = 2.0  # after a rebuild, the preview waits this long for another save before typesetting PDFs


@dataclass(frozen=True)
class PdfJob:
    catalog: Catalog
    issue: Issue
    target: Path  # where the served site has the issue's PDF
    digest: str
    workdir: Path  # beside the site, on its file system: where the PDF is made before the rename


class PdfQueue:
    """One worker thread; ``render(catalog, [(issue, path), …])`` writes PDF files (pdf/build.py)."""

    def __init__(self, render: Callable[[Catalog, list[tuple[Issue, Path]]], None]):
        self.render = render
        self.jobs: queue.Queue[PdfJob | None] = queue.Queue()
        self.lock = threading.Lock()
        self.wanted: dict[Path, str] = {}  # target -> digest the latest rebuild wants there
        self.placed: dict[Path, str] = {}  # target -> digest of the file that is there now
        self.thread: threading.Thread | None = None
        self.idle = threading.Condition()
        self.building = False
        self.built_at = 0.0  # time.monotonic() when the last rebuild ended

    def rebuilding(self, running: bool) -> None:
        """A rebuild starts (True) or has ended (False): PDFs wait until it has been idle for a while."""
        with self.idle:
            self.building = running
            self.built_at = time.monotonic()
            self.idle.notify_all()

    def _wait_until_idle(self) -> None:
        with self.idle:
            while True:
                left = self.built_at + IDLE_SECONDS - time.monotonic()
                if not self.building and left <= 0:
                    return
                self.idle.wait(timeout=max(left, 0.05) if not self.building else None)

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
        """Render what is wanted, a few at a time (pdf/build.py typesets them in parallel workers, which
        this thread's priority passes on to), whenever the preview is idle."""
        _lowest_priority()
        size = os.cpu_count() or 1
        while (job := self.jobs.get()) is not None:
            batch, more = [job], job
            while len(batch) < size and not self.jobs.empty() and (more := self.jobs.get_nowait()) is not None:
                batch.append(more)
            self._wait_until_idle()
            with self.lock:
                batch = [j for j in batch if self.wanted.get(j.target) == j.digest]  # not superseded
            for catalog in {id(j.catalog): j.catalog for j in batch}.values():
                self._render_batch(catalog, [j for j in batch if j.catalog is catalog])
            if more is None:
                return

    def _render_batch(self, catalog: Catalog, batch: list[PdfJob]) -> None:
        folder = Path(tempfile.mkdtemp(prefix=".newsletter-pdf-", dir=batch[0].workdir))
        made = {j.target: folder / f"{n}-{j.target.name}" for n, j in enumerate(batch)}
        try:
            self.render(catalog, [(j.issue, made[j.target]) for j in batch])
        except Exception as exc:  # the preview keeps the previous PDFs; the editor sees why in the log
            log.error(f"PDF failed; the preview keeps the previous one: {exc}")
        try:
            for job in batch:
                with self.lock:
                    if self.wanted.get(job.target) != job.digest or not job.target.parent.is_dir() \
                            or not made[job.target].is_file():
                        continue
                    os.replace(made[job.target], job.target)
                    self.placed[job.target] = job.digest
                log.info(f"PDF of {job.issue.label} updated in the preview: {job.target.name}")
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def _lowest_priority() -> None:
    """The calling thread (Linux: priorities are per thread) and the processes it starts run only when a
    core has nothing else to do."""
    if sys.platform.startswith("linux"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        except OSError:
            pass


def set_aside_first_build() -> None:
    """After the first build: everything alive now (the parsed archive, the views and fingerprints kept
    for rebuilds, compiled templates) stays for the whole preview, and Python's cycle collector would scan
    it again and again during every rebuild (a large share of a save's time at 5,000 articles). Collect
    the first build's garbage once, then move what is left out of the collector's sight (``gc.freeze``);
    later rebuilds' garbage is collected as usual."""
    gc.collect()
    gc.freeze()
