"""The other platforms (README "Platform"): the default site built with ProperDocs + Material and with
ProperDocs + MaterialX, each in its own virtual environment (made by `make test`, scripts/setup.sh), through
the same `newsletter --host … --theme … build` that `make site HOST=… THEME=…` runs.

ProperDocs' output equals MkDocs' except the generator meta tag; on both ProperDocs builds one page of
every kind renders with our header search box, feeds, PDF link, no axe violation of any impact and nothing
fetched from elsewhere, and the search works. The builds are made in the default site's project folder
(into their own site folders), so the issue PDF comes from the cache the default build filled.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from axe import axe_violations
from conftest import ROOT, Project
from newsletter import platforms

PLATFORMS = [("properdocs", "material"), ("properdocs", "materialx")]
IDS = [f"{host}+{theme}" for host, theme in PLATFORMS]
GENERATOR = re.compile(rb'<meta name="generator" content="([^"]*)">')

# One page of every kind in the default site (issue 34); a * stands for the first matching folder.
PAGE_KINDS = {
    "home": "", "issue": "issues/34/", "article": "issues/34/01/", "issues-index": "issues/",
    "sections": "sections/", "section": "sections/policy/", "tags": "tags/", "tag": "tags/*/",
    "sources": "sources/", "source": "sources/*/", "months": "months/", "month": "months/2014-10/",
    "search": "search/",
}


def venv(host: str, theme: str) -> Path:
    return platforms.venv_dir(ROOT, host, theme)


_built: dict[tuple[str, str], Path] = {}


def platform_build(project: Project, host: str, theme: str) -> Path:
    """The project built on host + theme into site-<host>-<theme>/ (once per session)."""
    if (host, theme) not in _built:
        newsletter = venv(host, theme) / "bin" / "newsletter"
        assert newsletter.is_file(), (f"{venv(host, theme)} is missing: `make test` makes it "
                                      f"(scripts/setup.sh --host {host} --theme {theme})")
        site = project.path / f"site-{host}-{theme}"
        for command in (["check"], ["build", "--site-dir", str(site)]):  # what `make site HOST= THEME=` runs
            result = subprocess.run([str(newsletter), "--host", host, "--theme", theme, *command],
                                    cwd=project.path, capture_output=True, text=True,
                                    env={k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"})
            assert result.returncode == 0, result.stdout + result.stderr
        _built[host, theme] = site
    return _built[host, theme]


def generator(html: bytes) -> str:
    found = GENERATOR.findall(html)
    assert len(found) == 1
    return found[0].decode()


def without_generator(data: bytes) -> bytes:
    return GENERATOR.sub(b"", data)


def tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_properdocs_output_equals_mkdocs_output_but_the_generator(default_site):
    mkdocs_site = tree(default_site.site)
    properdocs_site = tree(platform_build(default_site, "properdocs", "material"))
    assert sorted(properdocs_site) == sorted(mkdocs_site)
    assert any(name.endswith(".pdf") for name in mkdocs_site)  # the PDF step ran, so its output is compared too
    html = [name for name in mkdocs_site if name.endswith(".html")]
    assert len(html) > 60
    for name in html:
        assert generator(mkdocs_site[name]).startswith("mkdocs-1.6."), name
        assert generator(properdocs_site[name]).startswith("mkdocs-ProperDocs 1.6."), name
    different = [name for name in mkdocs_site
                 if without_generator(properdocs_site[name]) != without_generator(mkdocs_site[name])]
    assert different == []


def test_materialx_build_uses_the_materialx_theme(default_site):
    site = platform_build(default_site, "properdocs", "materialx")
    assert "mkdocs-materialx" in generator((site / "index.html").read_bytes())
    assert (default_site.path / "mkdocs.yml").read_bytes() == (ROOT / "mkdocs.yml").read_bytes()  # not edited


def test_strict_properdocs_build_with_a_host_warning_publishes_nothing(default_site):
    """ProperDocs logs under its own logger: a warning of its own still stops a strict build from publishing."""
    site = platform_build(default_site, "properdocs", "material")
    before = tree(site)
    config = default_site.path / ".strict-missing-page.yml"
    config.write_text("INHERIT: mkdocs.yml\nnav:\n  - index.md\n  - missing.md\n", encoding="utf-8")
    try:
        result = subprocess.run([str(venv("properdocs", "material") / "bin" / "properdocs"), "build", "--strict",
                                 "-f", str(config), "-d", str(site)], cwd=default_site.path, capture_output=True,
                                text=True, env=dict(os.environ, NEWSLETTER_PDF="0"))
    finally:
        config.unlink()
    assert result.returncode == 1
    assert "'missing.md' is included in the 'nav' configuration" in result.stderr
    assert tree(site) == before


def resolve(site: Path, pattern: str) -> str:
    matches = sorted(site.glob(pattern + "index.html"))
    assert matches, f"no page {pattern} in {site}"
    url = matches[0].parent.relative_to(site).as_posix() + "/"
    return "" if url == "./" else url


@pytest.fixture(scope="module", params=PLATFORMS, ids=IDS)
def platform_base(request, default_site, serve):
    site = platform_build(default_site, *request.param)
    return site, serve(site)


HEADER_BOX = "[data-md-component=header] .md-header__inner form[data-nl-header-search] input#nl-header-q"
FEEDS = """() => Promise.all([...document.querySelectorAll('link[type="application/atom+xml"]')].map(
    l => fetch(l.href).then(r => r.text()).then(t => ({href: l.getAttribute('href'), rel: l.rel,
                                                     feed: t.includes('<feed xmlns="http://www.w3.org/2005/Atom"')}))))"""


@pytest.mark.browser
@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_every_page_kind_renders_with_search_box_feeds_and_no_violation(platform_base, open_page, kind):
    site, base = platform_base
    watch = open_page(base + resolve(site, PAGE_KINDS[kind]))
    page = watch.page
    assert page.locator("h1").count() == 1
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.locator("#nl-content").inner_text().strip() != ""
    assert page.locator(HEADER_BOX).is_visible()  # our search box, inside the theme's header bar
    feeds = page.evaluate(FEEDS)
    assert feeds and all(f["feed"] for f in feeds), feeds
    assert feeds[0]["rel"] == "alternate feed"
    bad = [f"{v['impact']} {v['id']}: {v['nodes'][:3]}" for v in axe_violations(page)]  # any impact
    assert bad == []
    assert watch.external == [] and watch.errors == []


@pytest.mark.browser
def test_issue_page_links_its_pdf(platform_base, open_page):
    site, base = platform_base
    page = open_page(base + "issues/34/").page
    link = page.locator(".nl-pdf-download a")
    assert link.count() == 1
    head = page.evaluate("h => fetch(h).then(r => r.arrayBuffer()).then(b => new TextDecoder().decode(b.slice(0, 5)))",
                         link.get_attribute("href"))
    assert head == "%PDF-"


@pytest.mark.browser
def test_search_page_and_header_box_find_articles(platform_base, open_page):
    site, base = platform_base
    watch = open_page(base + "search/?q=" + "碳市场")
    page = watch.page
    page.wait_for_function("document.querySelectorAll('.nl-search-list li').length > 0")
    assert "碳" in page.locator(".nl-search-list li").first.inner_text()
    page.fill("#nl-header-q", "碳市场")
    page.wait_for_selector(".nl-header-search__hit")
    assert "碳" in page.locator(".nl-header-search__hit").first.inner_text()
    with page.expect_navigation():
        page.locator(".nl-header-search__hit").first.click()
    assert "/issues/" in page.url
    assert watch.external == [] and watch.errors == []


@pytest.mark.browser
def test_default_build_has_the_search_box_in_the_theme_header(default_site, serve, open_page):
    page = open_page(serve(default_site.site)).page
    assert page.locator(HEADER_BOX).is_visible()


@pytest.mark.browser
def test_without_scripts_the_search_box_stays_below_the_header_and_submits(default_site, serve, open_page):
    page = open_page(serve(default_site.site) + "issues/34/", java_script_enabled=False).page
    assert page.locator(".md-header + form[data-nl-header-search]").is_visible()
    page.fill("#nl-header-q", "碳市场")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/search/?q=%E7%A2%B3%E5%B8%82%E5%9C%BA")
