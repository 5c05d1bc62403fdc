"""Regenerate tests/fixtures/tokenizer_vectors.json from the Python tokenizer.

Run only when the tokenizer specification changes, then review the diff line by line: the JS test
checks assets/tokenizer.js against this file.   PYTHONPATH=site_plugins python scripts/tokenizer_vectors.py
"""

import json
from pathlib import Path

from newsletter.search.tokenizer import compact, expand, query_tokens, shard_of, tokens

INPUTS = [
    "碳市场建设", "市场建设", "CCER项目", "2020年", "APEC", "年", "氣候談判", "气候谈判",
    "ＡＰＥＣ２０１４年會議", "联合国气候变化框架公约（UNFCCC）", "市场 建设", "Carbon-Market, 2.5℃!",
    "深圳碳交易市场于2013年6月18日正式启动", "發改委", "𠮷野家", "\uf900", "Ⅻ号 ①②", "中華人民共和國國務院",
    "碳排放權交易管理暫行辦法", "", "   ", "EU ETS 排放交易体系", "歐盟碳價", "CO₂ 排放", "ｋＷｈ", "臺灣", "台湾",
    "さくら 樱花", "한국 韩国", "<script>alert(1)</script>", "比索", "碳碳碳", "İstanbul Ω",
]
SYNONYMS = [["发改委", "国家发展和改革委员会"], ["联合国气候变化框架公约", "UNFCCC"], ["碳交易", "排放交易", "ETS"]]
TERMS = ["发改委", "發改委", "unfccc", "UNFCCC", "公约", "国家发展和改革委员会", "碳市场", "ets", "排放 交易"]


def vectors() -> dict:
    return {
        "about": "Shared test vectors of the search tokenizer (search/tokenizer.py and search/assets/tokenizer.js); "
                 "regenerate with scripts/tokenizer_vectors.py only when the specification changes.",
        "tokens": [{"input": i, "tokens": tokens(i), "query": query_tokens(i), "compact": compact(i)} for i in INPUTS],
        "shards": [{"token": t, "shards": n, "shard": shard_of(t, n)}
                   for t in ["碳市", "市场", "apec", "2020", "年", "𠮷野", "x"] for n in (16, 1024)],
        "synonyms": {"groups": SYNONYMS, "cases": [{"term": t, "expanded": expand(t, SYNONYMS)} for t in TERMS]},
    }


if __name__ == "__main__":
    target = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "tokenizer_vectors.json"
    target.write_text(json.dumps(vectors(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {target}")
