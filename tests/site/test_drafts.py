"""Drafts (issue 16): the preview (`mkdocs serve`) shows them, marked 草稿; every output of `mkdocs build` —
pages, feeds, search index, sitemap, PDF, email edition and files — leaves them out."""

from __future__ import annotations

import email
import subprocess
import sys
import urllib.request
from email import policy

import pytest

from conftest import article_text, configure, copy_project, issue_yml
from test_assets import file_text, png
from test_atomic_build import _free_port, _get, _wait_for, mkdocs_serve

MARK = "草稿独有的字样"  # in the draft's title and body, nowhere else


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("drafts") / "project", with_issues=False)
    project.write("issues/034/issue.yml", issue_yml(publisher="测试出版方"))
    project.write("issues/034/01-published.md", article_text(title="已发布的文章", body="已发布的正文。"))
    project.write("issues/034/02-draft.md", article_text(
        title=f"{MARK}标题", section="policy", draft="true", body=f"{MARK}正文。\n\n![草稿里的图](draft-chart.png)\n"))
    project.write("issues/034/draft-chart.png", png(30, 20))
    # A fresh scaffold: no title, no source: warnings while it is a draft, a placeholder title in the preview.
    project.write("issues/034/03-untitled.md", "---\ntitle: \nsection: market\ndate: 2014-10-30\nsource: \n"
                                               "draft: true\n---\n\n无标题草稿的正文。\n")
    configure(project, site_url="https://example.org/newsletter/")
    result = project.build()
    assert result.returncode == 0, result.stderr
    assert "03-untitled.md:1: title: warning: missing required field" in result.stderr
    return project


def _text_of(path) -> str:
    if path.suffix == ".pdf":
        return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
    if path.suffix == ".eml":
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        return "".join(part.get_content() for part in message.walk() if part.get_content_maintype() == "text")
    return file_text(path)


def test_build_leaves_drafts_out_of_every_output(project):
    outputs = {p.relative_to(project.site).as_posix(): p for p in project.site.rglob("*") if p.is_file()}
    for kind in ("feed.xml", "sitemap.xml", "search/data/head.json.gz", "issues/34/newsletter-034.pdf",
                 "issues/34/email.html", "issues/34/email.txt", "issues/34/newsletter-034.eml"):
        assert kind in outputs, kind  # each output kind is there to be searched
    assert "已发布的正文" in _text_of(outputs["issues/34/newsletter-034.pdf"]).replace("\n", "")
    holding = [rel for rel, path in outputs.items() if MARK in _text_of(path).replace("\n", "")
               or "无标题草稿" in _text_of(path) or "02-draft" in _text_of(path)]
    assert holding == []
    assert not (project.site / "issues/34/02-draft").exists() and not list(project.site.rglob("draft-chart.png"))


def test_check_counts_only_published_articles(project):
    check = project.newsletter("check")
    assert check.returncode == 0 and "ok: 1 issue(s), 1 article(s)" in check.stdout


def test_serve_shows_drafts_marked_with_a_placeholder_title(project, tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}/newsletter/"
    log = tmp_path / "serve.log"
    with mkdocs_serve(project, port, log):
        draft = _wait_for(lambda: _get(base + "issues/34/02-draft/"), "the draft page to be served")
        assert f'<span class="nl-draft-badge">草稿</span>{MARK}标题</h1>' in draft
        assert "不会发布" in draft and 'src="draft-chart.png"' in draft
        issue = _get(base + "issues/34/")
        assert f'<span class="nl-draft-badge">草稿</span>{MARK}标题</a>' in issue
        assert '<span class="nl-draft-badge">草稿</span>（未命名草稿）</a>' in issue
        assert '<span class="nl-draft-badge">草稿</span>已发布' not in issue
        untitled = _get(base + "issues/34/03-untitled/")
        assert "（未命名草稿）</h1>" in untitled
        section = _get(base + "sections/policy/")
        assert f'<span class="nl-draft-badge">草稿</span>{MARK}标题</a>' in section
        with urllib.request.urlopen(base + "issues/34/02-draft/draft-chart.png", timeout=5) as response:
            assert response.read().startswith(b"\x89PNG")
        # A replaced image is picked up by the preview's next rebuild (the parse cache keys on the folder's files).
        project.write("issues/034/draft-chart.png", png(60, 40))
        _wait_for(lambda: 'width="60"' in (_get(base + "issues/34/02-draft/") or ""), "the new image size")
    assert "Traceback" not in log.read_text(encoding="utf-8", errors="replace")
