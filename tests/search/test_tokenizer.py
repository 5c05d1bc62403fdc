"""The tokenizer has one specification and one table of test vectors, checked against both
implementations: Python (index side) and JavaScript in Node (query side)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from conftest import FIXTURES, ROOT
from newsletter.search import index
from newsletter.search.tokenizer import compact, expand, query_tokens, shard_of, tokens

VECTORS = json.loads((FIXTURES / "tokenizer_vectors.json").read_text(encoding="utf-8"))
TOKENIZER_JS = ROOT / "site_plugins" / "newsletter" / "search" / "assets" / "tokenizer.js"

NODE_CHECK = r"""
const fs = require("fs");
const {createTokenizer, shardOf} = require(process.argv[1]);
const vectors = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const tk = createTokenizer(JSON.parse(fs.readFileSync(process.argv[3], "utf8")));
const out = {
  tokens: vectors.tokens.map(v => ({input: v.input, tokens: tk.tokens(v.input), query: tk.queryTokens(v.input), compact: tk.compact(v.input)})),
  shards: vectors.shards.map(v => ({token: v.token, shards: v.shards, shard: shardOf(v.token, v.shards)})),
  synonyms: vectors.synonyms.cases.map(c => ({term: c.term, expanded: tk.expand(c.term, vectors.synonyms.groups)})),
};
process.stdout.write(JSON.stringify(out));
"""


@pytest.mark.parametrize("vector", VECTORS["tokens"], ids=lambda v: v["input"] or "empty")
def test_python_tokens_match_vectors(vector):
    assert tokens(vector["input"]) == vector["tokens"]
    assert query_tokens(vector["input"]) == vector["query"]
    assert compact(vector["input"]) == vector["compact"]


def test_python_shards_and_synonyms_match_vectors():
    assert [shard_of(v["token"], v["shards"]) for v in VECTORS["shards"]] == [v["shard"] for v in VECTORS["shards"]]
    groups = VECTORS["synonyms"]["groups"]
    assert [expand(c["term"], groups) for c in VECTORS["synonyms"]["cases"]] == \
        [c["expanded"] for c in VECTORS["synonyms"]["cases"]]


def test_javascript_tokenizer_gives_the_same_tokens(tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: scripts/setup.sh installs nodejs")
    fold = tmp_path / "fold.json"
    fold.write_text(json.dumps(index.fold_json(), ensure_ascii=False), encoding="utf-8")
    result = subprocess.run([node, "-e", NODE_CHECK, str(TOKENIZER_JS), str(FIXTURES / "tokenizer_vectors.json"), str(fold)],
                            capture_output=True, text=True, check=True)
    got = json.loads(result.stdout)
    assert got["tokens"] == [{k: v[k] for k in ("input", "tokens", "query", "compact")} for v in VECTORS["tokens"]]
    assert got["shards"] == VECTORS["shards"]
    assert [c["expanded"] for c in got["synonyms"]] == [c["expanded"] for c in VECTORS["synonyms"]["cases"]]


def test_fold_table_covers_common_traditional_characters():
    table = index.fold_json()
    assert len(table["from"]) == len(table["to"]) > 2000
    assert tokens("氣候談判") == tokens("气候谈判")
    assert tokens("碳排放權") == tokens("碳排放权")
