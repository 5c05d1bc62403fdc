"""The editors' command: scaffolding never overwrites, and check reports like the build."""

import re

from conftest import issue_yml


def test_new_issue_and_article_scaffold_then_check(project):
    assert project.newsletter("new-issue", "35", "--date", "2014-11-07").returncode == 0
    assert project.newsletter("new-article", "35", "01-first", "--section", "policy").returncode == 0
    text = (project.path / "issues/035/01-first.md").read_text(encoding="utf-8")
    for field in ("title:", "section: policy", "date:", "source:", "tags:", "doc_number:", "authors:", "draft: true"):
        assert field in text
    again = project.newsletter("new-article", "35", "01-first")
    assert again.returncode == 1 and "already exists" in again.stderr
    assert (project.path / "issues/035/01-first.md").read_text(encoding="utf-8") == text
    assert project.newsletter("new-issue", "35").returncode == 1
    # The editor fills in what the scaffold leaves open and publishes it: check accepts the scaffolds as written.
    for field, value in (("title", "新文章"), ("source", "新华网"), ("draft", "false")):
        text = re.sub(rf"^{field}:.*$", f"{field}: {value}", text, count=1, flags=re.M)
    project.write("issues/035/01-first.md", text)
    result = project.newsletter("check")
    assert result.returncode == 0, result.stderr
    assert "ok: 1 issue(s), 1 article(s)" in result.stdout
    assert "0 error(s)" in result.stderr


def test_new_article_needs_an_issue(project):
    result = project.newsletter("new-article", "99")
    assert result.returncode == 1 and "newsletter new-issue 99" in result.stderr


def test_check_passes_on_good_content(project):
    project.write("issues/034/issue.yml", issue_yml())
    project.write("issues/034/01-a.md", "---\ntitle: 标题\nsection: market\ndate: 2014-10-26\nsource: 新华网\n---\n正文\n")
    result = project.newsletter("check")
    assert result.returncode == 0, result.stderr
    assert "ok: 1 issue(s), 1 article(s)" in result.stdout
