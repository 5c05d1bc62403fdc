"""`newsletter email`: the digest as HTML, text and a complete .eml, with absolute links, inlined
styles, a size that mail clients show whole; and the site build's copy of it."""

from __future__ import annotations

import re
import sys
from email.header import decode_header
from pathlib import Path

import pytest

from conftest import ROOT, article_text, configure, copy_project, issue_yml, load_synth
from mail_sites import SITE, SUBJECT_34, edition34, hrefs, parse_eml, parts, repo_project  # noqa: F401

ISSUE_DIR = ROOT / "issues" / "034"
SLUGS = sorted(p.stem for p in ISSUE_DIR.glob("*.md"))
TITLES = [re.search(r"^title: (.*)$", p.read_text(encoding="utf-8"), re.M)[1].strip('"')
          for p in sorted(ISSUE_DIR.glob("*.md"))]
MAX_HTML = 90 * 1024


def test_writes_the_three_files(edition34):
    assert sorted(p.name for p in edition34.iterdir()) == ["email.html", "email.txt", "newsletter-034.eml"]


def test_eml_round_trips_with_headers_and_both_parts(edition34):
    raw = (edition34 / "newsletter-034.eml").read_bytes()
    message = parse_eml(raw)
    assert message["Subject"] == SUBJECT_34
    raw_subject = re.search(rb"^Subject: (.*(?:\r?\n[ \t].*)*)", raw, re.M)[1].decode("ascii")
    assert "=?utf-8?" in raw_subject.lower()  # RFC 2047 encoded words, not raw UTF-8
    assert "".join(part.decode(charset or "ascii") if isinstance(part, bytes) else part
                   for part, charset in decode_header(raw_subject)) == SUBJECT_34
    assert message["From"].addresses[0].addr_spec == "newsletter@example.org"
    assert message["From"].addresses[0].display_name == "节能减排信息动态"
    assert message["Date"].datetime.date().isoformat() == "2014-10-31"
    assert re.fullmatch(r"<[^<>@\s]+@example\.org>", message["Message-ID"])
    assert message["List-Unsubscribe"] is None  # none configured in the repository's mkdocs.yml
    text, html = parts(message)
    assert html == (edition34 / "email.html").read_text(encoding="utf-8")
    assert text == (edition34 / "email.txt").read_text(encoding="utf-8")


def test_every_link_is_absolute_and_each_article_links_its_page(edition34):
    html = (edition34 / "email.html").read_text(encoding="utf-8")
    links = hrefs(html)
    assert links and all(link.startswith(SITE) for link in links)
    for slug in SLUGS:
        assert f'href="{SITE}issues/34/{slug}/"' in html
    assert re.search(rf'<a [^>]*href="{SITE}issues/34/"[^>]*>在网站阅读本期</a>', html)
    assert f'href="{SITE}issues/34/newsletter-034.pdf"' in html
    for title in TITLES:
        assert title in html


def test_digest_shows_masthead_number_date_sections_and_dates(edition34):
    html = (edition34 / "email.html").read_text(encoding="utf-8")
    for text in ("节能减排信息动态", "总第 34 期", "2014年10月31日", "【市场热点】", "【政策聚焦】", "【国内资讯】",
                 "【国际资讯】", "【推荐阅读】", "【行业公告】", "发布日期：2014-10-30", "来源：碳K线"):
        assert text in html
    assert html.index("【市场热点】") < html.index("【政策聚焦】") < html.index("【行业公告】")
    # A summary: the opening of article 02's text, cut with an ellipsis
    assert "近日，北京市发展和改革委员会率领专家团来承，就碳排放交易跨区域合作问题进行了座谈。" in html


def test_text_part_has_titles_sources_and_one_url_per_article(edition34):
    text = (edition34 / "email.txt").read_text(encoding="utf-8")
    assert "<" not in text and "&amp;" not in text
    for slug, title in zip(SLUGS, TITLES):
        assert text.count(f"{SITE}issues/34/{slug}/") == 1
        assert title in text
    assert "来源：承德日报" in text and f"在网站阅读本期：{SITE}issues/34/" in text


def test_html_is_made_for_mail_clients(edition34):
    html = (edition34 / "email.html").read_text(encoding="utf-8")
    assert len(html.encode()) < MAX_HTML
    assert_mail_safe(html)
    assert '<html lang="zh-CN">' in html
    assert re.search(r"font-family: *'PingFang SC', *'Microsoft YaHei', *'Noto Sans CJK SC'", html)
    preheader = re.search(r'<div [^>]*style="([^"]*)"[^>]*>([^<]*)</div>', html)
    assert "display: none" in preheader[1] and preheader[2].startswith(TITLES[0])


def assert_mail_safe(html: str) -> None:
    """What Outlook's Word engine and Gmail need: tables with width attributes, styles inline."""
    for style in re.findall(r"<style[^>]*>(.*?)</style>", html, re.S):
        assert len(style.encode()) <= 16 * 1024
    css = " ".join(re.findall(r'style="([^"]*)"', html)) + " ".join(re.findall(r"<style[^>]*>(.*?)</style>", html, re.S))
    assert not re.search(r"display:\s*(inline-)?(flex|grid)|var\(--|--[a-z-]+:|@media", css)
    tables = re.findall(r"<table[^>]*>", html)
    assert tables and all('role="presentation"' in t and "width=" in t for t in tables)
    assert re.search(r'<table[^>]*width="600"', html)
    for img in re.findall(r"<img[^>]*>", html):
        assert re.search(r'\salt="', img) and re.search(r'\swidth="\d+"', img) and re.search(r'\sheight="\d+"', img)
    assert "<style" not in html  # the stylesheet was inlined, then removed


@pytest.mark.parametrize("articles, summaries", [(40, True), (120, False)])
def test_largest_generated_issues_stay_under_the_limit(tmp_path, articles, summaries):
    """40 articles (more than any real issue) keep their summaries; 120 would pass Gmail's clipping limit
    with them, so that digest lists titles only — every article still linked."""
    project = copy_project(tmp_path / "project", with_issues=False)
    load_synth().generate(project.path, 1, articles, seed=3)
    result = project.newsletter("email", "1", "--site-url", SITE, "--out", str(tmp_path / "e"))
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "e" / "email.html").read_text(encoding="utf-8")
    assert len(html.encode()) < MAX_HTML
    assert len(set(re.findall(rf'href="{SITE}issues/1/[^"/]+/"', html))) == articles
    assert ("……" in html) == summaries
    assert_mail_safe(html)


def test_fields_are_escaped_in_html_and_literal_in_text(project, tmp_path):
    project.write("issues/034/issue.yml", issue_yml(note="'编者按 <script>alert(1)</script> & 注'"))
    project.write("issues/034/01-a.md", article_text(title="'<img src=x onerror=alert(1)> A&B'",
                                                     source="'<b>来源</b>'", body="正文 <i>x</i> & y。"))
    result = project.newsletter("email", "34", "--site-url", SITE, "--out", str(tmp_path / "e"))
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "e" / "email.html").read_text(encoding="utf-8")
    text = (tmp_path / "e" / "email.txt").read_text(encoding="utf-8")
    assert "<img src=x" not in html and "<script>" not in html and "<b>来源" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; A&amp;B" in html and "&lt;script&gt;" in html
    assert "<img src=x onerror=alert(1)> A&B" in text and "编者按 <script>alert(1)</script> & 注" in text
    # the editor's note is shown and is the preheader
    assert re.search(r'<div [^>]*style="[^"]*display: none[^"]*">编者按 &lt;script&gt;', html)


def test_unsubscribe_link_and_headers_when_configured(project, tmp_path):
    project.write("issues/034/issue.yml", issue_yml())
    project.write("issues/034/01-a.md", article_text())
    configure(project, {"email": {"from_address": "news@example.net", "reply_to": "office@example.net",
                                  "unsubscribe": "https://example.net/leave"}})
    result = project.newsletter("email", "34", "--site-url", "https://example.net", "--out", str(tmp_path / "e"))
    assert result.returncode == 0, result.stderr
    message = parse_eml((tmp_path / "e" / "newsletter-034.eml").read_bytes())
    assert message["List-Unsubscribe"] == "<https://example.net/leave>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Reply-To"] == "office@example.net"
    _, html = parts(message)
    assert 'href="https://example.net/leave"' in html and 'href="https://example.net/issues/34/01-a/"' in html


@pytest.mark.parametrize("args, expected", [
    ((), "set site_url in mkdocs.yml or pass --site-url https://"),
    (("--site-url", "example.org"), "--site-url: 'example.org' is not an http(s) address"),
    (("--site-url", SITE, "35"), "no issue 35 in issues/ (issues: 34)"),
])
def test_bad_input_is_a_message_not_a_traceback(project, args, expected):
    project.write("issues/034/issue.yml", issue_yml())
    project.write("issues/034/01-a.md", article_text())
    number = [a for a in args if a.isdigit()] or ["34"]
    result = project.newsletter("email", *number, *[a for a in args if not a.isdigit()])
    assert result.returncode in (1, 2)
    assert expected in result.stderr and "Traceback" not in result.stderr


def test_bad_email_options_name_the_option(project):
    project.write("issues/034/issue.yml", issue_yml())
    project.write("issues/034/01-a.md", article_text())
    configure(project, {"email": {"from_address": "nobody", "unsubscribe": "ftp://x/{id}"}})
    for args in (("email", "34", "--site-url", SITE), ("check",)):
        result = project.newsletter(*args)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert "option 'email': Sub-option 'from_address': 'nobody' is not an email address" in result.stderr
    assert project.build().returncode != 0


def test_check_warns_once_when_site_url_is_unset(project):
    project.write("issues/034/issue.yml", issue_yml())
    project.write("issues/034/01-a.md", article_text())
    result = project.newsletter("check")
    assert result.returncode == 0
    output = result.stdout + result.stderr
    assert output.count("site_url") >= 1
    warning = [line for line in output.splitlines() if "site_url: warning" in line]
    assert len(warning) == 1 and "no email edition" in warning[0] and "sitemap.xml is empty" in warning[0]
    configure(project, site_url=SITE)
    assert "site_url" not in project.newsletter("check").stdout


def test_site_build_writes_editions_only_with_site_url_and_reuses_them(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSLETTER_PDF", "0")
    project = copy_project(tmp_path / "project", with_issues=False)
    project.write("issues/034/issue.yml", issue_yml())
    project.write("issues/034/01-a.md", article_text(title="第一篇"))
    first = project.build()
    assert first.returncode == 0, first.stderr
    assert not (project.site / "issues/34/email.html").exists()
    assert "email edition: skipped, site_url is not set" in first.stderr
    configure(project, site_url=SITE)
    assert project.build().returncode == 0
    html = (project.site / "issues/34/email.html").read_text(encoding="utf-8")
    assert f'href="{SITE}issues/34/01-a/"' in html and "第一篇" in html
    assert (project.site / "issues/34/email.txt").is_file()
    assert parse_eml((project.site / "issues/34/newsletter-034.eml").read_bytes())["Subject"] == \
        "节能减排信息动态 总第 34 期（2014年10月31日）"
    again = project.build()
    assert "email edition: 0 rendered, 1 unchanged" in again.stderr
    project.write("issues/034/01-a.md", article_text(title="改过的标题"))
    changed = project.build()
    assert "email edition: 1 rendered, 0 unchanged" in changed.stderr
    assert "改过的标题" in (project.site / "issues/34/email.html").read_text(encoding="utf-8")
