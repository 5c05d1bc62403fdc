"""The synthetic-archive generator: deterministic, clearly synthetic, and valid content."""

from __future__ import annotations

import datetime as dt
import re

from conftest import copy_project, load_synth
from newsletter import content
from newsletter.model import Settings


def _tree(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_arguments_give_identical_files(tmp_path):
    synth = load_synth()
    synth.generate(tmp_path / "a", 3, 10, seed=7)
    synth.generate(tmp_path / "b", 3, 10, seed=7)
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    synth.generate(tmp_path / "c", 3, 10, seed=8)
    assert _tree(tmp_path / "a") != _tree(tmp_path / "c")


def test_generated_archive_loads_without_problems_and_is_marked_synthetic(tmp_path):
    project = copy_project(tmp_path, with_issues=False)
    load_synth().generate(project.path, 3, 25, start_number=40)
    catalog, problems = content.load_catalog(project.path, Settings())
    assert [p for p in problems if p.severity == "error"] == []
    assert [p for p in problems if p.field == "tags"] == []  # tags come from the vocabulary
    assert [i.number for i in catalog.issues] == [40, 41, 42]
    assert {i.date.year for i in catalog.issues} == {2013, 2014}
    assert catalog.issues[1].date - catalog.issues[0].date == dt.timedelta(weeks=1)
    articles = catalog.articles
    assert len(articles) == 75 and all(a.title.startswith("［合成］") for a in articles)
    assert all(i.publisher == "合成数据（测试用）" and "合成数据" in i.note for i in catalog.issues)
    assert {a.section.key for a in catalog.issues[0].articles} == set(Settings().section_keys)
    # Each optional feature appears, and exactly where and how the generator's docstring and README say.
    with_doc_number = [a for a in articles if a.doc_number]
    assert with_doc_number and {a.section.key for a in with_doc_number} == {"policy"}
    assert all(re.fullmatch(rf"[^〔〕]+〔{a.date.year}〕[1-9][0-9]*号", a.doc_number) for a in with_doc_number)
    with_url = [a for a in articles if a.source_url]
    assert with_url and all(a.source_url == f"https://example.com/synthetic/{a.issue_number}/{int(a.slug[:2])}"
                            for a in with_url)
    assert all((a.source is None) == (a.section.key == "announcements") for a in articles)
    assert all(a.source_url is None for a in articles if a.section.key == "announcements")
    with_footnote = [a for a in articles if "[^1]" in a.body]
    assert with_footnote and all("\n[^1]: 合成数据的脚注：" in a.body for a in with_footnote)
    with_table = [a for a in articles if "|" in a.body]
    assert with_table and all("| 试点 | 成交量（万吨） | 均价（元/吨） |\n| --- | ---: | ---: |\n" in a.body
                              for a in with_table)
