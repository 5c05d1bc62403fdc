"""The editor-maintained synonym list (``issues/synonyms.yml``): one line per group, members joined by
``=``, e.g. ``- 发改委 = 国家发展和改革委员会``. Queries expand a term to its whole group, the same way in
Python and in the browser (:func:`newsletter.search.tokenizer.expand`)."""

from __future__ import annotations

from pathlib import Path

from ..model import Settings
from ..problems import Problem
from ..strictyaml import read_mapping


def parse(text: str, rel: str) -> tuple[list[list[str]], list[Problem]]:
    doc, problems = read_mapping("synonyms:\n" + "\n".join("  " + l for l in text.splitlines()), rel,
                                 line_offset=-1, what="synonyms")
    if doc is None:
        return [], problems
    lines = doc.data.get("synonyms")
    if not isinstance(lines, list):
        return [], problems + [Problem(rel, 1, "synonyms", "must be a YAML list, one '- word = synonym' per line")]
    groups = []
    item_lines = [n for n, text_line in enumerate(text.splitlines(), start=1) if text_line.lstrip().startswith("-")]
    for index, line in enumerate(lines):
        members = [m.strip() for m in str(line or "").split("=") if m.strip()]
        if len(members) < 2:
            at = item_lines[index] if index < len(item_lines) else 1
            problems.append(Problem(rel, at, "synonyms",
                                    f"'{line}' needs two or more words joined by '=', e.g. '发改委 = 国家发展和改革委员会'"))
            continue
        groups.append(members)
    return groups, problems


def load(path: Path, rel: str, settings: Settings) -> tuple[list[list[str]], list[Problem]]:
    """A missing file means no synonyms."""
    from ..content import read_text

    if not path.is_file():
        return [], []
    text, problems = read_text(path, rel, settings)
    if text is None:
        return [], problems
    groups, more = parse(text, rel)
    return groups, problems + more
