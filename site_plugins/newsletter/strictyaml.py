"""A strict YAML reader for front matter and issue.yml.

Why not ``yaml.safe_load``: YAML 1.1 reads ``034`` as 28 (octal) but ``038`` as a string,
turns dates into ``datetime.date`` or raises ``ValueError`` with no line, keeps the last of two
duplicate keys silently, and expands aliases (an alias bomb takes minutes). Here:

* scalars follow the YAML 1.2 core schema (``034`` is 34, ``yes`` is a string), dates stay strings
  (the content layer validates them with a line number);
* duplicate keys, aliases and anchors, and non-string keys are problems with a line;
* every mapping key remembers the line it is on, so validation can point at it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from .problems import Problem

_INT = re.compile(r"[-+]?[0-9]+\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_INT_DIGITS = 30  # longer plain scalars are never numbers: they stay text (and fail as numbers with a message, not a ValueError)
MAX_DEPTH = 20  # nesting deeper than any front matter needs; PyYAML's composer would recurse without bound
_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}


@dataclass
class Document:
    """A parsed YAML mapping with the line of each top-level key (1-based, in the file)."""

    data: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    start_line: int = 1

    def line(self, key: str) -> int:
        return self.lines.get(key, self.start_line)


class _Reader:
    def __init__(self, path: str, line_offset: int):
        self.path = path
        self.offset = line_offset
        self.problems: list[Problem] = []

    def line_of(self, node: yaml.Node) -> int:
        return node.start_mark.line + 1 + self.offset

    def problem(self, node: yaml.Node, fieldname: str, message: str) -> None:
        self.problems.append(Problem(self.path, self.line_of(node), fieldname, message))

    def value(self, node: yaml.Node, fieldname: str) -> Any:
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, fieldname)
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item, f"{fieldname}[{i}]") for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, fieldname + ".")[0]
        return None  # pragma: no cover - the composer yields only these three

    def scalar(self, node: yaml.ScalarNode, fieldname: str) -> Any:
        text = node.value
        if _SURROGATE.search(text):  # a "\ud800" escape: text no UTF-8 file or page can hold
            self.problem(node, fieldname, "contains an escape for an invalid character (a lone surrogate); "
                                          "write the character itself")
            text = _SURROGATE.sub("\ufffd", text)
        if node.style:  # quoted or block scalars are always strings (plain: None, or "" from libyaml)
            return text
        if text in _NULL:
            return None
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        if len(text) > MAX_INT_DIGITS:
            return text
        if _INT.match(text):
            return int(text)
        if _HEX.match(text):
            return int(text, 16)
        if _FLOAT.match(text):
            number = float(text)
            return number if math.isfinite(number) else text  # 1e400 is not a number anyone meant
        return text

    def mapping(self, node: yaml.MappingNode, prefix: str = "") -> tuple[dict, dict]:
        data: dict[str, Any] = {}
        lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_node, prefix.rstrip(".") or "front matter", "keys must be plain names")
                continue
            key = key_node.value
            if not key.strip():
                self.problem(key_node, prefix.rstrip(".") or "front matter", "a field with no name; write 'name: value'")
                continue
            name = prefix + key
            if key in data:
                self.problem(
                    key_node, name, f"duplicate key (first given on line {lines[key]}); keep one"
                )
                continue
            lines[key] = self.line_of(key_node)
            data[key] = self.value(value_node, name)
        return data, lines


# libyaml when present: ten times faster. Its error messages differ, so errors are re-read with the
# pure-Python loader (see read_mapping) and editors always get the same message.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _refused_structure(text: str, reader: _Reader, loader=yaml.SafeLoader) -> bool:
    """Walk the parse events once: anchors/aliases and runaway nesting are refused before composing."""
    refused = False
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        line = event.start_mark.line + 1 + reader.offset
        anchor = getattr(event, "anchor", None)
        if isinstance(event, yaml.AliasEvent) or anchor:
            reader.problems.append(
                Problem(reader.path, line, "front matter",
                        f"YAML anchors and aliases (&{anchor} / *{anchor}) are not allowed; write the value out")
            )
            refused = True
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                reader.problems.append(Problem(reader.path, line, "front matter",
                                               f"nested more than {MAX_DEPTH} levels deep; flatten the value"))
                return True
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return refused


_QUOTED_VALUE = re.compile(r"""\A\s*(?:-\s+)?(?:(?P<key>[^\s#'"][^:#]*?)\s*:\s+)?(?P<flow>\[\s*(?:[^\]"']*,\s*)*)?(?P<quote>["'])(?P<rest>.*)\Z""")


def _closes(rest: str, quote: str) -> bool:
    """Whether a scalar whose opening quote is followed by ``rest`` ends on the same line."""
    if quote == "'":
        return "'" in rest.replace("''", "")
    return re.search(r'(?<!\\)(?:\\\\)*"', rest) is not None


def _unclosed_quote(text: str, error_line: int) -> tuple[int, str | None, str] | None:
    """The first line up to the parse error (0-based) whose value opens a quote it does not close.

    PyYAML reports such a quote where it gave up (the end of the front matter, or the next quote),
    which is not where the editor has to look.
    """
    lines = text.split("\n")
    for number, line in enumerate(lines[: error_line + 1]):
        m = _QUOTED_VALUE.match(line)
        if m and not _closes(m.group("rest"), m.group("quote")):
            if _error_line(lines[:number] + [line.rstrip() + m.group("quote")] + lines[number + 1:]) > error_line:
                return number, m.group("key"), m.group("quote")  # closing it there mends the document
            return None
    return None


def _error_line(lines: list[str]) -> float:
    """The 0-based line of the first YAML error in ``lines``, or infinity when they parse."""
    try:
        yaml.compose("\n".join(lines), Loader=_FAST_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return mark.line if mark else 0
    except (yaml.YAMLError, RecursionError):
        return 0
    return math.inf


def read_mapping(text: str, path: str, *, line_offset: int = 0, what: str = "front matter") -> tuple[Document | None, list[Problem]]:
    """Parse ``text`` as one YAML mapping. ``line_offset`` is the file line before ``text`` starts."""
    reader = _Reader(path, line_offset)
    try:
        try:
            if _refused_structure(text, reader, _FAST_LOADER):
                return None, reader.problems
            node = yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            reader.problems.clear()
            if _refused_structure(text, reader):
                return None, reader.problems
            node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        opened = _unclosed_quote(text, mark.line if mark else 0)
        if opened is not None:
            quote_line, key, quote = opened
            return None, [Problem(path, quote_line + 1 + line_offset, key or what,
                                  f"quote opened here is never closed (the parser read on to line {line}); "
                                  f"end the value with {quote}")]
        reason = exc.problem or "could not be parsed"
        return None, [Problem(path, line, what, f"invalid YAML: {reason}; check indentation, colons and quotes")]
    except yaml.YAMLError as exc:
        return None, [Problem(path, 1 + line_offset, what, f"invalid YAML: {exc}")]
    except RecursionError:  # defence in depth: _refused_structure bounds nesting first
        return None, [Problem(path, 1 + line_offset, what, "nested too deeply to read; flatten the value")]
    if node is None:
        return Document(start_line=line_offset + 1), []
    if not isinstance(node, yaml.MappingNode):
        kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
        return None, [Problem(path, reader.line_of(node), what,
                              f"must be a mapping of 'field: value' lines, not {kind}")]
    data, lines = reader.mapping(node)
    return Document(data, lines, line_offset + 1), reader.problems
