"""Link check: every internal href and src of every built HTML page resolves to a file of the site."""

from __future__ import annotations

import posixpath
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

EXTERNAL = ("http://", "https://", "mailto:", "data:", "//")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.targets.append(value)


def dead_links(site: Path, root_path: str = "/") -> list[str]:
    """``page: target`` for every internal link or asset that names no file in ``site``.
    ``root_path``: the path of site_url, which absolute links (MkDocs' 404 page) start with."""
    dead = []
    for page in sorted(site.rglob("*.html")):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for target in parser.targets:
            if target.startswith(EXTERNAL) or target.startswith("#"):
                continue
            path = urllib.parse.unquote(urllib.parse.urlsplit(target).path)
            if not path:
                continue
            if path.startswith("/"):
                if not path.startswith(root_path):
                    dead.append(f"{page.relative_to(site)}: {target} (outside {root_path})")
                    continue
                base, path = site, path[len(root_path):]
            else:
                base = page.parent
            resolved = Path(posixpath.normpath((base / path).as_posix()))
            if target.startswith("javascript:") or not (resolved.is_file() or (resolved / "index.html").is_file()):
                dead.append(f"{page.relative_to(site)}: {target}")
    return dead


def test_default_site_has_no_dead_link(default_site):
    assert dead_links(default_site.site) == []


def test_generated_archive_has_no_dead_link(synthetic_site):
    assert dead_links(synthetic_site(3).site) == []


def test_paginated_archive_with_site_url_has_no_dead_link(synthetic_site):
    assert dead_links(synthetic_site(3, per_page=4, site_url="https://example.org/newsletter/").site,
                      "/newsletter/") == []


def test_link_checker_finds_a_dead_link(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<a href="../b/">x</a><img src="../x.png"><a href="https://e.org/">e</a>')
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "index.html").write_text('<a href="../a/#top">a</a>')
    assert dead_links(tmp_path) == ["a/index.html: ../x.png"]
