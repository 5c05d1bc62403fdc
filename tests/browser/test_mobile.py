"""At a 390 px wide viewport no page scrolls sideways; wide tables scroll inside their own box."""

from __future__ import annotations

import pytest

from browser_sites import ALL_PAGES, page_url, sample_site  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.mark.parametrize("kind", ALL_PAGES)
def test_no_sideways_scrolling_at_390px(sample_site, serve, open_page, kind):  # noqa: F811
    watch = open_page(serve(sample_site.site) + page_url(sample_site.site, kind), **PHONE)
    page = watch.page
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate("document.body.scrollWidth") <= 390
    assert watch.errors == [] and watch.external == []


def test_wide_table_scrolls_inside_its_own_box(sample_site, serve, open_page):  # noqa: F811
    page = open_page(serve(sample_site.site) + page_url(sample_site.site, "article-with-table"), **PHONE).page
    boxes = page.evaluate("""() => [...document.querySelectorAll('.nl-body table')].map(t => {
        let box = t.parentElement;
        while (box && getComputedStyle(box).overflowX === 'visible') box = box.parentElement;
        return {scroll: box.scrollWidth, client: box.clientWidth, right: box.getBoundingClientRect().right};
    })""")
    assert boxes, "the fixture article has a table"
    for box in boxes:
        assert box["scroll"] > box["client"]  # the table is wider than the screen and scrolls in its box
        assert box["right"] <= 390


def test_every_page_of_the_default_site_fits_a_phone_offline_without_errors(default_site, serve, open_page):
    base = serve(default_site.site)
    urls = sorted(p.parent.relative_to(default_site.site).as_posix() + "/"
                  for p in default_site.site.rglob("index.html"))
    assert len(urls) > 26
    problems = {}
    for url in urls:
        url = "" if url == "./" else url
        watch = open_page(base + url, **PHONE)
        width = watch.page.evaluate("document.documentElement.scrollWidth")
        if width > 390 or watch.errors or watch.external:
            problems[url] = {"width": width, "errors": watch.errors, "external": watch.external}
        watch.page.context.close()
    assert problems == {}
