"""The search index, built at site-build time and written under ``site/search/data/``.

Every file is JSON compressed with gzip (``*.json.gz``, written byte for byte the same for the same
content); assets/search.js fetches only what a query needs and decompresses it in the browser.

Layout — nothing that holds one row per article is ever fetched whole:

* ``head.json.gz`` — the one global file: document count, the average length of each field (what lunr's
  BM25 needs beyond a term's postings), shard count, sections, synonyms and the traditional -> simplified
  fold table (only the characters the archive uses). It changes on every edit and stays small: nothing
  in it grows with the number of articles.
* ``shards/<n>.json.gz`` — the postings of the tokens of one hash bucket
  (:func:`~newsletter.search.tokenizer.shard_of`): per term and field, the ids of the articles holding it
  (delta coded) and its raw term frequency there. Raw frequencies, not weights: lunr's BM25 weight of a
  term (idf from its document frequency and the document count, field length over the average) is
  computed in the browser, so an edit rewrites only the shards of the article's old and new tokens.
* ``facets/<g>.json.gz`` — ``{values: [section, source and tag strings], docs: [[id, section, source, year,
  tag…]]}`` (strings as positions in ``values``), 32 issues to a file: what filters and facet counts need,
  fetched for the groups that hold a query's matches.
* ``meta/<g>.json.gz`` — per article ``[id, url, title, date, |title|, |tags|, |body|]`` (field lengths in
  tokens), 16 issues to a file: fetched for the results on the visible page.
* ``text/<g>.json.gz`` — per article ``[id, plain text]``, 2 issues to a file: exact-phrase checks and
  snippets of the results on the visible page.

Article ids are stable: ``issue number × 256 + rank of the article's slug within its issue``. Adding an
issue or an article never moves another issue's ids, so the groups above (by issue number) of other
issues do not change either.

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
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .tokenizer import fold_table, shard_of, token_counts

FIELDS = ("title", "tags", "body")  # a hit in title or tags ranks above a body hit
FORMAT = 3
SLOTS = 256  # ids per issue
META_ISSUES, TEXT_ISSUES, FACET_ISSUES = 16, 2, 32  # issues per chunk file of each kind
POSTINGS_PER_SHARD = 16_000
MAX_SHARDS = 512
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
    def content_hash(self) -> str:
        return hashlib.sha1("\0".join((str(CACHE_VERSION), *self.fields)).encode()).hexdigest()

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


class TokenCache:
    """Term frequencies per field of each article, keyed on the article's content hash (SQLite: only the
    entries in use are read, one at a time)."""

    def __init__(self, path: Path | None):
        self.db = None
        self.misses = 0
        self.pending: list[tuple[str, str]] = []
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self.db = sqlite3.connect(path)
                self.db.execute("CREATE TABLE IF NOT EXISTS counts (hash TEXT PRIMARY KEY, fields TEXT)")
            except sqlite3.DatabaseError:
                path.unlink(missing_ok=True)  # a damaged cache is rebuilt
                self.db = sqlite3.connect(path)
                self.db.execute("CREATE TABLE IF NOT EXISTS counts (hash TEXT PRIMARY KEY, fields TEXT)")

    def frequencies(self, doc: SearchDoc) -> list[dict[str, int]]:
        key = doc.content_hash
        if self.db is not None:
            row = self.db.execute("SELECT fields FROM counts WHERE hash = ?", (key,)).fetchone()
            if row is not None:
                return json.loads(row[0])
        self.misses += 1
        found = [dict(token_counts(text)) for text in doc.fields]
        if self.db is not None:
            self.pending.append((key, json.dumps(found, ensure_ascii=False, separators=(",", ":"))))
        return found

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
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
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


class _Chunks:
    """Rows of one kind of chunk file, flushed when the group (issue number // per) changes."""

    def __init__(self, writer: _Writer, kind: str, per: int):
        self.writer, self.kind, self.per = writer, kind, per
        self.group: int | None = None
        self.rows: list = []

    def add(self, doc_id: int, row: list) -> None:
        group = issue_of(doc_id) // self.per
        if group != self.group:
            self.flush()
            self.group = group
        self.rows.append(row)

    def flush(self) -> None:
        if self.rows:
            self.writer.write(f"{self.kind}/{self.group}.json.gz", self.data(self.rows))
        self.rows = []

    @staticmethod
    def data(rows: list) -> dict:
        return {"docs": rows}


class _FacetChunks(_Chunks):
    """Facet rows with their strings replaced by positions in the chunk's own value list."""

    @staticmethod
    def data(rows: list) -> dict:
        values = list(dict.fromkeys(v for row in rows for v in (row[1], row[2], *row[4:])))
        at = {v: i for i, v in enumerate(values)}
        return {"values": values, "docs": [[row[0], at[row[1]], at[row[2]], row[3], *(at[t] for t in row[4:])]
                                           for row in rows]}


def _shard_data(terms: dict[str, array]) -> dict:
    """One shard: sorted terms, and per term and field [delta-coded ids, term frequencies]."""
    ordered = sorted(terms)
    postings = []
    for term in ordered:
        packed = terms[term]
        per_field: list[list[list[int]]] = [[[], []] for _ in FIELDS]
        for doc_id, value in zip(packed[0::2], packed[1::2]):
            ids, tfs = per_field[value >> _TF_BITS]
            ids.append(doc_id)
            tfs.append(value & ((1 << _TF_BITS) - 1))
        flat = []
        for ids, tfs in per_field:
            flat += [[b - a for a, b in zip([0] + ids, ids)], tfs]
        postings.append(flat)
    return {"terms": ordered, "postings": postings}


def build(docs: Iterable[SearchDoc], out_dir: Path, *, synonyms: list[list[str]] | None = None,
          sections: list[list[str]] | None = None, cache_file: Path | None = None) -> BuildStats:
    """Write the whole index for ``docs`` (in ascending id order; an iterator is consumed once)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    writer = _Writer(out_dir)
    cache = TokenCache(cache_file)
    chunks = [_Chunks(writer, "meta", META_ISSUES), _Chunks(writer, "text", TEXT_ISSUES),
              _FacetChunks(writer, "facets", FACET_ISSUES)]
    by_term: dict[str, array] = {}
    totals = [0] * len(FIELDS)
    count = postings = 0
    used: set[str] = set()
    last_id = -1
    try:
        for doc in docs:
            if doc.id <= last_id:
                raise ValueError(f"search documents out of id order at {doc.url}")
            last_id = doc.id
            frequencies = cache.frequencies(doc)
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
                used.update(field_terms)
            count += 1
            chunks[0].add(doc.id, [doc.id, doc.url, doc.title, doc.date, *lengths])
            chunks[1].add(doc.id, [doc.id, doc.text])
            chunks[2].add(doc.id, [doc.id, doc.section, doc.source, int(doc.issue_date[:4]), *doc.tags])
    finally:
        cache.close()
    for chunk in chunks:
        chunk.flush()
    shards = shard_count(postings)
    grouped: list[dict[str, array]] = [{} for _ in range(shards)]
    for term in list(by_term):
        grouped[shard_of(term, shards)][term] = by_term.pop(term)
    for number, terms in enumerate(grouped):
        writer.write(f"shards/{number}.json.gz", _shard_data(terms))
        grouped[number] = {}
    characters = {c for term in used for c in term}
    writer.write("head.json.gz", {
        "format": FORMAT, "fields": list(FIELDS), "documents": count,
        "average": [total / count if count else 0 for total in totals], "shards": shards, "slots": SLOTS,
        "chunks": {"meta": META_ISSUES, "text": TEXT_ISSUES, "facets": FACET_ISSUES},
        "sections": sections or [], "synonyms": synonyms or [], "fold": fold_json(characters),
    })
    writer.remove_stale()
    return BuildStats(count, shards, postings, len(writer.kept), writer.bytes, writer.rewritten, cache.misses)
