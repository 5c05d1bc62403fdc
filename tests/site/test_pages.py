"""Real MkDocs builds of small fixture issues: what the home, issue and article pages show."""

from __future__ import annotations

import re

from conftest import article_text, issue_yml


def make_two_issues(project):
    project.write("issues/033/issue.yml", issue_yml(33, "2014-10-24", publisher="测试出版方"))
    project.write("issues/033/01-old.md", article_text(title="上一期的文章", date="2014-10-20"))
    project.write("issues/034/issue.yml", issue_yml(34, "2014-10-31", publisher="中环联合（北京）认证中心有限公司气候变化部（CDM）",
                                                  period="2014-10-24 至 2014-10-30", note="本期共三篇。"))
    project.write("issues/034/01-market.md", article_text(title="北京与承德有望开展碳排放交易跨区域合作", source="承德日报",
                                                        source_url="http://www.example.com/a.html", tags="[碳交易, 碳汇]"))
    project.write("issues/034/02-policy.md", article_text(
        title="南京市排污权有偿使用和交易管理办法", section="policy", date="2014-10-20", source="南京市政府",
        doc_number="宁政发〔2014〕251号", body="## 一、总体目标\n\n推进排污权交易。\n\n| 方法学 | 适用 |\n|---|---|\n| CM-001 | 天然气 |\n"))
    project.write("issues/034/03-intl.md", article_text(title="联合国气候峰会", section="international", date="2014-10-25",
                                                      source="新华网", order=1))
    project.write("issues/034/04-draft.md", article_text(title="未完成的草稿", draft="true"))


def test_build_makes_home_issue_and_article_pages(project):
    make_two_issues(project)
    result = project.build()
    assert result.returncode == 0, result.stderr
    home = project.html("")
    assert "总第 34 期" in home and "北京与承德有望开展碳排放交易跨区域合作" in home
    assert "总第 33 期" in home  # recent issues
    issue = project.html("issues/34")
    for text in ("节能减排信息动态", "总第 34 期", "2014年10月31日", "中环联合（北京）认证中心有限公司气候变化部（CDM）",
                 "本期共三篇。", "2014-10-24 至 2014-10-30"):
        assert text in issue
    banners = re.findall(r"【(.+?)】", issue)
    assert banners == ["市场热点", "政策聚焦", "国际资讯"]  # configured order, empty sections left out
    assert "未完成的草稿" not in issue and not (project.site / "issues/34/04-draft").exists()
    assert 'href="../33/"' in issue  # previous issue


def test_article_page_shows_metadata_and_body(project):
    make_two_issues(project)
    assert project.build().returncode == 0
    page = project.html("issues/34/02-policy")
    assert "宁政发〔2014〕251号" in page and "南京市政府" in page and "2014-10-20" in page
    assert re.search(r"<h2[^>]*>一、总体目标</h2>", page)
    assert "<table>" in page and "CM-001" in page
    assert re.search(r"\d+ 字，约 1 分钟读完", page)
    assert 'href="../"' in page  # back to the issue
    assert 'rel="prev"' in page and 'rel="next"' in page
    first = project.html("issues/34/01-market")
    # the source name leads to its archive page; the original article is linked beside it
    assert re.search(r'<a href="\.\./\.\./\.\./sources/[0-9a-f]{8}/"[^>]*>承德日报</a>（<a href="http://www.example.com/a.html" '
                     r'rel="external noopener">原文</a>）', first)
    assert first.count("<h1") == 1


def test_character_count_counts_han_characters_and_words(project):
    project.write("issues/034/issue.yml", issue_yml())
    project.write("issues/034/01-a.md", article_text(body="碳市场建设。CCER 项目 2020 年！"))
    assert project.build().returncode == 0
    # 碳 市 场 建 设 + CCER + 项 目 + 2020 + 年 = 10
    assert "10 字" in project.html("issues/34/01-a")


def test_issues_index_lists_every_issue_with_count(project):
    make_two_issues(project)
    assert project.build().returncode == 0
    index = project.html("issues")
    assert index.index("总第 34 期") < index.index("总第 33 期")
    assert "3 篇" in index and "1 篇" in index


def test_build_fails_with_check_messages_and_no_traceback(project):
    project.write("issues/034/issue.yml", issue_yml())
    project.write("issues/034/01-a.md", article_text(section="nope", date="2014-02-30"))
    result = project.build()
    assert result.returncode != 0
    assert "issues/034/01-a.md:3: section: unknown section 'nope'" in result.stderr
    assert "issues/034/01-a.md:4: date:" in result.stderr
    assert "Traceback" not in result.stderr
    check = project.newsletter("check")
    assert check.returncode == 1
    assert "issues/034/01-a.md:3: section: unknown section 'nope'" in check.stderr


def test_titles_are_escaped_in_title_and_meta(project):
    project.write("issues/034/issue.yml", issue_yml())
    project.write("issues/034/01-a.md", article_text(title="'<img src=x onerror=alert(1)>'", source="'<b>来源</b>'"))
    assert project.build().returncode == 0
    page = project.html("issues/34/01-a")
    assert "<img src=x" not in page and "<b>来源" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
