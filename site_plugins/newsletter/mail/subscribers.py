"""The recipient list: UTF-8 CSV with a header row naming an ``email`` column (other columns are
allowed and ignored). Every problem is found before anything is sent, as ``path:line: email: …``."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from ..problems import Problem
from .addresses import check_address, fold

COLUMN = "email"


@dataclass(frozen=True)
class Subscriber:
    email: str
    line: int  # in the list, for messages
    columns: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


def _text(path: Path, shown: str) -> tuple[str | None, list[Problem]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(shown, 1, "file", f"cannot be read: {exc.strerror or exc}")]
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(shown, line, "encoding", "the list is not UTF-8; save it as UTF-8 CSV "
                              "(e.g. iconv -f GBK -t UTF-8)")]


def load_subscribers(path: Path, shown: str | None = None) -> tuple[list[Subscriber], list[Problem]]:
    """Every subscriber of the list, and every problem in it (duplicates differing only in case included)."""
    shown = shown or str(path)
    text, problems = _text(path, shown)
    if text is None:
        return [], problems
    reader = csv.reader(text.splitlines(keepends=True))
    header = next(reader, None)
    columns = [name.strip().lower() for name in header or []]
    if COLUMN not in columns:
        found = ", ".join(name for name in columns if name) or "none"
        return [], [Problem(shown, 1, COLUMN, f"no '{COLUMN}' column in the header row (columns: {found}); "
                            "the first row names the columns, e.g. email,name")]
    index = columns.index(COLUMN)
    subscribers: list[Subscriber] = []
    seen: dict[str, Subscriber] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue  # blank lines are fine
        try:
            address = check_address(row[index] if index < len(row) else "")
        except ValueError as exc:
            problems.append(Problem(shown, line, COLUMN, str(exc)))
            continue
        first = seen.get(fold(address))
        if first is not None:
            same = "the same address" if first.email == address else "the same address in other case"
            problems.append(Problem(shown, line, COLUMN, f"'{address}' is {same} as line {first.line} "
                                    f"('{first.email}'); keep one"))
            continue
        subscriber = Subscriber(address, line, dict(zip(columns, row)))
        seen[fold(address)] = subscriber
        subscribers.append(subscriber)
    if not subscribers and not problems:
        problems.append(Problem(shown, 1, COLUMN, "the list has no addresses"))
    return subscribers, problems
