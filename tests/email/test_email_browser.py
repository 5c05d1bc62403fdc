"""The email's HTML part in headless Chromium at the width of a desktop mail pane and of phones:
no sideways scrolling (long unbroken words included), and axe-core finds no serious or critical
WCAG 2.1 AA violation."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
from axe import axe_violations  # noqa: E402

from conftest import article_text, issue_yml  # noqa: E402
from mail_sites import edition34, repo_project  # noqa: E402,F401

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [600, 375])
def test_email_fits_the_width_and_passes_axe(edition34, serve, open_page, width):  # noqa: F811
    watch = open_page(serve(edition34) + "email.html", viewport={"width": width, "height": 900})
    page = watch.page
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate("document.body.scrollWidth") <= width
    # the 600 px column fills a phone's screen instead of overflowing it
    column = page.evaluate("document.querySelector('table[width=\"600\"]').getBoundingClientRect().width")
    assert column <= width and column >= min(width, 600) - 20
    serious = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
    assert serious == []
    assert watch.errors == [] and watch.external == []


def test_long_unbroken_words_wrap_on_a_phone(project, tmp_path, serve, open_page):
    project.write("issues/034/issue.yml", issue_yml(note="本期编者按。"))
    project.write("issues/034/01-a.md", article_text(
        title="ThisIsAVeryLongLatinWordWithoutAnySpacesThatCouldOverflowTheColumnOfAPhoneScreen_2014",
        source="SourceWithAnExtremelyLongNameWithoutSpacesAtAllWhatsoeverForTesting",
        body="https://example.org/a/very/long/path/without/spaces/that/keeps/going/and/going/and/going/forever"))
    out = tmp_path / "e"
    result = project.newsletter("email", "34", "--site-url", "https://example.org/", "--out", str(out))
    assert result.returncode == 0, result.stderr
    page = open_page(serve(out) + "email.html", viewport={"width": 320, "height": 700}).page
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert "ThisIsAVeryLongLatinWord" in page.inner_text("h3")
