"""The search index, built at site-build time and written under ``site/search/``.

Layout (everything a query needs, and nothing more, is fetched on demand by assets/search.js):

* ``manifest.json`` — shard count, the traditional -> simplified fold table, the synonyms and one compact
  row per article for filters, facets and ranking: ``[issue, section, source, [tags…], |title|, |tags|, |body|]``
  (indexes into the ``issues``/``sections``/``sources``/``tags`` value lists; the lengths of the article's
  lunr field vectors in thousandths).
* ``shards/<n>.json`` — the lunr index of the tokens of one hash bucket
  (:func:`~newsletter.search.tokenizer.shard_of`) in a compact form that :func:`to_lunr` (and its twin in
  assets/search.js) turns into lunr's serialized schema for ``lunr.Index.load``: ``{terms: […],
  postings: [[ref, field, weight‰, …], …]}``. Weights are lunr's BM25 over the whole archive; padding each
  field vector to the article's whole vector length makes the scores of a query's shards add up to the
  score of one unsharded lunr index.
* ``meta/<block>.json`` — title, URL, date and source of ``BLOCK`` articles each (ids are assigned newest
  issue first, so the best-ranked results share few blocks).
* ``text/<id>.txt`` — title, tags and plain text of one article (one line each, then the text), for
  exact verification and snippets.

Building is cheap to repeat: the tokens of every article are cached under the project's
``.cache/`` keyed on a hash of its title and text.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from .tokenizer import fold_table, shard_of, token_counts

FIELDS = ("title", "tags", "body")  # a hit in title or tags ranks above a body hit
LUNR_VERSION = "2.3.9"
K1, B = 1.2, 0.75
BLOCK = 50
POSTINGS_PER_SHARD = 2000
MAX_SHARDS = 4096
CACHE_VERSION = 2


@dataclass(frozen=True)
class SearchDoc:
    """One article as the search sees it (ids are positions in the list handed to :func:`build`)."""

    url: str
    title: str
    text: str
    issue: int
    issue_date: str  # ISO date of the issue
    section: str  # key
    section_title: str
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
    bytes: int
    tokenized: int  # articles tokenized now (the others came from the cache)


class TokenCache:
    """Term frequencies per field of each article, keyed on the article's content hash."""

    def __init__(self, path: Path | None):
        self.path = path
        self.entries: dict[str, list[dict[str, int]]] = {}
        self.used: dict[str, list[dict[str, int]]] = {}
        self.misses = 0
        if path and path.is_file():
            try:
                self.entries = json.loads(path.read_text(encoding="utf-8"))
            except (ValueError, OSError):
                self.entries = {}  # a damaged cache is rebuilt

    def frequencies(self, doc: SearchDoc) -> list[dict[str, int]]:
        key = doc.content_hash
        found = self.entries.get(key)
        if found is None:
            self.misses += 1
            found = [dict(token_counts(text)) for text in doc.fields]
        self.used[key] = found
        return found

    def save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.used, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, self.path)


def shard_count(postings: int) -> int:
    count = 1
    while count < MAX_SHARDS and postings / count > POSTINGS_PER_SHARD:
        count *= 2
    return count


def idf(documents_with_term: int, document_count: int) -> float:
    """lunr's idf (lunr/idf.py); ``documents_with_term`` counts a document once per field, as lunr does."""
    x = (document_count - documents_with_term + 0.5) / (documents_with_term + 0.5)
    return math.log(1 + abs(x))


@dataclass
class Postings:
    """lunr's BM25 weight (in thousandths, rounded as lunr rounds) of every (document, field, term),
    grouped by term, and the length of each document's field vector."""

    by_term: dict[str, list[int]]  # term -> flat [ref, field, weight‰, …]
    magnitude: list[list[float]]
    count: int


def postings(frequencies: list[list[dict[str, int]]]) -> Postings:
    count = len(frequencies)
    lengths = [[sum(f.values()) for f in fields] for fields in frequencies]
    average = [sum(l[i] for l in lengths) / count if count else 0 for i in range(len(FIELDS))]
    document_frequency: Counter = Counter()
    for fields in frequencies:
        for field_terms in fields:
            document_frequency.update(field_terms.keys())
    idfs = {term: idf(n, count) * (K1 + 1) for term, n in document_frequency.items()}
    by_term: dict[str, list[int]] = {term: [] for term in document_frequency}
    magnitude, total = [], 0
    for ref, (fields, doc_lengths) in enumerate(zip(frequencies, lengths)):
        doc_magnitude = []
        for field_index, field_terms in enumerate(fields):
            norm = K1 * (1 - B + B * (doc_lengths[field_index] / average[field_index])) if average[field_index] else K1
            squares = 0
            for term, tf in field_terms.items():
                weight = round(idfs[term] * tf / (norm + tf) * 1000)
                squares += weight * weight
                by_term[term] += (ref, field_index, weight)
            doc_magnitude.append(round(math.sqrt(squares) / 1000, 3))
            total += len(field_terms)
        magnitude.append(doc_magnitude)
    return Postings(by_term, magnitude, total)


def shard_postings(by_term: dict[str, list[int]], shards: int) -> list[dict[str, list[int]]]:
    """The terms of each shard with their postings."""
    grouped: list[dict[str, list[int]]] = [{} for _ in range(shards)]
    for term, flat in by_term.items():
        grouped[shard_of(term, shards)][term] = flat
    return grouped


def compact_shard(terms: dict[str, list[int]]) -> dict:
    ordered = sorted(terms)
    return {"terms": ordered, "postings": [terms[t] for t in ordered]}


def to_lunr(shard: dict, magnitude: list[list[float]] | None = None) -> dict:
    """A compact shard in lunr's serialized schema (lunr.py ``Index.serialize``; assets/search.js does the
    same before ``lunr.Index.load``). With ``magnitude`` each field vector gets one padding element, so its
    length is that of the article's whole field vector and the shard scores add up to the unsharded score."""
    inverted, vectors = [], defaultdict(list)
    for term_index, (term, flat) in enumerate(zip(shard["terms"], shard["postings"])):
        posting: dict = {"_index": term_index, **{field: {} for field in FIELDS}}
        for ref, field_index, weight in zip(flat[0::3], flat[1::3], flat[2::3]):
            posting[FIELDS[field_index]][str(ref)] = {}
            vectors[(ref, field_index)] += [term_index, weight / 1000]
        inverted.append([term, posting])
    pad_index = len(inverted)
    field_vectors = []
    for (ref, field_index), elements in sorted(vectors.items()):
        if magnitude is not None:
            rest = magnitude[ref][field_index] ** 2 - sum(w * w for w in elements[1::2])
            if rest > 1e-9:
                elements = elements + [pad_index, math.sqrt(rest)]
        field_vectors.append([f"{FIELDS[field_index]}/{ref}", elements])
    return {"version": LUNR_VERSION, "fields": list(FIELDS), "fieldVectors": field_vectors,
            "invertedIndex": inverted, "pipeline": []}


def fold_json(used: set[str] | None = None) -> dict[str, str]:
    """The fold table for the browser; with ``used`` (the archive's characters) only the entries whose
    simplified form occurs: a query character folding to anything else cannot match anyway."""
    table = {t: s for t, s in fold_table().items() if used is None or s in used}
    return {"from": "".join(table), "to": "".join(table.values())}


def _values(docs: list[SearchDoc], pick) -> list:
    return list(dict.fromkeys(v for d in docs for v in pick(d)))


def manifest(docs: list[SearchDoc], shards: int, magnitude: list[list[float]], synonyms: list[list[str]]) -> dict:
    issues = sorted({(d.issue, d.issue_date) for d in docs}, reverse=True)
    sections = list(dict.fromkeys((d.section, d.section_title) for d in docs))
    sources = _values(docs, lambda d: [d.source] if d.source else [])
    tags = _values(docs, lambda d: d.tags)
    issue_at = {number: i for i, (number, _) in enumerate(issues)}
    section_at = {key: i for i, (key, _) in enumerate(sections)}
    source_at = {s: i for i, s in enumerate(sources)}
    tag_at = {t: i for i, t in enumerate(tags)}
    rows = [[issue_at[d.issue], section_at[d.section], source_at.get(d.source, -1), [tag_at[t] for t in d.tags],
             *(round(m * 1000) for m in mags)] for d, mags in zip(docs, magnitude)]
    return {
        "version": 1, "shards": shards, "block": BLOCK, "fields": list(FIELDS),
        "issues": [[n, date] for n, date in issues], "sections": [list(s) for s in sections],
        "sources": sources, "tags": tags, "docs": rows, "synonyms": synonyms, "fold": fold_json(set().union(*(set("".join(d.fields)) for d in docs))),
    }


def meta_blocks(docs: list[SearchDoc]) -> list[list[list[str]]]:
    return [[[d.url, d.title, d.date, d.source] for d in docs[start: start + BLOCK]]
            for start in range(0, len(docs), BLOCK)]


def order_newest_first(docs: list[SearchDoc]) -> list[SearchDoc]:
    """Ids follow this order: newest issue first, articles in issue order."""
    return sorted(docs, key=lambda d: -d.issue)


def _write_json(path: Path, data) -> int:
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    path.write_bytes(raw)
    return len(raw)


def build(docs: list[SearchDoc], out_dir: Path, *, synonyms: list[list[str]] | None = None,
          cache_file: Path | None = None) -> BuildStats:
    """Write the whole index for ``docs`` (already in id order, see :func:`order_newest_first`)."""
    cache = TokenCache(cache_file)
    frequencies = [cache.frequencies(d) for d in docs]
    cache.save()
    weighted = postings(frequencies)
    shards = shard_count(weighted.count)
    for sub in ("shards", "meta", "text"):
        (out_dir / sub).mkdir(parents=True, exist_ok=True)
    written = _write_json(out_dir / "manifest.json", manifest(docs, shards, weighted.magnitude, synonyms or []))
    for number, terms in enumerate(shard_postings(weighted.by_term, shards)):
        written += _write_json(out_dir / "shards" / f"{number}.json", compact_shard(terms))
    for number, block in enumerate(meta_blocks(docs)):
        written += _write_json(out_dir / "meta" / f"{number}.json", block)
    for ref, doc in enumerate(docs):
        raw = "\n".join(doc.fields).encode("utf-8")
        (out_dir / "text" / f"{ref}.txt").write_bytes(raw)
        written += len(raw)
    return BuildStats(len(docs), shards, weighted.count, written, cache.misses)
