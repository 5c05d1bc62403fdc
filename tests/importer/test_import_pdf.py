"""`newsletter import` on real PDFs: issue 34 rendered by our own PDF pipeline and imported back, a PDF
in the customer's printed two-column layout (made with Typst), a batch with a corrupt file among them.

Every import here runs the real command (`python -m newsletter.cli import …`) on real PDFs read by
poppler's pdftotext; expected values are the committed issues/034 files, never the importer's output.
"""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import ROOT, copy_project
from newsletter import markup
from newsletter.strictyaml import read_mapping
from printed_layout import ARTICLES as PRINTED_ARTICLES
from printed_layout import PUBLISHER, committed, write_printed_pdf

ISSUE = ROOT / "issues" / "034"
# A line of page furniture, wherever it might survive into a body (the patterns of tests/unit/test_legacy.py)
FURNITURE = [
    re.compile(r"总第\s*\d+\s*期"),
    re.compile(r"中环联合（北京）认证中心有限公司气候变化部"),
    re.compile(r"\A\s*(第\s*)?\d{1,3}(\s*页)?\s*\Z"),
    re.compile(r"【(市场热点|政策聚焦|国内资讯|国际资讯|推荐阅读|行业公告)】"),
    re.compile(r"\A\s*<?https?://\S+>?\s*\Z"),
]


def front_and_body(path) -> tuple[dict, str]:
    _, fm_text, body = path.read_text(encoding="utf-8").split("---\n", 2)
    doc, problems = read_mapping(fm_text, path.name, line_offset=1)
    assert problems == [], problems
    return doc.data, body


def plain(body: str) -> str:
    """What a reader sees of a Markdown body, without any whitespace."""
    return re.sub(r"\s+", "", markup.plain_text(markup.render(body)))


def notes_as_read(body: str) -> list[str]:
    """The footnotes' texts in the order the text refers to them (a PDF may number them that way)."""
    notes = dict(re.findall(r"^\[\^(\d+)\]: (.*)$", body, re.M))
    return [notes.get(n) for n in dict.fromkeys(re.findall(r"\[\^(\d+)\](?!:)", body))]


def kept_share(original: str, imported: str) -> float:
    """Share of the original's characters found, in order, in the import (longest common subsequence
    by difflib's matching blocks)."""
    import difflib

    matcher = difflib.SequenceMatcher(None, original, imported, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / max(1, len(original))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Issue 34 and two renumbered copies (35, 36) rendered by `newsletter pdf --all`: our PDF pipeline."""
    proj = copy_project(tmp_path_factory.mktemp("render") / "project", with_issues=True)
    for number, date in ((35, "2014-11-07"), (36, "2014-11-14")):
        folder = proj.path / "issues" / f"{number:03d}"
        shutil.copytree(proj.path / "issues" / "034", folder)
        text = (folder / "issue.yml").read_text(encoding="utf-8")
        text = text.replace("number: 34", f"number: {number}").replace("date: 2014-10-31", f"date: {date}")
        (folder / "issue.yml").write_text(text, encoding="utf-8")
    result = proj.newsletter("pdf", "--all", "--out", "pdfs")
    assert result.returncode == 0, result.stderr
    pdfs = sorted((proj.path / "pdfs").glob("*.pdf"))
    assert len(pdfs) == 3, pdfs
    return pdfs


@pytest.fixture(scope="module")
def imported_34(rendered, tmp_path_factory):
    proj = copy_project(tmp_path_factory.mktemp("import34") / "project", with_issues=False)
    result = proj.newsletter("import", str(rendered[0]), "--out", "issues/")
    assert result.returncode == 0, result.stdout + result.stderr
    return proj, result


def test_round_trip_of_issue_34_through_our_pdf(imported_34):
    proj, result = imported_34
    folder = proj.path / "issues" / "034"
    imported = sorted(folder.glob("*.md"))
    originals = sorted(ISSUE.glob("*.md"))
    assert len(imported) == len(originals) == 26
    doc, problems = read_mapping((folder / "issue.yml").read_text(encoding="utf-8"), "issue.yml")
    assert problems == [] and doc.data["number"] == 34 and doc.data["date"] == "2014-10-31"
    assert doc.data["publisher"] == PUBLISHER and doc.data["title"] == "节能减排信息动态"
    for original, copy in zip(originals, imported):
        want, want_body = front_and_body(original)
        got, got_body = front_and_body(copy)
        for key in ("title", "section", "date", "source", "doc_number", "authors"):
            assert got.get(key) == want.get(key), (original.name, key, got.get(key), want.get(key))
        share = kept_share(plain(want_body), plain(got_body))
        assert share >= 0.95, (original.name, share)
        assert notes_as_read(got_body) == notes_as_read(want_body), original.name
        for line in got_body.splitlines():
            for pattern in FURNITURE:
                assert not pattern.search(line), (copy.name, pattern.pattern, line)


def test_import_prints_the_table_and_the_checks_of_what_it_wrote(imported_34):
    proj, result = imported_34
    table = result.stdout.splitlines()
    assert table[0].split() == ["file", "issue", "market", "policy", "domestic", "international", "reading",
                                "announcements", "warnings"]
    row = table[1].split()
    assert row[0].endswith("034.pdf") and row[1:8] == ["34", "5", "4", "6", "9", "1", "1"]
    assert "1 issue(s) imported into issues/034" in result.stdout
    assert "page furniture" not in result.stderr  # the check ran on what was written and found none
    check = proj.newsletter("check")
    assert check.returncode == 0, check.stderr
    assert "ok: 1 issue(s), 26 article(s)" in check.stdout


def test_batch_of_three_with_a_corrupt_pdf_among_them(rendered, tmp_path):
    proj = copy_project(tmp_path / "project", with_issues=False)
    corrupt = tmp_path / "damaged-037.pdf"
    corrupt.write_bytes(rendered[0].read_bytes()[:2000])  # a download cut short
    files = [str(rendered[0]), str(corrupt), str(rendered[1]), str(rendered[2])]
    result = proj.newsletter("import", *files, "--out", "issues/")
    assert result.returncode == 1
    assert sorted(p.name for p in (proj.path / "issues").iterdir() if p.name != "tags.yml") == ["034", "035", "036"]
    for number in (34, 35, 36):
        folder = proj.path / "issues" / f"{number:03d}"
        assert len(list(folder.glob("*.md"))) == 26
        assert f"number: {number}" in (folder / "issue.yml").read_text(encoding="utf-8")
    lines = result.stdout.splitlines()
    assert [line.split()[1] for line in lines[1:5]] == ["34", "-", "35", "36"]
    assert lines[2].startswith(str(corrupt)) and "failed: not a readable PDF" in lines[2]
    assert f"error: {corrupt}: not a readable PDF" in result.stderr
    assert "3 issue(s) imported" in result.stdout and "1 file(s) failed" in result.stdout
    assert not [p for p in (proj.path / "issues").iterdir() if p.name.startswith(".")]  # no temp folder left
    again = proj.newsletter("import", str(rendered[1]), "--out", "issues/")
    assert again.returncode == 1 and "nothing was overwritten (--force replaces it)" in again.stderr
    assert proj.newsletter("import", str(rendered[1]), "--out", "issues/", "--force").returncode == 0


@pytest.fixture(scope="module")
def printed_pdf(tmp_path_factory):
    return write_printed_pdf(tmp_path_factory.mktemp("printed") / "printed-35.pdf", 35)


def test_printed_two_column_layout_with_links(printed_pdf, tmp_path):
    import subprocess

    info = subprocess.run(["pdfinfo", str(printed_pdf)], capture_output=True, text=True).stdout
    assert "A4" in info and int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 3
    proj = copy_project(tmp_path / "project", with_issues=False)
    result = proj.newsletter("import", str(printed_pdf), "--out", "issues/")
    assert result.returncode == 0, result.stdout + result.stderr
    folder = proj.path / "issues" / "035"
    doc, _ = read_mapping((folder / "issue.yml").read_text(encoding="utf-8"), "issue.yml")
    assert doc.data["number"] == 35 and doc.data["publisher"] == PUBLISHER
    imported = sorted(folder.glob("*.md"))
    assert len(imported) == len(PRINTED_ARTICLES)
    for (name, _), copy in zip(PRINTED_ARTICLES, imported):
        want, want_body = committed(name)
        got, got_body = front_and_body(copy)
        for key in ("title", "section", "source", "source_url", "doc_number"):
            assert got.get(key) == want.get(key), (name, key, got.get(key), want.get(key))
        assert got["date"] == str(want["date"])
        assert kept_share(plain(want_body), plain(got_body)) >= 0.95, name
        for line in got_body.splitlines():
            for pattern in FURNITURE:
                assert not pattern.search(line), (copy.name, pattern.pattern, line)
    # the attachment link of the announcement survives as a link
    assert got_body.rstrip().endswith("(http://www.bjpc.gov.cn/tztg/201410/P020141031358085499459.docx)")


def test_page_break_inside_a_wrapped_title(tmp_path):
    import subprocess

    from printed_layout import BROKEN_TITLE, write_title_break_pdf

    pdf = write_title_break_pdf(tmp_path / "title-break.pdf", 36)
    first_page = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "北京市发展和改革委员会关于公布" in first_page and "单位名单的通知" not in first_page  # the break is there
    proj = copy_project(tmp_path / "project", with_issues=False)
    result = proj.newsletter("import", str(pdf), "--out", "issues/")
    assert result.returncode == 0, result.stderr
    titles = [front_and_body(p)[0]["title"] for p in sorted((proj.path / "issues" / "036").glob("*.md"))]
    assert titles == ["第一篇文章的标题", BROKEN_TITLE]
    _, body = front_and_body(sorted((proj.path / "issues" / "036").glob("*.md"))[1])
    assert body.strip() == "有关单位：按照2014年8月20日我委发布的遴选公告确定的工作程序和评审规则，现将名单予以公布。"
