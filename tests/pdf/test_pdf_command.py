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


def test_no_cjk_font_stops_with_how_to_install_one(project, tmp_path):
    """A machine without fonts-noto-cjk, simulated by a fontconfig configuration that lists no font folder."""
    write_fixture_issue(project)
    empty = tmp_path / "fonts.conf"
    empty.write_text(f'<?xml version="1.0"?><fontconfig><cachedir>{tmp_path}/fc-cache</cachedir></fontconfig>')
    result = run_with_env(project, "pdf", str(NUMBER), "--no-cache", FONTCONFIG_FILE=str(empty))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "no Chinese (CJK) font found" in result.stderr and "apt-get install fonts-noto-cjk" in result.stderr
    assert result.stderr.count("apt-get install") == 1  # said once, not once per issue
    assert not (project.site / PDF).exists()


def test_template_font_that_is_not_installed_stops_with_its_name(project):
    write_fixture_issue(project)
    template = project.path / "templates/pdf/issue.typ"
    text = template.read_text(encoding="utf-8")
    assert '#let serif = ("Noto Serif CJK SC",)' in text
    template.write_text(text.replace('#let serif = ("Noto Serif CJK SC",)', '#let serif = ("No Such CJK Family",)'),
                        encoding="utf-8")
    result = project.newsletter("pdf", str(NUMBER), "--no-cache")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "'no such cjk family' named in templates/pdf/issue.typ is not installed" in result.stderr
    assert "apt-get install fonts-noto-cjk" in result.stderr
    assert not (project.site / PDF).exists()


def test_a_character_no_font_has_is_a_warning_naming_article_and_line(project):
    write_fixture_issue(project)
    path = project.write(f"issues/{NUMBER:03d}/01-market.md", article_text(body="正文。\n\n温度\U000f0041升高。"))
    line = path.read_text(encoding="utf-8").splitlines().index("温度\U000f0041升高。") + 1
    result = project.newsletter("pdf", str(NUMBER), "--no-cache")
    assert result.returncode == 0, result.stderr
    assert (f"issues/{NUMBER:03d}/01-market.md:{line}: pdf: warning: the character '\U000f0041' (U+F0041) "
            "is in none of the PDF's fonts") in result.stderr
    assert (project.site / PDF).is_file()


def test_cache_reuses_unchanged_and_renders_changed(project):
    write_fixture_issue(project)
    first = project.newsletter("pdf", str(NUMBER))
    assert first.returncode == 0 and "from the cache" not in first.stdout
    rendered = (project.site / PDF).read_bytes()
    (project.site / PDF).unlink()
    again = project.newsletter("pdf", str(NUMBER))
    assert again.returncode == 0, again.stderr
    assert f"wrote {project.site / PDF} (unchanged, from the cache)" in again.stdout
    assert (project.site / PDF).read_bytes() == rendered
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
    # (raw HTML: a Markdown link out of the issue folder is already a content error, tests/site/test_assets.py)
    image = '<img alt="图" src="../../../outside.png">'
    path = project.write(f"issues/{NUMBER:03d}/01-market.md", article_text(body="正文。\n\n" + image))
    line = path.read_text(encoding="utf-8").splitlines().index(image) + 1
    broken = project.build()
    assert broken.returncode == 1 and "PDF of an issue failed" in broken.stderr
    assert (f"issues/{NUMBER:03d}/01-market.md:{line}: pdf: {(project.path.parent / 'outside.png').as_uri()}: "
            "the file lies outside the project") in broken.stderr
    assert "Traceback" not in broken.stderr
