"""Run tasks in worker processes, one per core, each task under a time limit.

Workers are forked, so they start with everything the parent has loaded (the catalog, the code) and
keep what they build themselves (Typst's fonts) from one task to the next. A task that runs past its
time is stopped by killing its worker (a compile in native code cannot be interrupted otherwise); a new
worker takes over the remaining tasks. Works from any thread (``mkdocs serve`` builds in one).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Callable, Generic, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Failure:
    """A task that did not produce a result: ``message`` is for the user; ``kind`` names the exception."""

    message: str
    kind: str = "error"


class _Worker(Generic[T, R]):
    def __init__(self, context, tasks: Sequence[T], work: Callable[[T], R]):
        self.conn, child = context.Pipe(duplex=True)
        self.process = context.Process(target=_serve, args=(child, tasks, work), daemon=True)
        self.process.start()
        child.close()
        self.task: int | None = None
        self.deadline = 0.0

    def give(self, index: int, timeout: float) -> None:
        self.task, self.deadline = index, time.monotonic() + timeout
        self.conn.send(index)

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                pass
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def _serve(conn, tasks, work) -> None:
    while True:
        index = conn.recv()
        if index is None:
            return
        try:
            conn.send(("ok", work(tasks[index])))
        except Exception as exc:  # reported to the parent as a value, with its class name
            conn.send(("error", Failure(str(exc) or type(exc).__name__, type(exc).__name__)))


def run_all(tasks: Sequence[T], work: Callable[[T], R], timeout: float,
            on_timeout: Callable[[T], str], workers: int | None = None) -> list[R | Failure]:
    """``work(task)`` for every task in worker processes; results (or :class:`Failure`) in task order."""
    if not tasks:
        return []
    context = multiprocessing.get_context("fork")
    results: list[R | Failure | None] = [None] * len(tasks)
    waiting = list(range(len(tasks)))
    pool = [_Worker(context, tasks, work) for _ in range(min(workers or os.cpu_count() or 1, len(tasks)))]
    try:
        for worker in pool:
            worker.give(waiting.pop(0), timeout)
        while any(w.task is not None for w in pool):
            busy = [w for w in pool if w.task is not None]
            left = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready = wait([w.conn for w in busy], timeout=left)
            for worker in busy:
                if worker.conn in ready:
                    results[worker.task] = _receive(worker)
                elif time.monotonic() >= worker.deadline:
                    results[worker.task] = Failure(on_timeout(tasks[worker.task]), "timeout")
                else:
                    continue
                lost = isinstance(results[worker.task], Failure) and results[worker.task].kind in ("timeout", "died")
                worker.task = None
                if lost:  # its process is stopped or gone: a fresh one takes the next task
                    worker.stop(kill=True)
                    if not waiting:
                        continue
                    pool[pool.index(worker)] = worker = _Worker(context, tasks, work)
                if waiting:
                    worker.give(waiting.pop(0), timeout)
    finally:
        for worker in pool:
            worker.stop(kill=worker.task is not None)
    return results  # type: ignore[return-value]


def _receive(worker: _Worker) -> object:
    try:
        status, value = worker.conn.recv()
    except (EOFError, OSError):
        return Failure("the rendering process ended without a result", "died")
    return value
