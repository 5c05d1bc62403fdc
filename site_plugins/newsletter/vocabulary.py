"""The editor-maintained tag vocabulary (``issues/tags.yml``) and how tags are checked against it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .model import Settings
from .problems import Problem
from .search.tokenizer import normalize as fold  # the search's folding: width, case, traditional -> simplified
from .strictyaml import read_mapping


@dataclass(frozen=True)
class Vocabulary:
    tags: tuple[str, ...] = ()
    path: str = ""
    _folded: dict[str, str] = field(default_factory=dict)

    def check(self, tag: str, rel: str, line: int) -> list[Problem]:
        if not self.tags or tag in self.tags:
            return []
        near = self._folded.get(fold(tag))
        if near:
            return [Problem(rel, line, "tags", f"'{tag}' differs from the vocabulary tag '{near}' only by width "
                            f"or traditional form; write '{near}'", "warning")]
        return [Problem(rel, line, "tags", f"'{tag}' is not in {self.path}; use one of its tags or add it there",
                        "warning")]


def load(path: Path, rel: str, settings: Settings) -> tuple[Vocabulary, list[Problem]]:
    """A missing vocabulary file means tags are free."""
    from .content import read_text

    if not path.is_file():
        return Vocabulary(), []
    text, problems = read_text(path, rel, settings)
    if text is None:
        return Vocabulary(), problems
    doc, problems = read_mapping("tags:\n" + "\n".join("  " + l for l in text.splitlines()), rel, line_offset=-1, what="tags")
    if doc is None or not isinstance(doc.data.get("tags"), list):
        return Vocabulary(), problems or [Problem(rel, 1, "tags", "must be a YAML list of tags, one '- tag' per line")]
    tags = tuple(str(t) for t in doc.data["tags"] if t is not None)
    return Vocabulary(tags, rel, {fold(t): t for t in tags}), problems
