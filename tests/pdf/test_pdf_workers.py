"""The worker processes that typeset PDFs: results in task order, failures as values, a task past its
time limit stopped (from the main thread and from another one, as under `mkdocs serve`)."""

from __future__ import annotations

import os
import threading
import time

import pytest

from newsletter.pdf.workers import Failure, run_all

pytestmark = pytest.mark.pdf


def square_or_fail(n: int):
    if n == 3:
        raise ValueError("three is refused")
    if n == 5:
        time.sleep(60)
    return n * n, os.getpid()


def late(n: int) -> str:
    return f"task {n} took too long"


def test_results_in_task_order_with_failures_as_values():
    results = run_all([1, 2, 3, 4], square_or_fail, 30, late, workers=2)
    assert [r[0] if not isinstance(r, Failure) else r for r in results] == [
        1, 4, Failure("three is refused", "ValueError"), 16]
    assert all(pid != os.getpid() for r in results if not isinstance(r, Failure) for pid in [r[1]])


def test_a_task_past_its_time_is_stopped_and_the_others_still_run():
    results = run_all([5, 2, 4], square_or_fail, 1.0, late, workers=1)
    assert results[0] == Failure("task 5 took too long", "timeout")
    assert [r[0] for r in results[1:]] == [4, 16]


def test_time_limit_from_another_thread():
    caught = []
    thread = threading.Thread(target=lambda: caught.append(run_all([5], square_or_fail, 0.5, late)))
    thread.start()
    thread.join(30)
    assert caught == [[Failure("task 5 took too long", "timeout")]]
