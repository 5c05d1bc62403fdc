"""Read the issue PDF back: text in reading order, fonts, contents page numbers, bookmarks,
running header and footer, metadata, escaping. On a fixture issue and on the real issue 34."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

import frontmatter
import yaml

from conftest import copy_project
from fixture_issue import NUMBER, PUBLISHER, SCRIPT_TITLE, write_fixture_issue
from pdf_readback import ReadPdf, squeeze

pytestmark = pytest.mark.pdf


# Written here, not taken from the loader or the config: the printed banners in their printed order.
BANNERS = {"market": "【市场热点】", "policy": "【政策聚焦】", "domestic": "【国内资讯】",
           "international": "【国际资讯】", "reading": "【推荐阅读】", "announcements": "【行业公告】"}


@dataclass(frozen=True)
class Expected:
    """What the PDF of an issue must show, read from the issue's files with python-frontmatter and PyYAML
    (not with the product's loader), grouped by the banner order above, file-name order within a section."""

    number: int
    publisher: str
    sections: list[str]  # banners, e.g. 【市场热点】
    titles: list[list[str]]  # article titles per section
    doc: ReadPdf


def expected_for(project_dir: Path, number: int, pdf: Path) -> Expected:
    folder = project_dir / "issues" / f"{number:03d}"
    publisher = yaml.safe_load((folder / "issue.yml").read_text(encoding="utf-8"))["publisher"]
    posts = [frontmatter.load(path) for path in sorted(folder.glob("*.md"))]
    published = [p for p in posts if not p.get("draft")]
    sections = [key for key in BANNERS if any(p["section"] == key for p in published)]
    return Expected(number, publisher, [BANNERS[key] for key in sections],
                    [[str(p["title"]) for p in published if p["section"] == key] for key in sections], ReadPdf(pdf))


@pytest.fixture(scope="module")
def fixture_project(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("pdf") / "project", with_issues=False)
    write_fixture_issue(project)
    result = project.newsletter("pdf", str(NUMBER))
    assert result.returncode == 0, result.stderr
    return project


@pytest.fixture(scope="module", params=["fixture", "issue34"])
def issue_pdf(request) -> Expected:
    if request.param == "fixture":
        project = request.getfixturevalue("fixture_project")
        return expected_for(project.path, NUMBER, project.site / f"issues/{NUMBER}/newsletter-{NUMBER:03d}.pdf")
    site = request.getfixturevalue("default_site")
    return expected_for(site.path, 34, site.site / "issues/34/newsletter-034.pdf")


def first_body_page(expected: Expected) -> int:
    return expected.doc.bookmarks[1].page  # bookmarks: 目录, then the first section


def test_articles_text_in_reading_order(issue_pdf):
    body = squeeze("".join(issue_pdf.doc.pages[first_body_page(issue_pdf) - 1:]))
    position = 0
    for banner, titles in zip(issue_pdf.sections, issue_pdf.titles):
        position = body.index(squeeze(banner), position)
        for title in titles:
            position = body.index(squeeze(title), position) + 1


def test_fixture_article_bodies_complete_and_in_order(fixture_project):
    doc = ReadPdf(fixture_project.site / f"issues/{NUMBER}/newsletter-{NUMBER:03d}.pdf")
    text = squeeze("".join(doc.pages))
    position = 0
    for n in range(1, 6):
        start = text.index(f"文章{n}开头", position)
        end = text.index(f"文章{n}结尾", start)
        assert text.index(f"文{n}第2段", start) < end
        position = end
    assert "草稿正文不应出现" not in text and "未完成的草稿" not in text
    assert "第一条脚注的文字" in text and "ACM0008" in text and "宁政发〔2014〕251号" in text


def test_cjk_fonts_embedded(issue_pdf):
    fonts = issue_pdf.doc.fonts()
    assert fonts and all(f["emb"] == "yes" for f in fonts), [f["line"] for f in fonts]
    names = " ".join(f["name"] for f in fonts).replace("-", "").lower()  # e.g. ABCDEF+NotoSerifCJKsc-Regular
    assert "notoserifcjksc" in names and "notosanscjksc" in names


def test_contents_page_numbers_are_where_articles_start(issue_pdf):
    doc = issue_pdf.doc
    sections = doc.bookmarks[1:]
    article_pages = [article.page for section in sections for article in section.children]
    assert doc.contents_numbers(first_body_page(issue_pdf) - 1) == article_pages
    for section in sections:
        for article in section.children:
            assert squeeze(article.title)[:12] in squeeze(doc.pages[article.page - 1])


def test_bookmarks_are_sections_then_articles(issue_pdf):
    marks = issue_pdf.doc.bookmarks
    assert marks[0].title == "目录" and marks[0].page == 1
    assert [m.title for m in marks[1:]] == issue_pdf.sections
    assert [[a.title for a in m.children] for m in marks[1:]] == issue_pdf.titles
    pages = [a.page for m in marks[1:] for a in m.children]
    assert pages == sorted(pages)


def test_header_and_footer_on_every_page_but_the_cover(issue_pdf):
    pages = [squeeze(p) for p in issue_pdf.doc.pages]
    running = [f"节能减排信息动态总第{issue_pdf.number}期", squeeze(issue_pdf.publisher)]
    assert "第1页" not in pages[0] and pages[0].count(running[0]) == 1  # the masthead, no running header
    for n, text in enumerate(pages[1:], start=2):
        assert all(r in text for r in running), f"page {n}"
        assert f"第{n}页" in text, f"page {n}"


def test_running_header_names_the_current_section(issue_pdf):
    doc = issue_pdf.doc
    starts = [(m.page, m.title) for m in doc.bookmarks[1:]]
    for page in range(first_body_page(issue_pdf), len(doc.pages) + 1):
        header = [line for line in doc.pages[page - 1].splitlines() if line.strip()][2]
        before = [title for start, title in starts if start < page]
        here = [title for start, title in starts if start == page]
        allowed = set(here + before[-1:]) if here else set(before[-1:])
        assert header in allowed, f"page {page}: {header}"


def test_metadata(issue_pdf):
    meta = issue_pdf.doc.reader.metadata
    assert meta.title == f"节能减排信息动态 总第 {issue_pdf.number} 期"
    assert meta.author == issue_pdf.publisher
    assert meta.creation_date.year == 2014
    assert meta.creator.startswith("Typst ")


def test_title_markup_is_text_not_html(fixture_project):
    doc = ReadPdf(fixture_project.site / f"issues/{NUMBER}/newsletter-{NUMBER:03d}.pdf")
    assert squeeze(SCRIPT_TITLE) in squeeze(doc.pages[0])  # in the contents
    assert SCRIPT_TITLE in [a.title for m in doc.bookmarks[1:] for a in m.children]
    assert b"/JavaScript" not in doc.path.read_bytes() and b"/JS" not in doc.path.read_bytes()


def test_cover_shows_masthead_number_publisher_note(fixture_project):
    cover = squeeze(ReadPdf(fixture_project.site / f"issues/{NUMBER}/newsletter-{NUMBER:03d}.pdf").pages[0])
    for text in ("节能减排信息动态", f"总第{NUMBER}期", squeeze(PUBLISHER), "2014年10月31日", "编者按", "本期关注区域排污权交易",
                 "目录", "【市场热点】", "【行业公告】"):
        assert text in cover


def test_site_build_writes_and_links_the_pdf(default_site):
    assert (default_site.site / "issues/34/newsletter-034.pdf").read_bytes().startswith(b"%PDF")
    assert 'href="newsletter-034.pdf"' in default_site.html("issues/34/")


def test_contents_entries_link_to_the_page_they_print(issue_pdf):
    doc = issue_pdf.doc
    contents_pages = range(1, first_body_page(issue_pdf))
    article_pages = [a.page for m in doc.bookmarks[1:] for a in m.children]
    linked_lines = []
    for page in contents_pages:
        lines = doc.lines(page)
        for target, middle in doc.link_targets(page):
            line = next(text for text, top, bottom in lines if top <= middle <= bottom)
            printed = re.search(r"(\d+)$", line)
            if printed and line.rstrip(printed[1]).rstrip().endswith("."):  # an article line: title … page
                assert int(printed[1]) == target, line
                linked_lines.append((page, line))
    titles = [squeeze(t) for section in issue_pdf.titles for t in section]
    assert len(dict.fromkeys(linked_lines)) == len(titles) == len(article_pages)


def test_notes_are_footnotes_at_the_foot_of_the_page(fixture_project):
    doc = ReadPdf(fixture_project.site / f"issues/{NUMBER}/newsletter-{NUMBER:03d}.pdf")
    pages = [squeeze(p) for p in doc.pages]
    [page] = [n for n, text in enumerate(pages, start=1) if "第一条脚注的文字" in text]
    assert "仅被用于空气分离" in pages[page - 1] and "第二条脚注的文字" in pages[page - 1]
    lines = doc.lines(page)
    note_top = min(top for text, top, _ in lines if "脚注的文字" in text)
    body_bottom = max(bottom for text, _, bottom in lines if "文3第" in text or "空气分离" in text)
    assert body_bottom < note_top and note_top > doc.page_height(page) * 0.6
    # one number before each note, nothing left at the end of the article
    assert all("脚注的文字" not in text for text in pages[page:])


def test_pdf_is_tagged_and_chinese(issue_pdf):
    root = issue_pdf.doc.reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject)
    assert str(root["/Lang"]).startswith("zh")


def test_a_long_table_repeats_its_header_row_on_every_page(project):
    rows = "\n".join(f"| 第{n}行 | CM-{n:03d}-V01 | 方法学名称{n} |" for n in range(1, 121))
    project.write("issues/012/issue.yml", "number: 12\ndate: 2014-10-31\npublisher: 测试出版方\n")
    project.write("issues/012/01-a.md", "---\ntitle: 长表格\nsection: market\ndate: 2014-10-26\nsource: 测试来源\n---\n"
                  f"表前正文。\n\n| 序号 | 方法学编号 | 中文名 |\n| --- | --- | --- |\n{rows}\n\n表后正文。\n")
    result = project.newsletter("pdf", "12")
    assert result.returncode == 0, result.stderr
    doc = ReadPdf(project.site / "issues/12/newsletter-012.pdf")
    with_rows = [n for n in range(2, len(doc.pages) + 1) if re.search(r"第\d+行", squeeze(doc.pages[n - 1]))]
    assert len(with_rows) >= 2
    for page in with_rows:
        lines = [squeeze(text) for text, _, _ in doc.lines(page)]
        first_row = next(i for i, text in enumerate(lines) if re.match(r"第\d+行", text))
        assert "".join(lines[first_row - 3:first_row]) == "序号方法学编号中文名", (page, lines[:first_row + 1])
    rows_printed = [int(n) for n in re.findall(r"第(\d+)行", squeeze("".join(doc.pages)))]
    assert rows_printed == list(range(1, 121))
