"""The send log: one JSON line per address the server answered for, written next to the list
(``subscribers.csv.sent-034.jsonl``), appended, flushed and fsynced as soon as the answer came.

A rerun reads it and sends only to addresses that have no line: after a crash, a Ctrl-C, a refused
connection or a server that dropped mid-way nobody gets the issue twice and nobody is left out.
The one window left is a message whose final "250" was on its way when the process was killed.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..model import Issue
from .addresses import fold

ACCEPTED = "accepted"
REJECTED = "rejected"  # a permanent (5xx) answer for this address: not tried again


@dataclass(frozen=True)
class Entry:
    email: str
    status: str
    code: int
    reply: str
    at: str = ""


def log_path(list_path: Path, issue: Issue) -> Path:
    return list_path.with_name(f"{list_path.name}.sent-{issue.number:03d}.jsonl")


def read_log(path: Path) -> dict[str, Entry]:
    """Folded address -> its entry. A torn last line (a crash while writing it) is ignored."""
    entries: dict[str, Entry] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return entries
    for line in lines:
        try:
            data = json.loads(line)
            entry = Entry(data["email"], data["status"], int(data["code"]), data.get("reply", ""), data.get("at", ""))
        except (ValueError, KeyError, TypeError):
            continue
        entries[fold(entry.email)] = entry
    return entries


class LockedError(Exception):
    pass


class SendLog:
    """The open log of one send: locked against a second send of the same issue to the same list."""

    def __init__(self, path: Path):
        self.path = path
        self.file = open(path, "a+b")
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.file.close()
            raise LockedError(f"{path}: another send of this issue to this list is running") from None
        self.file.seek(0, os.SEEK_END)
        if self.file.tell():
            self.file.seek(-1, os.SEEK_END)
            if self.file.read(1) != b"\n":  # a torn line from a crash: start ours on a line of its own
                self._write(b"\n")

    def _write(self, data: bytes) -> None:
        self.file.write(data)
        self.file.flush()
        os.fsync(self.file.fileno())

    def record(self, email: str, status: str, code: int, reply: str) -> None:
        at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        line = json.dumps({"email": email, "status": status, "code": code, "reply": reply, "at": at},
                          ensure_ascii=False)
        self._write(line.encode() + b"\n")

    def close(self) -> None:
        self.file.close()
