"""One fixture per bad-input class: `newsletter check` names the exact path, line and field.

Each case writes a small issues/ tree into a throw-away project and loads it with the same loader
that `check`, `mkdocs build` and `newsletter pdf` use.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import article_text, hard_timeout, issue_yml
from newsletter import content
from newsletter.model import Settings

OK_ISSUE = issue_yml(34, "2014-10-31")
OK_ARTICLE = article_text()

# (id, files, expected problem: (path, line, field, severity, words the message must contain))
CASES = [
    ("unparsable-yaml",
     {"034/issue.yml": OK_ISSUE, "034/01-a.md": "---\ntitle: [碳交易\nsection: market\n---\n正文\n"},
     ("issues/034/01-a.md", 3, "front matter", "error", "invalid YAML")),
    ("front-matter-not-a-mapping",
     {"034/issue.yml": OK_ISSUE, "034/01-a.md": "---\n- 碳交易\n- 碳汇\n---\n正文\n"},
     ("issues/034/01-a.md", 2, "front matter", "error", "must be a mapping")),
    ("no-front-matter",
     {"034/issue.yml": OK_ISSUE, "034/01-a.md": "只有正文\n"},
     ("issues/034/01-a.md", 1, "front matter", "error", "missing")),
    ("missing-title",
     {"034/issue.yml": OK_ISSUE, "034/01-a.md": "---\nsection: market\ndate: 2014-10-26\nsource: 新华网\n---\n正文\n"},
     ("issues/034/01-a.md", 1, "title", "error", "missing required field")),
    ("missing-source",
     {"034/issue.yml": OK_ISSUE, "034/01-a.md": article_text(source=None)},
     ("issues/034/01-a.md", 1, "source", "error", "missing required field")),
    ("unknown-section",
     {"034/issue.yml": OK_ISSUE, "034/01-a.md": article_text(section="markets")},
     ("issues/034/01-a.md", 3, "section", "error", "valid keys are: market, policy, domestic")),
    ("bad-date",
     {"034/issue.yml": OK_ISSUE, "034/01-a.md": article_text(date="2014/10/26")},
     ("issues/034/01-a.md", 4, "date", "error", "YYYY-MM-DD")),
    ("date-that-does-not-exist",
     {"034/issue.yml": OK_ISSUE, "034/01-a.md": article_text(date="2014-02-30")},
     ("issues/034/01-a.md", 4, "date", "error", "not a date that exists")),
    ("date-left-as-string",
     {"034/issue.yml": OK_ISSUE, "034/01-a.md": article_text(date="2014年10月26日")},
     ("issues/034/01-a.md", 4, "date", "error", "is not a date")),
    ("duplicate-key",
     {"034/issue.yml": OK_ISSUE, "034/01-a.md": article_text(title="甲") .replace("section:", "title: 乙\nsection:")},
     ("issues/034/01-a.md", 3, "title", "error", "duplicate key (first given on line 2)")),
    ("yaml-alias",
     {"034/issue.yml": OK_ISSUE, "034/01-a.md": article_text(tags="&t [碳交易]", authors="*t")},
     ("issues/034/01-a.md", 6, "front matter", "error", "anchors and aliases")),
    ("empty-body",
     {"034/issue.yml": OK_ISSUE, "034/01-a.md": article_text(body="  \n")},
     ("issues/034/01-a.md", 7, "body", "error", "is empty")),
    ("not-utf8-gbk",
     {"034/issue.yml": OK_ISSUE, "034/01-a.md": article_text(body="碳排放权交易试点工作稳步推进，各地陆续出台配套政策。" * 3).encode("gbk")},
     ("issues/034/01-a.md", 2, "encoding", "error", "looks like GBK; convert it with: iconv -f GBK -t UTF-8")),
    ("file-too-large",
     {"034/issue.yml": OK_ISSUE, "034/01-a.md": article_text(body="碳" * 400_000)},
     ("issues/034/01-a.md", 1, "file", "error", "the limit is 1,000,000")),
    ("issue-number-does-not-match-folder",
     {"034/issue.yml": issue_yml(35), "034/01-a.md": OK_ARTICLE},
     ("issues/034/issue.yml", 1, "number", "error", "but the folder is 034")),
    ("issue-missing-date",
     {"034/issue.yml": "number: 34\n", "034/01-a.md": OK_ARTICLE},
     ("issues/034/issue.yml", 1, "date", "error", "missing required field")),
    ("issue-yml-missing",
     {"034/01-a.md": OK_ARTICLE},
     ("issues/034/issue.yml", 1, "file", "error", "missing")),
    ("duplicate-issue-number",
     {"034/issue.yml": OK_ISSUE, "034/01-a.md": OK_ARTICLE, "0034/issue.yml": OK_ISSUE, "0034/01-a.md": OK_ARTICLE},
     ("issues/034/issue.yml", 1, "number", "error", "issue 34 is also issues/0034")),
    ("duplicate-article-slug",
     {"034/issue.yml": OK_ISSUE, "034/01-a.md": OK_ARTICLE, "034/01-a.markdown": OK_ARTICLE},
     ("issues/034/01-a.md", 1, "file", "error", "slug '01-a' is already used")),
    ("article-outside-issue-folder",
     {"034/issue.yml": OK_ISSUE, "034/01-a.md": OK_ARTICLE, "stray.md": OK_ARTICLE},
     ("issues/stray.md", 1, "file", "error", "outside an issue folder")),
    ("article-in-non-issue-folder",
     {"034/issue.yml": OK_ISSUE, "034/01-a.md": OK_ARTICLE, "drafts/x.md": OK_ARTICLE},
     ("issues/drafts/x.md", 1, "file", "error", "'drafts' is not an issue number")),
    ("tags-not-a-list",
     {"034/issue.yml": OK_ISSUE, "034/01-a.md": article_text(tags="碳交易")},
     ("issues/034/01-a.md", 6, "tags", "error", "must be a list")),
    ("raw-html-dropped",
     {"034/issue.yml": OK_ISSUE, "034/01-a.md": article_text(body="正文<script>alert(1)</script>")},
     ("issues/034/01-a.md", 7, "body", "warning", "<script> element")),
    ("tag-width-variant",
     {"034/issue.yml": OK_ISSUE, "034/01-a.md": article_text(tags="[ＣＣＥＲ]")},
     ("issues/034/01-a.md", 6, "tags", "warning", "only by width or traditional form; write 'CCER'")),
    ("tag-traditional-variant",
     {"034/issue.yml": OK_ISSUE, "034/01-a.md": article_text(tags="[碳交易, 氣候談判]")},
     ("issues/034/01-a.md", 6, "tags", "warning", "write '气候谈判'")),
    ("gap-in-issue-numbers",
     {"034/issue.yml": OK_ISSUE, "034/01-a.md": OK_ARTICLE,
      "036/issue.yml": issue_yml(36, "2014-11-14"), "036/01-a.md": OK_ARTICLE},
     ("issues/036/issue.yml", 1, "number", "warning", "35 missing between 34 and 36")),
    ("section-without-article",
     {"034/issue.yml": OK_ISSUE, "034/01-a.md": OK_ARTICLE},
     ("issues/034/issue.yml", 1, "sections", "warning", "no article in section policy")),
    ("article-dated-after-issue",
     {"034/issue.yml": OK_ISSUE, "034/01-a.md": article_text(date="2014-11-05")},
     ("issues/034/01-a.md", 4, "date", "warning", "after the issue date 2014-10-31")),
    ("unknown-field",
     {"034/issue.yml": OK_ISSUE, "034/01-a.md": article_text(tittle="错字")},
     ("issues/034/01-a.md", 6, "tittle", "warning", "unknown field")),
]

TAGS = "- 碳交易\n- 碳汇\n- CCER\n- 气候谈判\n"


def write_tree(root: Path, files: dict[str, str | bytes]) -> None:
    (root / "issues").mkdir(parents=True, exist_ok=True)
    (root / "issues" / "tags.yml").write_text(TAGS, encoding="utf-8")
    for rel, text in files.items():
        target = root / "issues" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("files,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_named_with_path_line_and_field(tmp_path, files, expected):
    write_tree(tmp_path, files)
    _, problems = content.load_catalog(tmp_path, Settings())
    path, line, field, severity, words = expected
    matching = [p for p in problems if (p.path, p.field, p.severity) == (path, field, severity) and words in p.message]
    assert matching, "\n".join(map(str, problems))
    assert matching[0].line == line, str(matching[0])


def test_every_problem_is_reported_together(tmp_path):
    write_tree(tmp_path, {
        "034/issue.yml": issue_yml(34, "2014-13-01"),
        "034/01-a.md": article_text(section="nope", date="2014-02-30"),
        "034/02-b.md": "---\ntitle: x\n---\n",
    })
    _, problems = content.load_catalog(tmp_path, Settings())
    fields = {(p.path, p.field) for p in problems if p.severity == "error"}
    assert {("issues/034/issue.yml", "date"), ("issues/034/01-a.md", "section"), ("issues/034/01-a.md", "date"),
            ("issues/034/02-b.md", "section"), ("issues/034/02-b.md", "body")} <= fields


def test_octal_looking_issue_number_is_decimal(tmp_path):
    write_tree(tmp_path, {"034/issue.yml": "number: 034\ndate: 2014-10-31\n", "034/01-a.md": OK_ARTICLE,
                          "038/issue.yml": "number: 038\ndate: 2014-11-28\n", "038/01-a.md": OK_ARTICLE})
    catalog, problems = content.load_catalog(tmp_path, Settings())
    assert [p for p in problems if p.severity == "error"] == []
    assert [i.number for i in catalog.issues] == [34, 38]


def test_utf8_bom_is_fine(tmp_path):
    write_tree(tmp_path, {"034/issue.yml": OK_ISSUE, "034/01-a.md": "\ufeff" + OK_ARTICLE})
    catalog, problems = content.load_catalog(tmp_path, Settings())
    assert [p for p in problems if p.severity == "error"] == []
    assert catalog.issues[0].articles[0].title == "测试文章"


def test_alias_bomb_fails_fast(tmp_path):
    bomb = "---\n" + "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)) + "title: x\n---\n正文\n"
    write_tree(tmp_path, {"034/issue.yml": OK_ISSUE, "034/01-a.md": bomb})
    with hard_timeout(30, "loading an alias bomb (9^9 nodes if expanded)"):  # a hang guard, not a speed figure
        _, problems = content.load_catalog(tmp_path, Settings())
    assert any(p.field == "front matter" and "aliases" in p.message for p in problems)


def test_drafts_are_left_out(tmp_path):
    write_tree(tmp_path, {"034/issue.yml": OK_ISSUE, "034/01-a.md": OK_ARTICLE,
                          "034/02-b.md": article_text(title="草稿", draft="true")})
    catalog, _ = content.load_catalog(tmp_path, Settings())
    assert [a.title for a in catalog.articles] == ["测试文章"]


def test_crlf_and_cr_line_endings_read_like_lf(tmp_path):
    write_tree(tmp_path, {"034/issue.yml": OK_ISSUE,
                          "034/01-a.md": OK_ARTICLE.replace("\n", "\r\n").encode(),
                          "034/02-b.md": article_text(title="乙").replace("\n", "\r").encode()})
    catalog, problems = content.load_catalog(tmp_path, Settings())
    assert [p for p in problems if p.severity == "error"] == []
    assert sorted(a.title for a in catalog.articles) == ["乙", "测试文章"]


def test_overflowing_number_stays_text(tmp_path):
    write_tree(tmp_path, {"034/issue.yml": OK_ISSUE, "034/01-a.md": article_text(order="1e400")})
    _, problems = content.load_catalog(tmp_path, Settings())
    assert any(p.field == "order" and "'1e400' is not a whole number" in p.message for p in problems)
