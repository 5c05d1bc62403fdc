"""The index writer against lunr.py itself: with one shard, our compact shard turned into lunr's
schema carries the same postings and the same BM25 weights as lunr.py's Builder on the same tokens;
with many shards, the per-shard scores add up to the single-index score."""

from __future__ import annotations

import json

import lunr
from lunr.builder import Builder
from lunr.index import Index
from lunr.token import Token

from newsletter.search import index
from newsletter.search.tokenizer import tokens

DOCS = [
    index.SearchDoc("issues/34/a/", "深圳碳市场建设", "深圳碳交易市场于2013年6月18日正式启动，是中国首个碳市场。", 34, "2014-10-31",
                    "market", "市场热点", "2014-10-25", "深圳商报", ("碳市场",)),
    index.SearchDoc("issues/34/b/", "发改委通过 90 个 CCER 备案", "风电光伏项目受青睐。CCER项目备案加快。", 34, "2014-10-31",
                    "domestic", "国内资讯", "2014-10-27", "新华网", ("CCER",)),
    index.SearchDoc("issues/33/c/", "APEC 会议", "APEC 首脑峰会“零碳”场馆实现碳中和，2020年目标。", 33, "2013-09-30",
                    "international", "国际资讯", "2013-09-20", "新华网", ()),
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
        for ref, doc in enumerate(docs):
            builder.add({"id": str(ref), **dict(zip(index.FIELDS, doc.fields))})
    finally:
        builder_module.Tokenizer = original
    return builder.build().serialize()


def weights_by_term(serialized: dict) -> dict:
    terms = {i["_index"]: t for t, i in serialized["invertedIndex"]}
    out = {}
    for ref, elements in serialized["fieldVectors"]:
        for term_index, weight in zip(elements[0::2], elements[1::2]):
            if term_index in terms:
                out[(ref, terms[term_index])] = round(weight, 3)
    return out


def postings(serialized: dict) -> dict:
    return {t: {f: sorted(p[f]) for f in index.FIELDS} for t, p in serialized["invertedIndex"]}


def build(tmp_path, docs=DOCS):
    stats = index.build(docs, tmp_path / "out", cache_file=tmp_path / "cache.json")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    shards = [json.loads((tmp_path / "out" / "shards" / f"{n}.json").read_text(encoding="utf-8")) for n in range(stats.shards)]
    return stats, manifest, shards


def test_one_shard_equals_lunr_py(tmp_path):
    stats, manifest, shards = build(tmp_path)
    assert stats.shards == 1
    ours = index.to_lunr(shards[0])
    theirs = lunr_py_index(DOCS)
    assert postings(ours) == postings(theirs)
    assert weights_by_term(ours) == weights_by_term(theirs)
    Index.load(ours)  # lunr.py reads it


def test_shard_scores_add_up_to_the_single_index_score(tmp_path, monkeypatch):
    monkeypatch.setattr(index, "POSTINGS_PER_SHARD", 10)
    stats, manifest, shards = build(tmp_path)
    assert stats.shards > 4
    magnitude = [[m / 1000 for m in row[4:]] for row in manifest["docs"]]
    single = Index.load(lunr_py_index(DOCS))
    for term in ["碳市", "市场", "ccer", "apec", "碳", "深圳"]:
        shard = Index.load(index.to_lunr(shards[index.shard_of(term, stats.shards)], magnitude))
        expected = {r["ref"]: r["score"] for r in single.query(single.create_query().term(term, use_pipeline=False))}
        got = {r["ref"]: r["score"] for r in shard.query(shard.create_query().term(term, use_pipeline=False))}
        assert got.keys() == expected.keys() and expected
        for ref in expected:
            assert abs(got[ref] - expected[ref]) < 0.01 * expected[ref] + 0.002, term


def test_rebuild_reuses_tokens_of_unchanged_articles(tmp_path):
    first, _, _ = build(tmp_path)
    assert first.tokenized == 3
    changed = [DOCS[0], DOCS[1], index.SearchDoc(**{**DOCS[2].__dict__, "text": "改过的正文"})]
    second, _, _ = build(tmp_path, changed)
    assert second.tokenized == 1


def test_manifest_rows_hold_facet_values(tmp_path):
    _, manifest, _ = build(tmp_path)
    assert manifest["issues"] == [[34, "2014-10-31"], [33, "2013-09-30"]]
    assert manifest["sources"] == ["深圳商报", "新华网"]
    row = manifest["docs"][1]
    assert manifest["sections"][row[1]] == ["domestic", "国内资讯"]
    assert [manifest["tags"][t] for t in row[3]] == ["CCER"]
