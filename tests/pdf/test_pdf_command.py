"""`newsletter pdf` and the site build: invalid content refused like `check`, the missing-font
message, the cache, the time limit, --all/--out, and NEWSLETTER_PDF=0."""

from __future__ import annotations

import os

import pytest

from conftest import article_text
from fixture_issue import NUMBER, write_fixture_issue

pytestmark = pytest.mark.pdf

PDF = f"issues/{NUMBER}/newsletter-{NUMBER:03d}.pdf"


def run_with_env(project, *args, **env):
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return project.newsletter(*args)
    finally:
        for k, v in old.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)


def test_invalid_content_refused_with_the_messages_of_check(project):
    write_fixture_issue(project)
    project.write(f"issues/{NUMBER:03d}/07-bad.md", article_text(title="坏文章", section="nosuch", date="2014-02-30"))
    check = project.newsletter("check")
    result = project.newsletter("pdf", str(NUMBER))
    assert result.returncode == 1 and check.returncode == 1
    assert result.stderr == check.stderr and "07-bad.md" in result.stderr and "Traceback" not in result.stderr
    assert not (project.site / PDF).exists()


def test_no_cjk_font_stops_with_how_to_install_one(project):
    write_fixture_issue(project)
    result = run_with_env(project, "pdf", str(NUMBER), "--no-cache", NEWSLETTER_PDF_FONTS="No Such CJK Family")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "No Such CJK Family" in result.stderr and "apt-get install fonts-noto-cjk" in result.stderr
    assert not (project.site / PDF).exists()


def test_cache_reuses_unchanged_and_renders_changed(project):
    write_fixture_issue(project)
    first = project.newsletter("pdf", str(NUMBER))
    assert first.returncode == 0 and "from the cache" not in first.stdout
    again = project.newsletter("pdf", str(NUMBER))
    assert "from the cache" in again.stdout
    project.write(f"issues/{NUMBER:03d}/01-market.md", article_text(title="改过的标题", body="改过的正文。"))
    changed = project.newsletter("pdf", str(NUMBER))
    assert changed.returncode == 0 and "from the cache" not in changed.stdout
    assert len(list((project.path / ".cache/pdf").glob("*.pdf"))) == 1


def test_time_limit_is_a_clear_error(project):
    write_fixture_issue(project)
    result = project.newsletter("pdf", str(NUMBER), "--no-cache", "--timeout", "0.05")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "rendering took longer than 0.05 s" in result.stderr


def test_all_and_out(project, tmp_path):
    write_fixture_issue(project)
    out = tmp_path / "pdfs"
    result = project.newsletter("pdf", "--all", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert (out / f"newsletter-{NUMBER:03d}.pdf").read_bytes().startswith(b"%PDF")
    assert project.newsletter("pdf").returncode == 2
    missing = project.newsletter("pdf", "99")
    assert missing.returncode == 1 and f"issues: {NUMBER}" in missing.stderr


def test_site_build_with_pdfs_off_neither_writes_nor_links_them(project):
    write_fixture_issue(project)
    env = dict(os.environ, NEWSLETTER_PDF="0")
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=project.path, capture_output=True, text=True,
                            env=env)
    assert result.returncode == 0, result.stderr
    assert not (project.site / PDF).exists()
    assert ".pdf" not in project.html(f"issues/{NUMBER}/")


def test_site_build_writes_pdf_and_a_failed_pdf_fails_the_build(project):
    write_fixture_issue(project)
    built = project.build()
    assert built.returncode == 0, built.stderr
    assert (project.site / PDF).is_file() and f'href="newsletter-{NUMBER:03d}.pdf"' in project.html(f"issues/{NUMBER}/")
    project.write(f"issues/{NUMBER:03d}/01-market.md", article_text(body='<img alt="图" src="../../../outside.png">'))
    # (raw HTML: a Markdown link out of the issue folder is already a content error, tests/site/test_assets.py)
    broken = project.build()
    assert broken.returncode == 1 and "PDF of an issue failed" in broken.stderr
    assert f"issues/{NUMBER:03d}/01-market.md:1: pdf: {(project.path.parent / 'outside.png').as_uri()}: " in broken.stderr
    assert "Traceback" not in broken.stderr
