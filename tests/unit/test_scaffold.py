"""Scaffolds that are right at once (issue 16): the next issue number, the masthead and publisher of the
issue before, articles dated with their issue and placed after the last of their section, and `check`
passing on what was written."""

from conftest import article_text, issue_yml

PUBLISHER = "中环联合（北京）认证中心有限公司气候变化部（CDM）"


def test_new_issue_takes_the_next_number_and_the_previous_masthead_and_publisher(project):
    project.write("issues/034/issue.yml", issue_yml(34, "2014-10-31", title="节能减排动态（试刊）", publisher=PUBLISHER))
    project.write("issues/034/01-a.md", article_text())
    result = project.newsletter("new-issue", "--date", "2014-11-07")
    assert result.returncode == 0, result.stderr
    written = project.path / "issues/035/issue.yml"
    assert f"wrote {written}" in result.stdout and "period and note" in result.stdout
    text = written.read_text(encoding="utf-8")
    assert "number: 35\ndate: 2014-11-07\ntitle: 节能减排动态（试刊）\n" in text and f"publisher: {PUBLISHER}\n" in text
    check = project.newsletter("check")
    assert check.returncode == 0 and "ok: 2 issue(s)" in check.stdout, check.stderr


def test_the_first_issue_has_no_publisher_to_copy_and_says_so(project):
    result = project.newsletter("new-issue")
    assert result.returncode == 0, result.stderr
    assert "publisher" in result.stdout
    assert "number: 1\n" in (project.path / "issues/001/issue.yml").read_text(encoding="utf-8")
    assert project.newsletter("check").returncode == 0


def test_new_article_is_dated_with_its_issue_and_comes_last_in_its_section(project):
    project.write("issues/034/issue.yml", issue_yml(34, "2014-10-31"))
    project.write("issues/034/01-a.md", article_text(title="市场一", section="market"))
    project.write("issues/034/02-b.md", article_text(title="政策一", section="policy"))
    project.write("issues/034/03-c.md", article_text(title="市场二", section="market"))
    result = project.newsletter("new-article", "34", "--section", "market")
    assert result.returncode == 0, result.stderr
    path = project.path / "issues/034/04-market.md"
    assert f"wrote {path}" in result.stdout
    assert "after 「市场二」, the last article of 市场热点" in result.stdout
    assert "Fill in: title, source" in result.stdout
    text = path.read_text(encoding="utf-8")
    assert "\ndate: 2014-10-31" in text and "\nsection: market" in text and "\ndraft: true" in text
    check = project.newsletter("check")
    assert check.returncode == 0, check.stderr
    assert "issues/034/04-market.md:1: title: warning: missing required field" in check.stderr
    assert "after the issue date" not in check.stderr


def test_a_named_article_that_would_sort_first_is_pointed_out(project):
    project.write("issues/034/issue.yml", issue_yml(34, "2014-10-31"))
    project.write("issues/034/05-b.md", article_text(title="政策一", section="policy"))
    result = project.newsletter("new-article", "34", "01-new", "--section", "policy")
    assert result.returncode == 0 and "it sorts before issues/034/05-b.md" in result.stdout


def test_an_unknown_section_writes_nothing(project):
    project.write("issues/034/issue.yml", issue_yml(34, "2014-10-31"))
    result = project.newsletter("new-article", "34", "--section", "markets")
    assert result.returncode == 1 and "--section markets: unknown section; valid keys are: market" in result.stderr
    assert list((project.path / "issues/034").glob("*.md")) == []


def test_a_published_draft_with_missing_fields_is_an_error(project):
    project.write("issues/034/issue.yml", issue_yml(34, "2014-10-31"))
    assert project.newsletter("new-article", "34", "--section", "policy").returncode == 0
    path = project.path / "issues/034/01-policy.md"
    path.write_text(path.read_text(encoding="utf-8").replace("draft: true", "draft: false"), encoding="utf-8")
    check = project.newsletter("check")
    assert check.returncode == 1
    assert "issues/034/01-policy.md:1: title: missing required field; add 'title: ' with text\n" in check.stderr
    assert "issues/034/01-policy.md:1: source: missing required field" in check.stderr
