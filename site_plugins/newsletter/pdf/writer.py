"""Render one issue's PDF: font check, HTML, WeasyPrint with our fetcher, under a time limit.

Every failure is a :class:`PdfError` with a message for editors (file, URL, what to do); nothing
here lets a WeasyPrint traceback reach the user.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..model import Catalog, Issue
from ..problems import Problem, format_problems
from ..render import Renderer
from . import document, fonts


class PdfError(Exception):
    """The PDF could not be made; ``str()`` is the message for the user."""


class MissingFontError(PdfError):
    """No CJK font is installed: every issue would fail the same way."""


@dataclass(frozen=True)
class PdfJob:
    issue: Issue
    catalog: Catalog
    root: Path  # the project folder: the only place files are read from
    templates_dir: Path
    extra_roots: tuple[Path, ...] = field(default=())  # e.g. the built site

    def renderer(self) -> Renderer:
        return Renderer(self.templates_dir)

    @property
    def base_url(self) -> str:
        # Relative image paths in an article resolve against its issue folder.
        return (self.root / self.issue.path).resolve().as_uri() + "/"


def render_pdf(job: PdfJob, timeout: float) -> bytes:
    """The PDF bytes of ``job.issue``; raises :class:`PdfError`."""
    missing = fonts.missing_font_message()
    if missing:
        raise MissingFontError(missing)
    return run_with_time_limit(lambda: _render_or_explain(job), timeout, f"{job.issue.path}: pdf: rendering took "
                               f"longer than {timeout:g} s (plugin option pdf: timeout in mkdocs.yml, or --timeout)")


def _render_or_explain(job: PdfJob) -> bytes:
    try:
        return _render(job)
    except PdfError:
        raise
    except Exception as exc:  # a WeasyPrint or template failure: name the issue, not a traceback
        raise PdfError(f"{job.issue.path}: pdf: rendering failed: {type(exc).__name__}: {exc}") from exc


def _render(job: PdfJob) -> bytes:
    from weasyprint import CSS, HTML  # imported here: pages that only link a PDF never load WeasyPrint

    from .fetcher import ProjectFetcher

    fetcher = ProjectFetcher([job.root, *job.extra_roots])
    html = document.issue_html(job.issue, job.catalog, job.renderer())
    css_path = job.templates_dir / document.STYLESHEET
    weasy_log = logging.getLogger("weasyprint")
    level = weasy_log.level
    weasy_log.setLevel(logging.ERROR)  # refused fetches are reported below, by article
    try:
        stylesheet = CSS(string=css_path.read_text(encoding="utf-8"), base_url=css_path.resolve().as_uri(),
                         url_fetcher=fetcher)
        pdf = HTML(string=html, base_url=job.base_url, url_fetcher=fetcher).render(stylesheets=[stylesheet]).write_pdf()
    finally:
        weasy_log.setLevel(level)
    if fetcher.refused:
        raise PdfError(format_problems(_refusal_problems(job, fetcher.refused)))
    return pdf


def _refusal_problems(job: PdfJob, refused) -> list[Problem]:
    sections = document.pdf_sections(job.issue, job.catalog)
    problems = []
    for fetch in refused:
        owners = [item.article.path for s in sections for item in s.articles
                  if fetch.url in document.fetched_urls(item.body_html, job.base_url)]
        for path in owners or [f"{job.templates_dir.name}/{document.TEMPLATE}"]:
            problems.append(Problem(path, 1, "pdf", f"{fetch.url}: {fetch.reason}"))
    return problems


# ---------------------------------------------------------------- time limit

class _Timeout(BaseException):
    pass


def run_with_time_limit(work: Callable[[], bytes], seconds: float, message: str) -> bytes:
    """``work()``, stopped after ``seconds``. In the main thread a SIGALRM timer interrupts it; elsewhere
    (``mkdocs serve`` builds in a thread) it runs in a forked child that is killed when time is up."""
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        return _with_alarm(work, seconds, message)
    return _in_child(work, seconds, message)


def _with_alarm(work, seconds, message):
    def expire(signum, frame):
        raise _Timeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return work()
    except _Timeout:
        raise PdfError(message) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _child(work, conn) -> None:
    try:
        conn.send(("ok", work()))
    except PdfError as exc:
        conn.send(("error", str(exc)))
    except Exception as exc:
        conn.send(("error", f"pdf: rendering failed: {type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def _in_child(work, seconds, message):
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(work, child), daemon=True)
    process.start()
    child.close()
    try:
        if not parent.poll(seconds):
            raise PdfError(message)
        status, value = parent.recv()
    except EOFError:
        raise PdfError("pdf: the rendering process ended without a result") from None
    finally:
        process.kill()
        process.join()
    if status == "error":
        raise PdfError(value)
    return value
