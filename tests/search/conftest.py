"""A small two-year archive for the search tests, built once and served over loopback."""

from __future__ import annotations

import pytest

from conftest import article_text, copy_project, issue_yml

XSS_TITLE = '<img src=x onerror="window.__xss=1">碳排放管理办法'
XSS_SOURCE = '"<script>window.__xss=2</script>"'
XSS_TAG = '"<svg onload=window.__xss=3>"'

ARTICLES = {
    "issues/034/01-shenzhen.md": article_text(
        title="深圳碳市场建设初见成效", section="market", date="2014-10-25", source="深圳商报", tags="[碳市场, 深圳]",
        body="深圳碳交易市场于 2013 年正式启动。在碳市场建设初期，深圳以机制设计为重点，力争在 2020年前达到碳排放峰值。"),
    "issues/034/02-ccer.md": article_text(
        title="发改委通过 90 个 CCER 备案", section="domestic", date="2014-10-27", source="新华网", tags="[CCER]",
        body="国家发展和改革委员会日前备案了一批 CCER项目，风电光伏项目受青睐。"),
    "issues/034/03-apec.md": article_text(
        title="APEC 首脑峰会场馆实现碳中和", section="international", date="2014-10-28", source="人民网",
        body="北京 APEC 会议期间，各方继续推进气候谈判，场馆碳排放全部抵消。"),
    "issues/034/04-rules.md": article_text(
        title=f"'{XSS_TITLE}'", section="policy", date="2014-10-29", source=XSS_SOURCE, tags=f"[{XSS_TAG}]",
        body="某市印发碳排放管理办法，明确重点排放单位的报告义务。"),
    "issues/033/01-review.md": article_text(
        title="碳市场年度回顾", section="market", date="2013-12-20", source="中创碳投", tags="[碳市场]",
        body="七个试点地区陆续启动，配额分配各有特点。"),
    "issues/033/02-unfccc.md": article_text(
        title="华沙会议落幕", section="international", date="2013-11-23", source="新华网",
        body="联合国气候变化框架公约第十九次缔约方大会在华沙闭幕，各方同意继续谈判。"),
}
SYNONYMS = "- 发改委 = 国家发展和改革委员会\n- 联合国气候变化框架公约 = UNFCCC\n"


@pytest.fixture(scope="session")
def search_site(tmp_path_factory, serve):
    """(project, base URL) of the built fixture archive."""
    dest = tmp_path_factory.mktemp("search") / "project"
    dest.mkdir()
    project = copy_project(dest, with_issues=False)
    project.write("issues/034/issue.yml", issue_yml(34, "2014-10-31"))
    project.write("issues/033/issue.yml", issue_yml(33, "2013-12-31"))
    project.write("issues/synonyms.yml", SYNONYMS)
    for path, text in ARTICLES.items():
        project.write(path, text)
    result = project.build()
    assert result.returncode == 0, result.stderr
    return project, serve(project.site)


def url_of(path: str) -> str:
    """Site URL of a fixture article path, e.g. issues/034/01-shenzhen.md -> issues/34/01-shenzhen/."""
    folder, name = path.split("/")[1:]
    return f"issues/{int(folder)}/{name[:-3]}/"
