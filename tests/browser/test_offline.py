"""Nothing leaves the site: no page fetches anything from another host (fonts, scripts, styles, images),
in the browser and in the built files; and no page logs a console error."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from browser_sites import ALL_PAGES, page_url, sample_site  # noqa: F401 (fixture)

# Attributes through which a page fetches something by itself (links the reader clicks are not fetches).
FETCHING = {("script", "src"), ("img", "src"), ("img", "srcset"), ("source", "src"), ("source", "srcset"),
            ("iframe", "src"), ("video", "src"), ("video", "poster"), ("audio", "src"), ("embed", "src"),
            ("object", "data"), ("track", "src"), ("input", "src")}
FETCHING_LINK_RELS = {"stylesheet", "icon", "preload", "prefetch", "modulepreload", "manifest", "preconnect",
                      "dns-prefetch", "apple-touch-icon"}
EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.I)
CSS_EXTERNAL = re.compile(r"(?:url\(\s*['\"]?|@import\s+['\"])\s*((?:https?:)?//[^'\")\s]+)", re.I)


class _FetchFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            fetches = (tag, name) in FETCHING or (
                tag == "link" and name == "href" and FETCHING_LINK_RELS & set((attrs.get("rel") or "").lower().split()))
            if fetches and value and EXTERNAL.match(value):
                self.found.append(f"<{tag} {name}={value}>")
            if name == "style" and value:
                self.found += CSS_EXTERNAL.findall(value)


def external_fetches(site: Path) -> dict[str, list[str]]:
    """Every external URL a built page, stylesheet or script would fetch on its own."""
    found: dict[str, list[str]] = {}
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if path.suffix == ".html":
            finder = _FetchFinder()
            finder.feed(path.read_text(encoding="utf-8"))
            hits = finder.found
        elif path.suffix == ".css":
            hits = CSS_EXTERNAL.findall(path.read_text(encoding="utf-8"))
        else:
            continue
        if hits:
            found[rel] = hits
    return found


def test_built_site_references_nothing_external(sample_site):  # noqa: F811
    assert external_fetches(sample_site.site) == {}
    home = (sample_site.site / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis" not in home and "fonts.gstatic" not in home  # theme.font: false


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", ALL_PAGES)
def test_viewing_a_page_requests_nothing_external_and_logs_no_error(sample_site, serve, open_page, kind, scheme):  # noqa: F811
    watch = open_page(serve(sample_site.site) + page_url(sample_site.site, kind), color_scheme=scheme)
    watch.page.keyboard.press("Tab")  # interaction loads nothing either
    watch.page.mouse.wheel(0, 2000)
    watch.page.wait_for_timeout(200)
    assert watch.external == []
    assert watch.errors == []


def test_the_detector_catches_an_external_fetch(tmp_path):
    (tmp_path / "index.html").write_text('<link rel="stylesheet" href="https://cdn.example/x.css">'
                                         '<a href="https://example.org/">a link is fine</a>'
                                         '<div style="background: url(//cdn.example/bg.png)"></div>')
    (tmp_path / "s.css").write_text('@import "https://fonts.googleapis.com/css?family=Noto";')
    assert external_fetches(tmp_path) == {
        "index.html": ["<link href=https://cdn.example/x.css>", "//cdn.example/bg.png"],
        "s.css": ["https://fonts.googleapis.com/css?family=Noto"],
    }
