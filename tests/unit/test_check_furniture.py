"""`newsletter check` finds what an import of a printed page may leave behind, and names the line;
a YAML quote that is never closed is reported where it was opened."""

from conftest import article_text, issue_yml

PUBLISHER = "中环联合（北京）认证中心有限公司气候变化部（CDM）"


def write_issue(project, body: str, title: str = "北京与承德有望开展碳排放交易跨区域合作") -> None:
    project.write("issues/034/issue.yml", issue_yml(publisher=PUBLISHER))
    project.write("issues/034/01.md", article_text(title=title, body=body))


def warnings_of(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if "page furniture" in line]


def test_clean_article_has_no_furniture_warning(project):
    write_issue(project, "第一段，提到2014年第3期的内容和 12 个项目。\n\n| 序号 | 数量 |\n|---|---|\n| 1 | 12 |\n\n"
                         "1. 第一项\n2. 第二项\n\n[^1]: <http://www.cdmpipeline.org/>\n\n见[原文](http://example.org/a)。")
    result = project.newsletter("check")
    assert result.returncode == 0, result.stderr
    assert warnings_of(result) == []


def test_each_kind_of_furniture_in_a_body_is_warned_with_its_line(project):
    body = "\n".join([
        "第一段。",                                   # file line 7 (front matter is lines 1-6)
        "",
        "节能减排信息动态               总第 ３４ 期",   # 9: running header, full-width digits
        "",
        PUBLISHER,                                    # 11: publisher line
        "",
        "12",                                         # 13: page number paragraph
        "",
        "## 第 13 页",                                 # 15: page number heading
        "",
        "http://www.tanpaifang.com/tanhui/",          # 17: URL-only line
        "",
        "末段。",
    ])
    write_issue(project, body)
    result = project.newsletter("check")
    assert result.returncode == 0, result.stderr  # warnings only
    found = warnings_of(result)
    assert [w.split(": body: ")[0] for w in found] == [
        "issues/034/01.md:9", "issues/034/01.md:11", "issues/034/01.md:13", "issues/034/01.md:15", "issues/034/01.md:17"]
    assert "running header" in found[0] and "publisher line" in found[1]
    assert "page number" in found[2] and "page number" in found[3] and "only a URL" in found[4]


def test_furniture_glued_into_a_paragraph_or_a_title_is_warned(project):
    write_issue(project, "深圳碳交易市场于2013年正式启动，节能减排信息动态 总第 34 期 是中国首个碳市场。",
                title="深圳拟启动公共交通领域碳交易 将引进托管会员 12")
    result = project.newsletter("check")
    found = warnings_of(result)
    assert len(found) == 2, result.stderr
    assert found[0].startswith("issues/034/01.md:2: title: warning: looks like page furniture: a page number")
    assert found[1].startswith("issues/034/01.md:7: body: warning: looks like page furniture: the running header")


def test_unclosed_quote_is_reported_on_the_line_it_opened(project):
    project.write("issues/034/issue.yml", issue_yml())
    project.write("issues/034/02.md", '---\ntitle: "北京与承德有望开展碳排放交易跨区域合作\nsection: market\n'
                                      'date: 2014-10-26\nsource: 承德日报\n---\n正文。\n')
    result = project.newsletter("check")
    assert result.returncode == 1
    assert "issues/034/02.md:2: title: quote opened here is never closed (the parser read on to line 6); " \
           "end the value with \"" in result.stderr.splitlines()


def test_unclosed_quote_that_runs_into_the_next_quote_is_still_reported_where_it_opened(project):
    project.write("issues/034/issue.yml", issue_yml())
    project.write("issues/034/02.md", "---\ntitle: 标题\nsource: '承德日报\nsection: market\n"
                                      "date: '2014-10-26'\n---\n正文。\n")
    result = project.newsletter("check")
    assert result.returncode == 1
    assert any(line.startswith("issues/034/02.md:3: source: quote opened here is never closed")
               for line in result.stderr.splitlines()), result.stderr


def test_other_yaml_errors_keep_their_line(project):
    project.write("issues/034/issue.yml", issue_yml())
    project.write("issues/034/02.md", '---\ntitle: "a"\nsection: market\n  date: 2014-10-26\n---\n正文。\n')
    result = project.newsletter("check")
    assert "issues/034/02.md:4: front matter: invalid YAML: mapping values are not allowed here; " \
           "check indentation, colons and quotes" in result.stderr.splitlines()


def test_import_runs_the_checks_on_what_it_wrote_and_prints_them(project):
    """A running header where no page break is (an unknown layout) is named twice: by the reader, with the
    line of the text, and by the check of the written file, with its path and line."""
    seed = project.write("old-35.txt", "【国内资讯】 \n\n标题甲 \n\n发布日期：2014-08-02  来源：某报 \n\n第一段。 \n\n"
                                       "节能减排信息动态 总第 35 期 第 3 页 【国内资讯】 续前页的很长的一段文字 \n\n第二段。 \n")
    result = project.newsletter("import", str(seed), "--number", "35", "--out", "issues/")
    assert result.returncode == 0, result.stderr
    err = result.stderr.splitlines()
    assert any(line.startswith(f"{seed}: warning: line 9: '节能减排信息动态 总第 35 期") for line in err), err
    assert any(line.startswith("issues/035/01.md:11: body: warning: looks like page furniture: the running header")
               for line in err), err
    assert (project.path / "issues" / "035" / "01.md").read_text(encoding="utf-8").splitlines()[10].startswith("节能减排信息动态")


def test_import_text_is_the_same_command_and_out_may_name_the_issue_folder(project):
    seed = project.write("old.txt", "【国内资讯】 \n\n标题甲 \n\n发布日期：2014-08-02  来源：某报 \n\n第一段。 \n")
    result = project.newsletter("import-text", str(seed), "--number", "35", "--out", "issues/035")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (project.path / "issues" / "035").iterdir()) == ["01.md", "issue.yml"]
    batch = project.newsletter("import", str(seed), str(seed), "--number", "35", "--out", "issues/")
    assert batch.returncode == 2 and "--number applies to one file" in batch.stderr
