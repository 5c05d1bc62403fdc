"""Content problems: errors and warnings collected as values and reported together.

Every message has the form ``path:line: field: message`` so editors can jump to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    field: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "warning: "
        return f"{self.path}:{self.line}: {self.field}: {prefix}{self.message}"


class ContentError(Exception):
    """Raised where content is invalid; carries every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(p for p in problems if p.severity == "error")
        super().__init__(format_problems(self.problems))


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def warnings(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "warning"]


def format_problems(problems: Iterable[Problem]) -> str:
    problems = sorted(problems)
    lines = [str(p) for p in problems]
    n_err = len(errors(problems))
    n_warn = len(problems) - n_err
    lines.append(f"{n_err} error(s), {n_warn} warning(s)")
    return "\n".join(lines)
