"""The browser-test sites: a small realistic archive and one full of script payloads, built once per session.

Test modules import the fixtures from here (a tests/browser/conftest.py would shadow the root conftest
module that ``from conftest import …`` relies on)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from conftest import Project, article_text, copy_project, issue_yml

WIDE_TABLE = (
    "| 方法学编号 | 方法学名称 | 适用条件 | 基准线情景 | 项目边界 | 监测参数 | 备案时间 |\n"
    "|---|---|---|---|---|---|---|\n"
    "| CM-001-V01 | 天然气发电项目温室气体减排量核算方法学ABCDEFGHIJKLMNOPQRSTUVWXYZ | 新建天然气联合循环电厂 | "
    "电网排放因子 | 电厂及接入电网 | 发电量、燃料消耗量 | 2014年10月 |\n"
)

SAMPLE_ARTICLES = {
    "01-market.md": article_text(
        title="深圳碳市场成交额突破亿元", section="market", source="中国碳排放交易网",
        source_url="https://www.tanpaifang.com/", tags="[碳交易, 深圳]",
        body="深圳排放权交易所数据显示，截至10月24日，深圳碳市场累计成交额突破1亿元。[^1]\n\n"
             "## 深圳成首个“亿元”碳市场\n\n市场活跃度持续提升。\n\n[^1]: 数据来自深圳排放权交易所。"),
    "02-policy.md": article_text(
        title="关于印发《宁夏回族自治区节能减排实施方案》的通知", section="policy", source="宁夏回族自治区人民政府",
        doc_number="宁政发〔2014〕251号", authors="[张三, 李四]", tags="[节能, 政策]",
        body="各市、县（区）人民政府：\n\n现将实施方案印发给你们，请认真贯彻执行。\n\n" + WIDE_TABLE),
    "03-domestic.md": article_text(
        title="天然气项目碳资产开发与管理", section="domestic", source="中环联合",
        body="天然气项目可以开发为CCER项目。下表列出适用的方法学：\n\n" + WIDE_TABLE +
             "\nhttps://www.example.org/a/very/long/url/without/any/break/opportunity/abcdefghijklmnopqrstuvwxyz0123456789"),
    "04-announce.md": article_text(title="本刊征稿启事", section="announcements", source=None, body="欢迎投稿。"),
}

PAYLOAD_IMG = "<img src=x onerror=window.__pwned=1>"
PAYLOAD_SCRIPT = "<script>window.__pwned=1</script>"


def _q(text: str) -> str:
    """A YAML single-quoted scalar."""
    return "'" + text.replace("'", "''") + "'"


HOSTILE_BODY = f"""开头的正文。

{PAYLOAD_SCRIPT}

<img src="x" onerror="window.__pwned=1"> 图片之后的文字。

<a href="javascript:window.__pwned=1">坏链接</a> 和 [另一个坏链接](javascript:window.__pwned=1)。

<div onclick="window.__pwned=1" onmouseover="window.__pwned=1">悬停的段落</div>

<iframe src="javascript:window.__pwned=1"></iframe>

<svg onload="window.__pwned=1"><circle r="5"/></svg>

结尾的正文。
"""

HOSTILE_ARTICLES = {
    "01-hostile.md": article_text(
        title=_q(f"标题{PAYLOAD_IMG}{PAYLOAD_SCRIPT}"), section="market", source=_q(f"来源{PAYLOAD_IMG}"),
        source_url=_q("https://example.org/?q=\"><script>window.__pwned=1</script>"),
        tags=f"[{_q('标签' + PAYLOAD_IMG)}, {_q(PAYLOAD_SCRIPT)}]", doc_number=_q(f"文号{PAYLOAD_SCRIPT}"),
        authors=f"[{_q('作者' + PAYLOAD_IMG)}]", body=HOSTILE_BODY),
    "02-neighbour.md": article_text(title=_q(f"邻居{PAYLOAD_SCRIPT}"), section="policy", body="普通正文。"),
}




# Page kinds every browser test visits.
SAMPLE_PAGES = {
    "home": "",
    "issue": "issues/34/",
    "article-with-table": "issues/34/03-domestic/",
    "policy-article": "issues/34/02-policy/",
    "issues-index": "issues/",
}
# Archive and search pages. A * stands for the first matching folder (tag and source URLs are hashes).
ARCHIVE_PAGES = {
    "sections": "sections/",
    "section": "sections/policy/",
    "tags": "tags/",
    "tag": "tags/*/",
    "sources": "sources/",
    "source": "sources/*/",
    "months": "months/",
    "month": "months/2014-10/",
    "month-page-2": "months/2014-10/page/2/",
    "search": "search/?q=碳市场",
}
ALL_PAGES = {**SAMPLE_PAGES, **ARCHIVE_PAGES}


def page_url(site: Path, kind: str) -> str:
    """The URL of a page kind in a built site; fails the test when the build has no such page."""
    pattern = ALL_PAGES[kind]
    path, _, query = pattern.partition("?")
    matches = sorted(site.glob(path + "index.html"))
    assert matches, f"the build has no {kind} page ({pattern})"
    url = matches[0].parent.relative_to(site).as_posix() + "/"
    return ("" if url == "./" else url) + (f"?{query}" if query else "")


@contextlib.contextmanager
def without_pdfs():
    """Builds of hostile HTML skip the issue PDFs: the PDF build rightly refuses the body's
    <img src="x"> (no such file in the issue's folder), and these tests are about the HTML pages."""
    saved = os.environ.get("NEWSLETTER_PDF")
    os.environ["NEWSLETTER_PDF"] = "0"
    try:
        yield
    finally:
        if saved is None:
            del os.environ["NEWSLETTER_PDF"]
        else:
            os.environ["NEWSLETTER_PDF"] = saved


def build_project(root, issues: dict[str, dict[str, str]], issue_files: dict[str, str], **options) -> Project:
    """A project with these issues ({folder: {file: text}}) and plugin options, built."""
    project = copy_project(root, with_issues=False)
    set_plugin_options(project, **options)
    for folder, articles in issues.items():
        project.write(f"issues/{folder}/issue.yml", issue_files[folder])
        for name, text in articles.items():
            project.write(f"issues/{folder}/{name}", text)
    result = project.build()
    assert result.returncode == 0, result.stderr
    return project


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Project:
    return build_project(
        tmp_path_factory.mktemp("sample") / "project",
        {"033": {"01-old.md": article_text(title="上一期的文章", date="2014-10-20")}, "034": SAMPLE_ARTICLES},
        {"033": issue_yml(33, "2014-10-24"),
         "034": issue_yml(34, "2014-10-31", publisher="中环联合（北京）认证中心有限公司气候变化部（CDM）",
                          period="2014-10-24 至 2014-10-30", note="本期各交易所碳市价格走势图未能保留。")},
        archive="{per_page: 2}",  # so that archive listings have pages to step through
    )


def set_plugin_options(project: Project, **options) -> None:
    """Add options under the newsletter plugin in the project's mkdocs.yml (values as YAML text)."""
    config = project.path / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    lines = "".join(f"      {k}: {str(v).lower() if isinstance(v, bool) else v}\n" for k, v in options.items())
    config.write_text(text.replace("  - newsletter:\n", "  - newsletter:\n" + lines, 1), encoding="utf-8")


def hostile_issue_files() -> dict[str, str]:
    return {"034": issue_yml(34, "2014-10-31", title=_q(f"刊名{PAYLOAD_IMG}"), publisher=_q(f"出版{PAYLOAD_SCRIPT}"),
                             period=_q(f"时段{PAYLOAD_IMG}"), note=_q(f"编者按{PAYLOAD_IMG}{PAYLOAD_SCRIPT}"))}


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory) -> Project:
    with without_pdfs():
        return build_project(tmp_path_factory.mktemp("hostile") / "project", {"034": HOSTILE_ARTICLES}, hostile_issue_files())

