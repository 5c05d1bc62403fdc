"""The one tokenizer of the search, for the index (here) and the query (assets/tokenizer.js).

Specification (both implementations follow it step by step; tests/fixtures/tokenizer_vectors.json
holds the shared test vectors):

1. NFKC normalization (full-width letters, digits and compatibility ideographs fold to their
   ordinary forms), then lower case.
2. Each character is folded through the traditional -> simplified table (one character to one
   character, generated from OpenCC's ``t2s`` at build time and shipped to the browser).
3. The text splits into runs: a *Han run* is a maximal run of CJK ideographs, a *word* is a maximal
   run of ``[a-z0-9]``; everything else separates runs.
4. A word is one token. A Han run of characters c1..cn gives, in order, the unigram c1, the bigram
   c1c2, the unigram c2, …, the unigram cn: every character and every adjacent pair.

Queries use the same tokens but need only the bigrams of a Han run longer than one character
(:func:`query_tokens`); any run of two or more characters present in a text therefore finds it,
wherever a word segmenter would have cut.
"""

from __future__ import annotations

import json
import operator
import re
import unicodedata
from collections import Counter
from functools import lru_cache
from pathlib import Path

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0002ffff"
RUN = re.compile(rf"[{_HAN}]+|[a-z0-9]+")
HAN_RUN = re.compile(rf"[{_HAN}]+")
# Ideographs whose traditional form is looked up (compatibility ideographs are folded by NFKC first).
_FOLD_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0x20000, 0x2FA20))


_fold_store: list = []  # [file, salt] where a build keeps the fold table for the next process


def keep_fold_table(path: Path, salt: str) -> None:
    """Keep the fold table in ``path`` (a build's cache folder) for the next process, valid under ``salt``
    (the code's digest) and OpenCC's version: converting OpenCC's tables is a good part of starting a
    short build (``mkdocs build --dirty``)."""
    _fold_store[:] = [path, salt]


@lru_cache(maxsize=1)
def fold_table() -> dict[str, str]:
    """Traditional -> simplified, one character each, from OpenCC's maintained t2s conversion."""
    return kept_fold_table(*_fold_store) if _fold_store else _converted_fold_table()


def kept_fold_table(path: Path, salt: str) -> dict[str, str]:
    """The table stored in ``path`` under the same key, else converted and stored there."""
    import opencc

    key = f"{opencc.__version__} {_FOLD_RANGES} {salt}"
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        if stored["key"] == key:
            return stored["table"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    table = _converted_fold_table()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps({"key": key, "table": table}, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a read-only cache folder: convert again next time
    return table


def _converted_fold_table() -> dict[str, str]:
    import opencc

    converter = opencc.OpenCC("t2s")
    chars = [chr(code) for start, end in _FOLD_RANGES for code in range(start, end)]
    # One call for all (a process starts faster): a line break ends every phrase, so each line is one
    # character converted alone; one at a time where that does not hold.
    folded = converter.convert("\n".join(chars)).split("\n")
    if len(folded) != len(chars):
        folded = [converter.convert(char) for char in chars]
    return {char: to for char, to in zip(chars, folded) if to != char and len(to) == 1}


@lru_cache(maxsize=1)
def _translation() -> dict[int, str]:
    return {ord(k): v for k, v in fold_table().items()}


def normalize(text: str) -> str:
    """Steps 1 and 2: the text every comparison (tokens, verification, highlighting) works on."""
    return unicodedata.normalize("NFKC", text).lower().translate(_translation())


def _run_tokens(run: str) -> list[str]:
    if not HAN_RUN.fullmatch(run):
        return [run]
    tokens = [run[0]]
    for i in range(1, len(run)):
        tokens += [run[i - 1: i + 1], run[i]]
    return tokens


def tokens(text: str) -> list[str]:
    """Index tokens of a text, in order of occurrence (with repeats: term frequency counts them)."""
    return [token for run in RUN.findall(normalize(text)) for token in _run_tokens(run)]


def token_counts(text: str) -> Counter:
    """``Counter(tokens(text))``, computed faster (the index needs term frequencies, not order)."""
    counts: Counter = Counter()
    for run in RUN.findall(normalize(text)):
        if HAN_RUN.fullmatch(run):
            counts.update(run)
            counts.update(map(operator.add, run, run[1:]))
        else:
            counts[run] += 1
    return counts


def query_tokens(term: str) -> list[str]:
    """The tokens a query term must all match: the bigrams of a Han run of two or more characters,
    the run itself otherwise (a single character, a word). Repeats are dropped."""
    found: list[str] = []
    for run in RUN.findall(normalize(term)):
        if HAN_RUN.fullmatch(run) and len(run) > 1:
            pieces = [run[i: i + 2] for i in range(len(run) - 1)]
        else:
            pieces = [run]
        for piece in pieces:
            if piece not in found:
                found.append(piece)
    return found


def expand(term: str, synonyms: list[list[str]]) -> list[str]:
    """A query term and its synonyms (every member of a group the term equals, compared compacted)."""
    key = compact(term)
    alternatives = [term]
    for group in synonyms:
        if any(compact(member) == key for member in group):
            alternatives += [m for m in group if compact(m) != key and m not in alternatives]
    return alternatives


def compact(text: str) -> str:
    """Normalized text with every separator removed: what exact verification compares
    (``CCER 项目`` in an article contains the query ``CCER项目``)."""
    return "".join(RUN.findall(normalize(text)))


def shard_of(token: str, shards: int) -> int:
    """FNV-1a (32 bit) over the token's code points, modulo the shard count (same in JS)."""
    value = 0x811C9DC5
    for char in token:
        value ^= ord(char)
        value = (value * 0x01000193) & 0xFFFFFFFF
    return value % shards
