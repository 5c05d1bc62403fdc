"""Raw HTML in article bodies: sanitized when published, `newsletter check` warns what it drops, and the
documented `allow_raw_html: true` option publishes it as written."""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "browser"))

from browser_sites import HOSTILE_BODY, set_plugin_options, without_pdfs  # noqa: E402
from conftest import Project, article_text, issue_yml  # noqa: E402

WHAT_IS_DROPPED = [
    "'onclick' attribute on <div>", "'onerror' attribute on <img>", "'onmouseover' attribute on <div>",
    "<iframe> element", "<script> element", "<svg> element", "javascript: URL in <a href>",
]


def _hostile_project(project: Project) -> Project:
    project.write("issues/034/issue.yml", issue_yml())
    project.write("issues/034/01-raw.md", article_text(title="原始 HTML", body=HOSTILE_BODY))
    return project


def test_check_warns_about_everything_the_sanitizer_drops(project: Project):
    result = _hostile_project(project).newsletter("check")
    assert result.returncode == 0, result.stderr  # warnings only
    for what in WHAT_IS_DROPPED:  # the line is where the body starts (the loader does not track HTML lines)
        assert re.search(rf"^issues/034/01-raw\.md:[67]: body: warning: raw HTML removed when published: "
                         rf"{re.escape(what)} \(", result.stderr, re.M), what


@without_pdfs()
def test_published_body_keeps_text_and_drops_active_content(project: Project):
    assert _hostile_project(project).build().returncode == 0
    html = project.html("issues/34/01-raw")
    body = html[html.index('class="nl-body"'):html.index("</article>")]
    for gone in ("<script", "onerror", "onclick", "onmouseover", "javascript:", "<iframe", "<svg"):
        assert gone not in body
    for kept in ("开头的正文。", "坏链接", "悬停的段落", "结尾的正文。", '<img src="x">'):
        assert kept in body


@without_pdfs()
def test_allow_raw_html_publishes_body_html_as_written_without_warnings(project: Project):
    _hostile_project(project)
    set_plugin_options(project, allow_raw_html=True)
    check = project.newsletter("check")
    assert check.returncode == 0 and "raw HTML removed" not in check.stderr
    assert project.build().returncode == 0
    html = project.html("issues/34/01-raw")
    assert "<script>window.__pwned=1</script>" in html
    assert '<div onclick="window.__pwned=1"' in html
