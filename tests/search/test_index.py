"""The index writer against lunr.py itself, and its incremental behaviour.

The shards hold raw term frequencies, the metadata chunks field lengths and the global file the document
count and average field lengths: put into lunr's BM25 formula (written out here from lunr's builder) they
give exactly the weights lunr.py's Builder computes on the same tokens. A rebuild after one edit rewrites
only the files that edit touches and leaves the same bytes as a clean build."""

from __future__ import annotations

import gzip
import json
import math
import struct
from dataclasses import replace

import pytest
from lunr.builder import Builder
from lunr.token import Token

from newsletter.search import index
from newsletter.search.tokenizer import tokens

DOCS = [
    index.SearchDoc(33 * 256, "issues/33/c/", "APEC 会议", "APEC 首脑峰会“零碳”场馆实现碳中和，2020年目标。", 33,
                    "2013-09-30", "international", "2013-09-20", "新华网", ()),
    index.SearchDoc(34 * 256, "issues/34/a/", "深圳碳市场建设", "深圳碳交易市场于2013年6月18日正式启动，是中国首个碳市场。", 34,
                    "2014-10-31", "market", "2014-10-25", "深圳商报", ("碳市场",)),
    index.SearchDoc(34 * 256 + 1, "issues/34/b/", "发改委通过 90 个 CCER 备案", "风电光伏项目受青睐。CCER项目备案加快。", 34,
                    "2014-10-31", "domestic", "2014-10-27", "新华网", ("CCER", "碳市场")),
]


def lunr_py_index(docs) -> dict:
    builder = Builder()
    builder.pipeline.reset()
    builder.search_pipeline.reset()
    builder.ref("id")
    for field in index.FIELDS:
        builder.field(field)
    import lunr.builder as builder_module

    original = builder_module.Tokenizer
    builder_module.Tokenizer = lambda text, *a, **k: [Token(t) for t in tokens(text or "")]
    try:
        for doc in docs:
            builder.add({"id": str(doc.id), **dict(zip(index.FIELDS, doc.fields))})
    finally:
        builder_module.Tokenizer = original
    return builder.build().serialize()


def read(path):
    return json.loads(gzip.decompress(path.read_bytes()))


def read_shard(path) -> dict[str, dict[tuple[int, int], int]]:
    """A shard read by hand from its documented layout (index._shard_data, _term_block): {term: {(ref, field): tf}}."""
    raw = gzip.decompress(path.read_bytes())
    assert raw[:4] == b"NLS4"
    (length,) = struct.unpack_from("<I", raw, 4)
    assert length % 4 == 0
    header = json.loads(raw[8:8 + length])
    body = raw[8 + length:]

    def ints(at, count, width):
        return list(struct.unpack_from("<" + {1: "B", 2: "H", 4: "I"}[width] * count, body, at)), at + -(-count * width // 4) * 4

    out = {}
    for term, at in zip(header["terms"], header["at"]):
        n, first, m, id_width, tf_width, pad = struct.unpack_from("<IIIBBH", body, at)
        assert pad == 0 and at % 4 == 0
        deltas, at = ints(at + 16, n - 1, id_width)
        masks, at = ints(at, n, 1)
        tfs, _ = ints(at, m, tf_width)
        refs = [first]
        for delta in deltas:
            refs.append(refs[-1] + delta)
        pairs = [(ref, field) for ref, mask in zip(refs, masks) for field in range(3) if mask >> field & 1]
        assert len(pairs) == m
        out[term] = dict(zip(pairs, tfs))
    return out


def stored(out):
    """(head, {term: {(ref, field): tf}}, {ref: meta row}) read straight from the files."""
    head = read(out / "head.json.gz")
    postings = {}
    for shard in sorted((out / "shards").iterdir()):
        postings.update(read_shard(shard))
    meta = {row[0]: row for chunk in sorted((out / "meta").iterdir()) for row in read(chunk)["docs"]}
    return head, postings, meta


def bm25(tf, df, documents, length, average):
    """lunr's field-vector weight (lunr/builder.py create_field_vectors, lunr/idf.py)."""
    idf = math.log(1 + abs((documents - df + 0.5) / (df + 0.5)))
    return round(idf * ((1.2 + 1) * tf) / (1.2 * (1 - 0.75 + 0.75 * (length / average)) + tf), 3)


def test_stored_statistics_give_lunr_py_weights(tmp_path):
    stats = index.build(DOCS, tmp_path / "out")
    head, postings, meta = stored(tmp_path / "out")
    theirs = lunr_py_index(DOCS)
    assert head["documents"] == stats.documents == 3
    terms = {i["_index"]: t for t, i in theirs["invertedIndex"]}
    expected, got = {}, {}
    for field_ref, elements in theirs["fieldVectors"]:
        field_name, ref = field_ref.split("/")
        field = index.FIELDS.index(field_name)
        for term_index, weight in zip(elements[0::2], elements[1::2]):
            expected[(terms[term_index], int(ref), field)] = weight
    for term, entry in postings.items():
        df = len(entry)
        for (ref, field), tf in entry.items():
            got[(term, ref, field)] = bm25(tf, df, head["documents"], meta[ref][4 + field], head["average"][field])
    assert got == expected
    assert len(expected) > 100


def test_no_file_holds_a_row_for_every_article_and_chunks_follow_issues(tmp_path):
    docs = [replace(DOCS[0], id=n * 256, issue=n, url=f"issues/{n}/c/") for n in range(1, 41)]
    index.build(docs, tmp_path / "out")
    out = tmp_path / "out"
    assert sorted(p.name for p in (out / "meta").iterdir()) == ["0.json.gz", "1.json.gz", "2.json.gz"]  # 1-15, 16-31, 32-40
    assert [row[0] for row in read(out / "meta" / "1.json.gz")["docs"]] == [n * 256 for n in range(16, 32)]
    assert [row[0] for row in read(out / "text" / "0.json.gz")["docs"]] == [256]
    assert [row[0] for row in read(out / "text" / "20.json.gz")["docs"]] == [40 * 256]
    assert [row[0] for row in read(out / "facets" / "1.json.gz")["docs"]] == [n * 256 for n in range(32, 41)]
    head = read(out / "head.json.gz")
    assert "docs" not in head and head["documents"] == 40


def test_facet_rows_hold_facet_values(tmp_path):
    index.build(DOCS, tmp_path / "out")
    chunk = read(tmp_path / "out" / "facets" / "1.json.gz")
    rows = [[row[0], *(chunk["values"][v] for v in row[1:3]), row[3], *(chunk["values"][v] for v in row[4:])]
            for row in chunk["docs"]]
    assert rows == [[33 * 256, "international", "新华网", 2013], [34 * 256, "market", "深圳商报", 2014, "碳市场"],
                    [34 * 256 + 1, "domestic", "新华网", 2014, "CCER", "碳市场"]]


def snapshot(out):
    return {p.relative_to(out).as_posix(): (p.read_bytes(), p.stat().st_ino) for p in out.rglob("*") if p.is_file()}


def test_rebuild_after_one_edit_rewrites_only_what_it_touches_and_equals_a_clean_build(tmp_path, monkeypatch):
    monkeypatch.setattr(index, "POSTINGS_PER_SHARD", 20)
    out, cache = tmp_path / "out", tmp_path / "cache.sqlite"
    many = [replace(DOCS[0], id=n * 256, issue=n, url=f"issues/{n}/c/", text=f"第{n}期的正文，碳市场建设。")
            for n in range(1, 34)] + DOCS[1:]
    first = index.build(many, out, cache_file=cache)
    assert first.tokenized == len(many) and first.shards > 4
    before = snapshot(out)
    edited = [replace(d, text="改过的正文：排污权。") if d.id == 34 * 256 else d for d in many]
    second = index.build(edited, out, cache_file=cache)
    assert second.tokenized == 1
    after = snapshot(out)
    changed = {name for name in after if after[name] != before.get(name)}
    # the article's own chunks (issue 34: meta group 2, text group 17; facets group 1 unchanged: its facet
    # values did not change) and the global file
    assert {n for n in changed if not n.startswith("shards/")} == {"meta/2.json.gz", "text/17.json.gz", "head.json.gz"}
    assert 0 < len([n for n in changed if n.startswith("shards/")]) < first.shards
    assert second.rewritten == len(changed)
    index.build(edited, tmp_path / "clean")
    clean = snapshot(tmp_path / "clean")
    assert {k: v[0] for k, v in after.items()} == {k: v[0] for k, v in clean.items()}


def test_ids_are_stable_when_issues_and_articles_are_added():
    assert index.doc_ids(34, ["02-b", "01-a"]) == {"01-a": 34 * 256, "02-b": 34 * 256 + 1}
    assert index.doc_ids(34, ["02-b", "01-a", "03-c"])["02-b"] == 34 * 256 + 1


def test_too_many_articles_in_one_issue_is_an_error_naming_the_issue():
    with pytest.raises(ValueError) as raised:
        index.doc_ids(7, [f"{n:03}" for n in range(257)])
    assert str(raised.value) == "issue 7: 257 articles; the search allows 256 per issue"


WORDS = ["碳市场建设", "排污权交易", "气候谈判", "节能减排", "可再生能源", "碳排放权", "温室气体", "绿色建筑"]


def issue_docs(number: int, slugs: list[str], *, edited: dict[str, str] | None = None) -> list[index.SearchDoc]:
    ids = index.doc_ids(number, slugs)
    docs = []
    for slug in sorted(slugs):
        word = WORDS[(number + len(slug) + ord(slug[-1])) % len(WORDS)]
        text = (edited or {}).get(slug, f"第{number}期{slug}：{word}，{WORDS[number % len(WORDS)]}。")
        docs.append(index.SearchDoc(ids[slug], f"issues/{number}/{slug}/", f"{word}{number}", text, number,
                                    f"{2013 + number // 10}-06-01", ("market", "policy")[number % 2],
                                    f"{2013 + number // 10}-05-30", f"{word[:2]}报", (word[:2], f"标签{number % 3}")))
    return docs


def test_update_rewrites_only_touched_files_and_equals_a_clean_build(tmp_path, monkeypatch):
    monkeypatch.setattr(index, "POSTINGS_PER_SHARD", 8)
    archive = {n: issue_docs(n, ["01-a", "02-b"]) for n in range(1, 31)}
    out, cache = tmp_path / "out", tmp_path / "cache.sqlite"
    first = index.build([d for n in sorted(archive) for d in archive[n]], out, cache_file=cache, synonyms=[["a", "b"]])
    before = snapshot(out)
    changes = {
        5: issue_docs(5, ["01-a", "02-b"], edited={"01-a": "改过的正文：光伏发电。"}),  # an edit
        7: issue_docs(7, ["01-a", "015-x", "02-b"]),  # an article added in the middle: 02-b's id moves
        9: issue_docs(9, ["01-a"]),  # an article removed
        12: [],  # an issue removed
        31: issue_docs(31, ["01-a", "02-b"]),  # a new issue
    }
    stats = index.update(out, changes, cache_file=cache, synonyms=[["a", "b"]])
    assert stats is not None and stats.shards == first.shards
    archive.update(changes)
    clean = tmp_path / "clean"
    index.build([d for n in sorted(archive) for d in archive[n]], clean, synonyms=[["a", "b"]])
    after = snapshot(out)
    assert {k: v[0] for k, v in after.items()} == {k: v[0] for k, v in snapshot(clean).items()}
    changed = {name for name in after if after[name] != before.get(name)}
    assert stats.rewritten == len(changed)
    untouched_shards = [n for n in before if n.startswith("shards/") and n not in changed]
    assert len(untouched_shards) > first.shards // 4  # most shards hold none of the changed tokens
    assert {n for n in changed if not n.startswith("shards/")} == {
        "head.json.gz", "meta/0.json.gz", "meta/1.json.gz", "text/2.json.gz", "text/3.json.gz", "text/4.json.gz",
        "text/6.json.gz", "text/15.json.gz", "facets/0.json.gz"}
    assert index.update(out, changes, cache_file=cache, synonyms=[["a", "b"]]).rewritten == 0


def test_update_without_a_cache_asks_for_a_full_build(tmp_path):
    out = tmp_path / "out"
    index.build(DOCS, out)
    assert index.update(out, {34: DOCS[1:]}) is None
    assert index.update(tmp_path / "missing", {34: DOCS[1:]}, cache_file=tmp_path / "c.sqlite") is None


def test_chunk_files_grow_with_the_archive_so_their_number_stays_bounded():
    assert index.chunk_sizes(40) == {"meta": 16, "text": 2, "facets": 32}
    assert index.chunk_sizes(800) == {"meta": 16, "text": 4, "facets": 32}  # 20,000 articles: 201 text files
    assert index.chunk_sizes(5200) == {"meta": 128, "text": 32, "facets": 256}  # 130,000 articles


def test_the_head_names_the_chunk_sizes_the_files_follow(tmp_path, monkeypatch):
    monkeypatch.setitem(index.CHUNKS, "text", (2, 4))  # 40 issues in at most 4 text files: 16 issues a file
    docs = [replace(DOCS[0], id=n * 256, issue=n, url=f"issues/{n}/c/") for n in range(1, 41)]
    index.build(docs, tmp_path / "out")
    assert read(tmp_path / "out" / "head.json.gz")["chunks"] == {"meta": 16, "text": 16, "facets": 32}
    assert sorted(p.name for p in (tmp_path / "out" / "text").iterdir()) == ["0.json.gz", "1.json.gz", "2.json.gz"]
    assert [row[0] for row in read(tmp_path / "out" / "text" / "1.json.gz")["docs"]] == [n * 256 for n in range(16, 32)]


def test_update_asks_for_a_full_build_when_the_archive_outgrows_its_chunk_sizes(tmp_path, monkeypatch):
    monkeypatch.setitem(index.CHUNKS, "text", (2, 16))  # up to issue 31 two issues a file, from 32 on four
    out, cache = tmp_path / "out", tmp_path / "cache.sqlite"
    index.build([d for n in range(1, 31) for d in issue_docs(n, ["01-a"])], out, cache_file=cache)
    assert index.update(out, {32: issue_docs(32, ["01-a"])}, cache_file=cache) is None
    assert index.update(out, {31: issue_docs(31, ["01-a"])}, cache_file=cache) is not None
    assert index.update(out, {31: []}, cache_file=cache) is not None  # back to issue 30 as the last one
