"""The repository's own content (issue 34) builds into a complete site."""

import re

from conftest import ROOT


def test_default_site_has_issue_34_with_all_articles(default_site):
    issue = default_site.html("issues/34")
    sources = sorted(p.stem for p in (ROOT / "issues" / "034").glob("*.md"))
    assert len(sources) == 26
    for slug in sources:
        assert (default_site.site / "issues/34" / slug / "index.html").is_file()
        assert f'href="{slug}/"' in issue
    assert re.findall(r"【(.+?)】", issue) == ["市场热点", "政策聚焦", "国内资讯", "国际资讯", "推荐阅读", "行业公告"]


def test_home_shows_latest_issue(default_site):
    home = default_site.html("")
    assert "总第 34 期" in home and "天然气项目碳资产开发与管理" in home


def test_check_passes_on_repository_issues(default_site):
    result = default_site.newsletter("check")
    assert result.returncode == 0, result.stderr
    assert "26 article(s)" in result.stdout
