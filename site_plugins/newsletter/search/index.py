"""The search index, built at site-build time and written under ``site/search/data/``.

Every file is compressed with gzip (written byte for byte the same for the same content); assets/search.js
fetches only what a query needs and decompresses it in the browser.

Layout — nothing that holds one row per article is ever fetched whole:

* ``head.json.gz`` — the one global file: document count, the average length of each field (what lunr's
  BM25 needs beyond a term's postings), shard count, the chunk sizes, sections, synonyms and the
  traditional -> simplified fold table (only the characters the archive uses). It changes on every edit
  and stays small: nothing in it grows with the number of articles.
* ``shards/<n>.bin.gz`` — the postings of the tokens of one hash bucket
  (:func:`~newsletter.search.tokenizer.shard_of`), binary (:func:`_shard_data`): a JSON header with the
  terms and the offset of each term's block, then per term the ids of the articles holding it (delta
  coded), which fields hold it and the raw term frequencies, as little-endian integers of the smallest
  width that fits, which the browser reads straight into typed arrays (only the blocks of the tokens it
  looks up). Raw frequencies, not weights: lunr's BM25 weight of a term (idf from its document frequency
  and the document count, field length over the average) is computed in the browser, so an edit
  rewrites only the shards of the article's old and new tokens.
* ``facets/<g>.json.gz`` — ``{values: [section, source and tag strings], docs: [[id, section, source, year,
  tag…]]}`` (strings as positions in ``values``): what filters and facet counts need, fetched for the
  groups that hold a query's matches.
* ``meta/<g>.json.gz`` — per article ``[id, url, title, date, |title|, |tags|, |body|]`` (field lengths in
  tokens): fetched for the results on the visible page.
* ``text/<g>.json.gz`` — per article ``[id, plain text]``: exact-phrase checks and snippets of the results
  on the visible page.

Chunk files group articles by issue number: issue n is in file n // size, the size of each kind chosen
from the archive's highest issue number (:func:`chunk_sizes`, recorded in the head): the smallest of
:data:`CHUNKS` doubled until the archive needs no more than that kind's most files. So a small archive
has small files (a query fetches little), and a large one a bounded number of files (meta 64, text 256,
facets 32, shards 512: at most about 870 files whatever the archive's size).

Article ids are stable: ``issue number × 256 + rank of the article's slug within its issue``. Adding an
issue or an article never moves another issue's ids, so the groups above (by issue number) of other
issues do not change either, until the archive doubles past a bound of :func:`chunk_sizes` (then every
chunk file is rewritten, as when the shard count doubles).

Building uses little memory: articles are tokenized one at a time (token counts cached in SQLite under
``.cache/`` keyed on a hash of the article's fields), chunk files are written as their issues go by, and
postings are kept as one packed integer array per term. Files whose bytes did not change are not
rewritten (so a rebuild after one edit replaces only the files that edit touched) and files no longer
produced are removed.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import sqlite3
import struct
import sys
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .tokenizer import fold_table, shard_of, token_counts

FIELDS = ("title", "tags", "body")  # a hit in title or tags ranks above a body hit
FORMAT = 4
SLOTS = 256  # ids per issue
# Per kind of chunk file: the fewest issues a file holds, and the most files of that kind. A file holds
# that fewest number of issues doubled until the archive needs no more than the most files (see
# chunk_sizes): small files while the archive is small, a bounded number of files as it grows.
CHUNKS = {"meta": (16, 64), "text": (2, 256), "facets": (32, 32)}
POSTINGS_PER_SHARD = 16_000
MAX_SHARDS = 512
SHARD_MAGIC = b"NLS4"
CACHE_VERSION = 3
_TF_BITS = 24  # a posting packs field << 24 | term frequency


@dataclass(frozen=True)
class SearchDoc:
    """One article as the search sees it."""

    id: int  # stable: see doc_ids
    url: str
    title: str
    text: str
    issue: int
    issue_date: str  # ISO date of the issue
    section: str  # key
    date: str  # ISO date of the article
    source: str
    tags: tuple[str, ...] = ()

    @property
    def fields(self) -> tuple[str, str, str]:
        """The text of each of :data:`FIELDS`."""
        return self.title, "\t".join(self.tags), self.text


@dataclass(frozen=True)
class BuildStats:
    documents: int
    shards: int
    postings: int
    files: int
    bytes: int  # of every file of the index
    rewritten: int  # files written now (the others were already there with the same bytes)
    tokenized: int  # articles tokenized now (the others came from the cache)


def doc_ids(issue_number: int, slugs: Iterable[str]) -> dict[str, int]:
    """Stable ids of one issue's articles: issue number × SLOTS + rank of the slug."""
    ordered = sorted(slugs)
    if len(ordered) > SLOTS:
        raise ValueError(f"issue {issue_number}: {len(ordered)} articles; the search allows {SLOTS} per issue")
    return {slug: issue_number * SLOTS + rank for rank, slug in enumerate(ordered)}


def issue_of(doc_id: int) -> int:
    return doc_id // SLOTS


def _fields_hash(fields: tuple[str, ...]) -> str:
    return hashlib.sha1("\0".join((str(CACHE_VERSION), *fields)).encode()).hexdigest()


class TokenCache:
    """Term frequencies per field of each article, keyed on a hash of its fields (SQLite: only the entries
    in use are read, one at a time), and how many articles use each character (what the fold table
    shipped to the browser depends on: kept here so that an update need not read every article)."""

    def __init__(self, path: Path | None):
        self.db = None
        self.misses = 0
        self.pending: list[tuple[str, str]] = []
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self.db = self._open(path)
            except sqlite3.DatabaseError:
                path.unlink(missing_ok=True)  # a damaged cache is rebuilt
                self.db = self._open(path)

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE IF NOT EXISTS counts (hash TEXT PRIMARY KEY, fields TEXT)")
        db.execute("CREATE TABLE IF NOT EXISTS chars (build TEXT PRIMARY KEY, counts TEXT)")
        return db

    def frequencies(self, fields: tuple[str, str, str]) -> list[dict[str, int]]:
        key = _fields_hash(fields)
        if self.db is not None:
            row = self.db.execute("SELECT fields FROM counts WHERE hash = ?", (key,)).fetchone()
            if row is not None:
                return json.loads(row[0])
        self.misses += 1
        found = [dict(token_counts(text)) for text in fields]
        if self.db is not None:
            self.pending.append((key, json.dumps(found, ensure_ascii=False, separators=(",", ":"))))
        return found

    def characters(self, build: str) -> Counter | None:
        """Articles per character of the index in ``build`` (None when unknown)."""
        if self.db is None:
            return None
        row = self.db.execute("SELECT counts FROM chars WHERE build = ?", (build,)).fetchone()
        return Counter(json.loads(row[0])) if row else None

    def remember_characters(self, build: str, counts: Counter) -> None:
        if self.db is not None:
            self.db.execute("DELETE FROM chars")  # the last build only
            self.db.execute("INSERT INTO chars VALUES (?, ?)", (build, json.dumps(counts, ensure_ascii=False)))

    def close(self) -> None:
        if self.db is None:
            return
        self.db.executemany("INSERT OR REPLACE INTO counts VALUES (?, ?)", self.pending)
        self.db.commit()
        self.db.close()


def shard_count(postings: int) -> int:
    count = 1
    while count < MAX_SHARDS and postings / count > POSTINGS_PER_SHARD:
        count *= 2
    return count


def fold_json(used: set[str] | None = None) -> dict[str, str]:
    """The fold table for the browser; with ``used`` (the archive's characters) only the entries whose
    simplified form occurs: a query character folding to anything else cannot match anyway."""
    table = {t: s for t, s in fold_table().items() if used is None or s in used}
    return {"from": "".join(table), "to": "".join(table.values())}


def encode(data) -> bytes:
    """JSON, or bytes as they are, compressed with gzip (the same bytes for the same content)."""
    raw = data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return gzip.compress(raw, compresslevel=6, mtime=0)


def decode(raw: bytes):
    return json.loads(gzip.decompress(raw))


class _Writer:
    """Writes files under the data directory only when their bytes change; remembers what it wrote."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.kept: set[Path] = set()
        self.bytes = 0
        self.rewritten = 0

    def write(self, rel: str, data) -> None:
        path = self.out_dir / rel
        raw = encode(data)
        self.kept.add(path)
        self.bytes += len(raw)
        try:
            if path.read_bytes() == raw:
                return
        except OSError:
            path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(raw)
        os.replace(tmp, path)  # a new file: never writes through a hard link into a published site
        self.rewritten += 1

    def remove_stale(self) -> None:
        for path in sorted(self.out_dir.rglob("*")):
            if path.is_file() and path not in self.kept:
                path.unlink()


def chunk_sizes(last_issue: int) -> dict[str, int]:
    """Issues per chunk file of each kind for an archive whose highest issue number is ``last_issue``
    (files group issues by number: issue n is in file n // size). Powers of two times the smallest size,
    so they change only when the archive doubles past a bound (and then every chunk file is rewritten)."""
    sizes = {}
    for kind, (smallest, most_files) in CHUNKS.items():
        size = smallest
        while last_issue // size + 1 > most_files:
            size *= 2
        sizes[kind] = size
    return sizes


def group_of(sizes: dict[str, int], kind: str, doc_id: int) -> int:
    return issue_of(doc_id) // sizes[kind]


def rows_of(doc: SearchDoc, lengths: list[int]) -> dict[str, list]:
    """The article's row in each kind of chunk (facet strings as strings: see :func:`chunk_data`)."""
    return {"meta": [doc.id, doc.url, doc.title, doc.date, *lengths], "text": [doc.id, doc.text],
            "facets": [doc.id, doc.section, doc.source, int(doc.issue_date[:4]), *doc.tags]}


def chunk_data(kind: str, rows: list[list]) -> dict:
    """A chunk file's content; facet strings become positions in the chunk's own value list."""
    if kind != "facets":
        return {"docs": rows}
    values = list(dict.fromkeys(v for row in rows for v in (row[1], row[2], *row[4:])))
    at = {v: i for i, v in enumerate(values)}
    return {"values": values, "docs": [[row[0], at[row[1]], at[row[2]], row[3], *(at[t] for t in row[4:])]
                                       for row in rows]}


def chunk_rows(kind: str, data: dict) -> list[list]:
    """The inverse of :func:`chunk_data`."""
    if kind != "facets":
        return data["docs"]
    values = data["values"]
    return [[row[0], values[row[1]], values[row[2]], row[3], *(values[t] for t in row[4:])] for row in data["docs"]]


def _chunk_path(kind: str, group: int) -> str:
    return f"{kind}/{group}.json.gz"


class _Chunks:
    """Rows of each kind of chunk file, each file written when the ids move past its group."""

    def __init__(self, writer: _Writer, sizes: dict[str, int]):
        self.writer = writer
        self.sizes = sizes
        self.open: dict[str, tuple[int, list]] = {}

    def add(self, rows: dict[str, list]) -> None:
        for kind, row in rows.items():
            group = group_of(self.sizes, kind, row[0])
            current = self.open.get(kind)
            if current is None or current[0] != group:
                self.flush(kind)
                current = self.open[kind] = (group, [])
            current[1].append(row)

    def flush(self, kind: str) -> None:
        current = self.open.pop(kind, None)
        if current:
            self.writer.write(_chunk_path(kind, current[0]), chunk_data(kind, current[1]))

    def close(self) -> None:
        for kind in list(self.open):
            self.flush(kind)


def _shard_path(number: int) -> str:
    return f"shards/{number}.bin.gz"


_WIDTHS = {1: "B", 2: "H", 4: "I"}


def _width(largest: int) -> int:
    return 1 if largest < 1 << 8 else 2 if largest < 1 << 16 else 4


def _packed(values: list[int], width: int) -> bytes:
    """Little-endian unsigned integers of ``width`` bytes, padded to a multiple of 4 bytes."""
    packed = array(_WIDTHS[width], values)
    if sys.byteorder == "big":
        packed.byteswap()
    raw = packed.tobytes()
    return raw + bytes(-len(raw) % 4)


def _unpacked(raw: memoryview, count: int, width: int) -> tuple[array, int]:
    """(the integers, bytes read including padding): the inverse of :func:`_packed`."""
    values = array(_WIDTHS[width])
    values.frombytes(raw[: count * width])
    if sys.byteorder == "big":
        values.byteswap()
    return values, count * width + (-(count * width) % 4)


def _term_block(entries: list[tuple[int, int, int]]) -> bytes:
    """One term's postings, (id, field, tf) in ascending (id, field) order, as a block: header (articles n,
    first id, term frequencies m, id width, tf width), then n - 1 id deltas, n field masks (bit f: field
    f holds the term) and the m term frequencies in (id, field) order, each part 4-byte aligned."""
    ids: list[int] = []
    masks: list[int] = []
    tfs: list[int] = []
    for doc_id, field, tf in entries:
        if not ids or ids[-1] != doc_id:
            ids.append(doc_id)
            masks.append(0)
        masks[-1] |= 1 << field
        tfs.append(tf)
    deltas = [b - a for a, b in zip(ids, ids[1:])]
    id_width, tf_width = _width(max(deltas, default=0)), _width(max(tfs))
    return (struct.pack("<IIIBBH", len(ids), ids[0], len(tfs), id_width, tf_width, 0) + _packed(deltas, id_width)
            + _packed(masks, 1) + _packed(tfs, tf_width))


def _shard_data(postings: dict[str, list[tuple[int, int, int]]]) -> bytes:
    """One shard (``postings``: term -> (id, field, tf) in ascending id order) as bytes: see :func:`_shard_bytes`."""
    return _shard_bytes({term: _term_block(entries) for term, entries in postings.items()})


def _shard_bytes(blocks: dict[str, bytes]) -> bytes:
    """A shard from its terms' blocks (:func:`_term_block`): ``NLS4``, the length of a JSON header
    ``{"terms": [sorted terms], "at": [offset of each term's block]}`` (uint32 little-endian), the header
    padded to 4 bytes, then the blocks in term order, offsets counted from the first block. The browser
    reads only the blocks of the tokens it looks up, straight into typed arrays."""
    ordered = sorted(blocks)
    at, offset = [], 0
    for term in ordered:
        at.append(offset)
        offset += len(blocks[term])
    header = json.dumps({"terms": ordered, "at": at}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    header += b" " * (-len(header) % 4)
    return b"".join([SHARD_MAGIC, struct.pack("<I", len(header)), header, *(blocks[term] for term in ordered)])


def _shard_blocks(raw: bytes) -> dict[str, bytes]:
    """The inverse of :func:`_shard_bytes`: term -> its block, as written (an update re-encodes only the
    blocks of the terms it changes)."""
    if raw[:4] != SHARD_MAGIC:
        raise ValueError("not a search shard")
    (header_length,) = struct.unpack_from("<I", raw, 4)
    header = json.loads(raw[8: 8 + header_length])
    body = raw[8 + header_length:]
    ends = [*header["at"][1:], len(body)]
    return {term: body[start:end] for term, start, end in zip(header["terms"], header["at"], ends)}


def _block_postings(block: bytes) -> list[tuple[int, int, int]]:
    """The inverse of :func:`_term_block`: (id, field, tf) in ascending (id, field) order."""
    count, first, tf_count, id_width, tf_width, _ = struct.unpack_from("<IIIBBH", block, 0)
    view = memoryview(block)
    position = 16
    deltas, used = _unpacked(view[position:], count - 1, id_width)
    position += used
    masks, used = _unpacked(view[position:], count, 1)
    position += used
    tfs, _ = _unpacked(view[position:], tf_count, tf_width)
    entries, doc_id, k = [], first, 0
    for i, mask in enumerate(masks):
        if i:
            doc_id += deltas[i - 1]
        for field in range(len(FIELDS)):
            if mask >> field & 1:
                entries.append((doc_id, field, tfs[k]))
                k += 1
    return entries


def _unpack(packed: array) -> list[tuple[int, int, int]]:
    mask = (1 << _TF_BITS) - 1
    return [(doc_id, value >> _TF_BITS, value & mask) for doc_id, value in zip(packed[0::2], packed[1::2])]


def _characters(frequencies: list[dict[str, int]]) -> set[str]:
    return {c for field_terms in frequencies for term in field_terms for c in term}


def _head(count: int, totals: list[int], postings: int, shards: int, sizes: dict[str, int], characters, synonyms,
          sections) -> dict:
    return {
        "format": FORMAT, "fields": list(FIELDS), "documents": count, "lengths": totals, "postings": postings,
        "average": [total / count if count else 0 for total in totals], "shards": shards, "slots": SLOTS,
        "chunks": sizes, "sections": sections or [], "synonyms": synonyms or [], "fold": fold_json(set(characters)),
    }


def build(docs: Iterable[SearchDoc], out_dir: Path, *, synonyms: list[list[str]] | None = None,
          sections: list[list[str]] | None = None, cache_file: Path | None = None,
          last_issue: int | None = None) -> BuildStats:
    """Write the whole index for ``docs`` (in ascending id order; an iterator is consumed once), whose
    highest issue number is ``last_issue`` (found from ``docs`` when not given, which then are held in a
    list)."""
    if last_issue is None:
        docs = list(docs)
        last_issue = max((d.issue for d in docs), default=0)
    sizes = chunk_sizes(last_issue)
    out_dir.mkdir(parents=True, exist_ok=True)
    writer = _Writer(out_dir)
    cache = TokenCache(cache_file)
    chunks = _Chunks(writer, sizes)
    by_term: dict[str, array] = {}
    totals = [0] * len(FIELDS)
    count = postings = 0
    characters: Counter = Counter()
    last_id = -1
    try:
        for doc in docs:
            if doc.id <= last_id:
                raise ValueError(f"search documents out of id order at {doc.url}")
            last_id = doc.id
            frequencies = cache.frequencies(doc.fields)
            lengths = [sum(f.values()) for f in frequencies]
            for field_index, field_terms in enumerate(frequencies):
                for term, tf in field_terms.items():
                    packed = by_term.get(term)
                    if packed is None:
                        packed = by_term[term] = array("I")
                    packed.append(doc.id)
                    packed.append(field_index << _TF_BITS | tf)
                postings += len(field_terms)
                totals[field_index] += lengths[field_index]
            characters.update(_characters(frequencies))
            count += 1
            chunks.add(rows_of(doc, lengths))
        chunks.close()
        shards = shard_count(postings)
        grouped: list[list[str]] = [[] for _ in range(shards)]
        for term in by_term:
            grouped[shard_of(term, shards)].append(term)
        for number, terms in enumerate(grouped):
            writer.write(_shard_path(number), _shard_data({t: _unpack(by_term.pop(t)) for t in terms}))
        head = _head(count, totals, postings, shards, sizes, characters, synonyms, sections)
        writer.write("head.json.gz", head)
        cache.remember_characters(_build_key(head), characters)
    finally:
        cache.close()
    writer.remove_stale()
    return BuildStats(count, shards, postings, len(writer.kept), writer.bytes, writer.rewritten, cache.misses)


def _build_key(head: dict) -> str:
    """Ties the character counts in the cache to the index they were counted for."""
    return hashlib.sha1(encode({k: head[k] for k in ("documents", "lengths", "postings")})).hexdigest()


def _moved_terms(gone: dict[int, list[dict[str, int]]], added: dict[int, list[dict[str, int]]]) -> set[str]:
    """The terms whose postings differ: of an article edited in place, those whose frequency in some field
    changed; of an article removed, added or given another id, all of them."""
    terms: set[str] = set()
    for doc_id in gone.keys() | added.keys():
        before, after = gone.get(doc_id, [{}] * len(FIELDS)), added.get(doc_id, [{}] * len(FIELDS))
        for old_terms, new_terms in zip(before, after):
            terms.update(t for t in old_terms.keys() | new_terms.keys() if old_terms.get(t) != new_terms.get(t))
    return terms


def _last_issue(out_dir: Path, sizes: dict[str, int], issues: dict[int, list[SearchDoc]]) -> int:
    """The highest issue number the index in ``out_dir`` (chunked by ``sizes``) holds once ``issues`` (as
    in :func:`update`) replace theirs: read from its last ``meta/`` files."""
    last = max((number for number, docs in issues.items() if docs), default=0)
    groups = sorted((int(p.name.split(".")[0]) for p in (out_dir / "meta").glob("*.json.gz")), reverse=True)
    for group in groups:
        if (group + 1) * sizes["meta"] <= last:
            break
        numbers = {issue_of(row[0]) for row in decode((out_dir / _chunk_path("meta", group)).read_bytes())["docs"]}
        numbers -= issues.keys()
        if numbers:
            return max(last, *numbers)
    return last


def update(out_dir: Path, issues: dict[int, list[SearchDoc]], *, synonyms: list[list[str]] | None = None,
           sections: list[list[str]] | None = None, cache_file: Path | None = None) -> BuildStats | None:
    """Bring the index in ``out_dir`` up to date after changes confined to ``issues`` (issue number -> every
    article it now has, in id order; an empty list for an issue removed), touching only the files those
    articles are in: their chunk files, the shards of their old and new tokens and the head. The result is
    byte for byte what :func:`build` writes for the whole archive. Returns None, having changed nothing,
    when it cannot (no previous index or cache, or the shard count or the chunk sizes change): then call
    :func:`build`."""
    try:
        head = decode((out_dir / "head.json.gz").read_bytes())
    except (OSError, ValueError):
        return None
    cache = TokenCache(cache_file)
    try:
        characters = cache.characters(_build_key(head)) if head.get("format") == FORMAT else None
        if characters is None:
            return None
        sizes = head["chunks"]
        if chunk_sizes(_last_issue(out_dir, sizes, issues)) != sizes:
            return None
        writer = _Writer(out_dir)
        # the chunk files of the touched issues, and their rows
        files: dict[tuple[str, int], list[list]] = {}
        for kind in CHUNKS:
            for group in {number // sizes[kind] for number in issues}:
                try:
                    files[(kind, group)] = chunk_rows(kind, decode((out_dir / _chunk_path(kind, group)).read_bytes()))
                except OSError:
                    files[(kind, group)] = []
        old: dict[int, dict[str, list]] = {}
        for (kind, _), rows in files.items():
            for row in rows:
                if issue_of(row[0]) in issues:
                    old.setdefault(row[0], {})[kind] = row
        new_frequencies = {d.id: cache.frequencies(d.fields) for docs in issues.values() for d in docs}
        new = {d.id: rows_of(d, [sum(f.values()) for f in new_frequencies[d.id]])
               for docs in issues.values() for d in docs}
        changed = sorted(i for i in old.keys() | new.keys() if old.get(i) != new.get(i))
        gone = {i: cache.frequencies((old[i]["meta"][2], "	".join(old[i]["facets"][4:]), old[i]["text"][1]))
                for i in changed if i in old}
        added = {i: new_frequencies[i] for i in changed if i in new}
        totals, postings, count = list(head["lengths"]), head["postings"], head["documents"] - len(gone) + len(added)
        for sign, frequencies in ((-1, gone), (1, added)):
            for doc_frequencies in frequencies.values():
                for field, field_terms in enumerate(doc_frequencies):
                    totals[field] += sign * sum(field_terms.values())
                    postings += sign * len(field_terms)
                characters.subtract(_characters(doc_frequencies)) if sign < 0 else characters.update(
                    _characters(doc_frequencies))
        shards = shard_count(postings)
        if shards != head["shards"]:
            return None
        # Only the blocks of the terms the gone and added articles hold are decoded and encoded again;
        # every other block of a rewritten shard is copied as it was (the same bytes build() writes).
        touched: dict[int, dict[str, list[tuple[int, int, int]]]] = {}  # shard -> moved term -> its added postings
        moved = _moved_terms(gone, added)
        for term in moved:
            touched.setdefault(shard_of(term, shards), {})[term] = []
        for doc_id, doc_frequencies in added.items():
            for field, field_terms in enumerate(doc_frequencies):
                for term in moved.intersection(field_terms):
                    touched[shard_of(term, shards)][term].append((doc_id, field, field_terms[term]))
        gone_ids = set(gone)
        for number in sorted(touched):
            blocks = _shard_blocks(gzip.decompress((out_dir / _shard_path(number)).read_bytes()))
            for term, new_entries in touched[number].items():
                kept = [p for p in _block_postings(blocks[term]) if p[0] not in gone_ids] if term in blocks else []
                entries = sorted(kept + new_entries)
                if entries:
                    blocks[term] = _term_block(entries)
                else:
                    blocks.pop(term, None)
            writer.write(_shard_path(number), _shard_bytes(blocks))
        for (kind, group), rows in files.items():
            by_id = {row[0]: row for row in rows}
            for doc_id in changed:
                if group_of(sizes, kind, doc_id) == group:
                    by_id.pop(doc_id, None)
                    if doc_id in new:
                        by_id[doc_id] = new[doc_id][kind]
            path = _chunk_path(kind, group)
            if by_id:
                writer.write(path, chunk_data(kind, [by_id[i] for i in sorted(by_id)]))
            else:
                (out_dir / path).unlink(missing_ok=True)
        characters = +characters  # drop characters no article uses any more
        head = _head(count, totals, postings, shards, sizes, characters, synonyms, sections)
        writer.write("head.json.gz", head)
        cache.remember_characters(_build_key(head), characters)
    finally:
        cache.close()
    return BuildStats(count, shards, postings, len(writer.kept), writer.bytes, writer.rewritten, cache.misses)
