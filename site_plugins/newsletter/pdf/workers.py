"""Run tasks in worker processes, one per core, each task under a time limit.

Workers are forked, so they start with everything the parent has loaded (the catalog, the code) and
keep what they build themselves (Typst's fonts) from one task to the next. Each worker is given its
share of the tasks when it starts and reports as it goes, so a :class:`Batch` can run in the background
while the parent does other work (the site build renders pages meanwhile) and be collected later. A
task that runs past its time is stopped by killing its worker (a compile in native code cannot be
interrupted otherwise); a new worker takes over that worker's remaining tasks. Works from any thread
(``mkdocs serve`` builds in one). Results should be small: the PDFs themselves go to files.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Callable, Sequence


@dataclass(frozen=True)
class Failure:
    """A task that did not produce a result: ``message`` is for the user; ``kind`` names the exception."""

    message: str
    kind: str = "error"


def _serve(conn, tasks, work, indices) -> None:
    for index in indices:
        conn.send(("start", index, time.monotonic()))
        try:
            result = work(tasks[index])
        except Exception as exc:  # reported to the parent as a value, with its class name
            result = Failure(str(exc) or type(exc).__name__, type(exc).__name__)
        conn.send(("done", index, result))
    conn.close()


class _Worker:
    def __init__(self, context, tasks, work, indices: list[int]):
        self.conn, child = context.Pipe(duplex=False)
        self.process = context.Process(target=_serve, args=(child, tasks, work, indices), daemon=True)
        self.process.start()
        child.close()
        self.pending = list(indices)
        self.current: int | None = None
        self.started = 0.0

    def stop(self, kill: bool) -> None:
        if kill and self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class Batch:
    """Tasks started in worker processes; :meth:`finish` waits for them and returns results in task order."""

    def __init__(self, tasks: Sequence, work: Callable, workers: int | None = None):
        self.tasks, self.work = tasks, work
        self.context = multiprocessing.get_context("fork")
        self.results: list = [None] * len(tasks)
        count = min(workers or os.cpu_count() or 1, len(tasks))
        self.workers = [_Worker(self.context, tasks, work, list(range(k, len(tasks), count))) for k in range(count)]

    def finish(self, timeout: float, on_timeout: Callable[[object], str]) -> list:
        try:
            while any(w.pending for w in self.workers):
                live = [w for w in self.workers if w.pending]
                deadlines = [w.started + timeout for w in live if w.current is not None]
                left = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
                ready = wait([w.conn for w in live], timeout=left)
                for worker in live:
                    if worker.conn in ready:
                        self._receive(worker)
                    elif worker.current is not None and time.monotonic() >= worker.started + timeout:
                        self._lose(worker, Failure(on_timeout(self.tasks[worker.current]), "timeout"))
        finally:
            self.stop()
        return self.results

    def _receive(self, worker: _Worker) -> None:
        try:
            kind, index, value = worker.conn.recv()
        except (EOFError, OSError):
            self._lose(worker, Failure("the rendering process ended without a result", "died"))
            return
        if kind == "start":
            worker.current, worker.started = index, value
        else:
            self.results[index] = value
            worker.pending.remove(index)
            worker.current = None

    def _lose(self, worker: _Worker, failure: Failure) -> None:
        """The worker's current task failed with it: stop the process; a new one takes its other tasks."""
        index = worker.current if worker.current is not None else worker.pending[0]
        self.results[index] = failure
        worker.pending.remove(index)
        worker.stop(kill=True)
        self.workers[self.workers.index(worker)] = _Worker(self.context, self.tasks, self.work, worker.pending)

    def stop(self) -> None:
        """Stop every worker (those still busy are killed: an abandoned batch leaves no process behind)."""
        for worker in self.workers:
            if worker.conn.closed:
                continue
            worker.stop(kill=bool(worker.pending))


def run_all(tasks: Sequence, work: Callable, timeout: float, on_timeout: Callable[[object], str],
            workers: int | None = None) -> list:
    """``work(task)`` for every task in worker processes; results (or :class:`Failure`) in task order."""
    if not tasks:
        return []
    return Batch(tasks, work, workers).finish(timeout, on_timeout)
