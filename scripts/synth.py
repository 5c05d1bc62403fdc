#!/usr/bin/env python3
"""Deterministic synthetic archive: N issues of articles in our content format, for tests and benchmarks.

Bodies recombine sentences of issue 34 (``scripts/synth_corpus.txt``). Everything is marked synthetic:
titles start with ［合成］, every issue's publisher is 合成数据（测试用） and its note says so.
Never commit the output as content.

    python scripts/synth.py --issues 40 --out /tmp/archive          # writes /tmp/archive/issues/NNN/…
    from synth import generate; generate(Path("/tmp/a"), issues=3)   # the same from Python

The same arguments always give byte-identical files. The first issue is dated 2013-12-20 and issues
follow weekly, so even three issues span two calendar years (and two months).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from pathlib import Path

CORPUS = Path(__file__).with_name("synth_corpus.txt")
FIRST_DATE = dt.date(2013, 12, 20)
MARK = "［合成］"
PUBLISHER = "合成数据（测试用）"
NOTE = "合成数据：本期由 scripts/synth.py 从第 34 期的句子随机重组生成，仅供测试与性能基准，内容不具真实性。"

# (key, weight): how many articles of each section a typical issue holds.
SECTIONS = (("market", 6), ("policy", 5), ("domestic", 6), ("international", 4), ("reading", 2), ("announcements", 1))

# Used when the project has no issues/tags.yml; written there so the generated archive checks clean.
TAGS = (
    "碳交易", "碳市场", "碳汇", "CCER", "CDM", "排污权", "气候谈判", "气候变化", "节能减排", "大气污染防治",
    "新能源", "可再生能源", "低碳发展", "碳排放", "配额", "碳金融", "绿色建筑", "循环经济", "环境治理",
    "能源政策", "国际合作", "北京", "上海", "广东", "深圳", "湖北", "天津", "重庆", "欧盟", "APEC",
)

SOURCES = (
    "新华网", "人民网", "中国证券报", "21世纪经济报道", "经济参考报", "中国环境报", "中国能源报", "碳K线",
    "国家发展和改革委员会", "广东省发展改革委", "深圳商报", "承德日报", "南方日报", "第一财经日报",
    "财新网", "中国经济网", "路透社", "彭博新闻社", "Carbon Pulse", "中外对话 chinadialogue",
)

DOC_PREFIXES = ("发改气候", "发改环资", "粤发改", "京政发", "宁政发", "沪府发", "深府办")


def _corpus() -> list[str]:
    return [line.strip() for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


def _vocabulary(dest: Path) -> tuple[str, ...]:
    """The destination's tags.yml if it has one, else the repository's, else our built-in list."""
    for path in (dest / "issues" / "tags.yml", Path(__file__).resolve().parent.parent / "issues" / "tags.yml"):
        if path.is_file():
            tags = [line.strip()[1:].strip().strip("'\"") for line in path.read_text(encoding="utf-8").splitlines()
                    if line.strip().startswith("- ")]
            if tags:
                return tuple(tags)
    return TAGS


def _yaml(value) -> str:
    """A YAML scalar or flow list; JSON strings are valid YAML and escape everything that needs it."""
    return json.dumps(value, ensure_ascii=False)


def _title(rng: random.Random, sentences: list[str]) -> str:
    for _ in range(20):
        clause = rng.choice(sentences).split("，")[0].rstrip("。！？”“ ")
        if 10 <= len(clause) <= 30 and not clause[0].isdigit():
            return MARK + clause
    return MARK + rng.choice(sentences)[:20]


def _table(rng: random.Random) -> str:
    rows = ["| 试点 | 成交量（万吨） | 均价（元/吨） |", "| --- | ---: | ---: |"]
    for place in rng.sample(["北京", "上海", "广东", "深圳", "天津", "湖北", "重庆"], 4):
        rows.append(f"| {place} | {rng.randint(1, 900) / 10:.1f} | {rng.randint(200, 900) / 10:.2f} |")
    return "\n".join(rows)


def _body(rng: random.Random, sentences: list[str], footnote: bool, table: bool, subheads: bool) -> str:
    paragraphs = []
    for p in range(rng.randint(3, 9)):
        if subheads and p in (1, 4):
            paragraphs.append(f"### {'一二三四五'[p // 3]}、{_title(rng, sentences)[len(MARK):][:12]}")
        paragraphs.append("".join(rng.choice(sentences) for _ in range(rng.randint(1, 5))))
    if table:
        paragraphs.insert(min(2, len(paragraphs)), _table(rng))
    if footnote:
        paragraphs[0] += "[^1]"
        paragraphs.append("[^1]: 合成数据的脚注：" + rng.choice(sentences))
    return "\n\n".join(paragraphs)


def _sections_for(rng: random.Random, count: int) -> list[str]:
    """Every section at least once when there is room, the rest by weight."""
    keys = [key for key, _ in SECTIONS]
    chosen = keys[:count] if count < len(keys) else list(keys)
    chosen += rng.choices(keys, weights=[w for _, w in SECTIONS], k=max(0, count - len(chosen)))
    order = {key: i for i, key in enumerate(keys)}
    return sorted(chosen, key=order.__getitem__)


def _article(rng: random.Random, sentences: list[str], tags: tuple[str, ...], section: str,
             date: dt.date, number: int, index: int) -> str:
    fields: dict[str, object] = {"title": _title(rng, sentences), "section": section, "date": date.isoformat()}
    if section != "announcements":
        fields["source"] = rng.choice(SOURCES)
        if rng.random() < 0.3:
            fields["source_url"] = f"https://example.com/synthetic/{number}/{index}"
    fields["tags"] = rng.sample(tags, rng.randint(1, min(4, len(tags))))
    if section == "policy" and rng.random() < 0.6:
        fields["doc_number"] = f"{rng.choice(DOC_PREFIXES)}〔{date.year}〕{rng.randint(1, 400)}号"
    if rng.random() < 0.1:
        fields["authors"] = ["合成作者"]
    body = _body(rng, sentences, footnote=rng.random() < 0.08, table=rng.random() < 0.06, subheads=rng.random() < 0.15)
    front = "\n".join(f"{key}: {_yaml(value)}" for key, value in fields.items())
    return f"---\n{front}\n---\n\n{body}\n"


def _issue_yml(number: int, date: dt.date) -> str:
    return (f"number: {number}\ndate: {date.isoformat()}\ntitle: 节能减排信息动态\n"
            f"period: {_yaml(f'{(date - dt.timedelta(days=6)).isoformat()} 至 {date.isoformat()}')}\n"
            f"publisher: {_yaml(PUBLISHER)}\nnote: {_yaml(NOTE)}\n")


def generate(dest: Path, issues: int, articles_per_issue: int = 25, seed: int = 0, start_number: int = 1) -> None:
    """Write ``dest/issues/NNN/`` for ``issues`` issues numbered from ``start_number`` (and tags.yml if absent)."""
    dest = Path(dest)
    sentences = _corpus()
    tags = _vocabulary(dest)
    (dest / "issues").mkdir(parents=True, exist_ok=True)
    if not (dest / "issues" / "tags.yml").exists():
        (dest / "issues" / "tags.yml").write_text("".join(f"- {tag}\n" for tag in tags), encoding="utf-8")
    for i in range(issues):
        number = start_number + i
        rng = random.Random(f"{seed}:{number}")  # each issue on its own stream: issue n is the same in any run
        date = FIRST_DATE + dt.timedelta(weeks=i)
        folder = dest / "issues" / f"{number:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "issue.yml").write_text(_issue_yml(number, date), encoding="utf-8")
        for index, section in enumerate(_sections_for(rng, articles_per_issue), start=1):
            article_date = date - dt.timedelta(days=rng.randint(0, 6))
            text = _article(rng, sentences, tags, section, article_date, number, index)
            (folder / f"{index:02d}-{section}.md").write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issues", type=int, required=True, help="how many issues")
    parser.add_argument("--out", type=Path, required=True, help="project directory; issues go to OUT/issues/")
    parser.add_argument("--articles", type=int, default=25, help="articles per issue (default 25)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start", type=int, default=1, help="number of the first issue (default 1)")
    args = parser.parse_args(argv)
    generate(args.out, args.issues, args.articles, args.seed, args.start)
    print(f"wrote {args.issues} issues × {args.articles} articles to {args.out / 'issues'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
