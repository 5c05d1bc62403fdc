"""The build cache: `mkdocs build --dirty` re-renders exactly the pages an edit changed."""

from __future__ import annotations

import os
import re

from conftest import copy_project, load_synth


def _mtimes(site):
    return {p.relative_to(site).as_posix(): p.stat().st_mtime_ns for p in site.rglob("index.html")}


def test_dirty_rebuild_renders_only_pages_that_show_the_change(tmp_path):
    project = copy_project(tmp_path / "project", with_issues=False)
    load_synth().generate(project.path, 3, 12)
    assert project.build().returncode == 0
    assert (project.path / ".cache" / "newsletter" / "site.json").is_file()
    before = _mtimes(project.site)
    for path in project.site.rglob("index.html"):  # make any rewrite visible in the mtime
        os.utime(path, ns=(1, 1))

    article = project.path / "issues" / "002" / "02-market.md"
    text = article.read_text(encoding="utf-8")
    title = re.search(r'^title: "(.*)"$', text, re.M).group(1)
    article.write_text(text.replace(title, "［合成］改过的标题") + "\n新加的一句。\n", encoding="utf-8")
    result = project.build("--dirty")
    assert result.returncode == 0, result.stderr

    rewritten = {p for p, t in _mtimes(project.site).items() if t != 1}
    page = project.html("issues/2/02-market")
    assert "改过的标题" in page and "新加的一句。" in page
    assert "改过的标题" in project.html("sections/market")
    assert "issues/2/index.html" in rewritten and "sections/market/index.html" in rewritten
    # pages that do not show the article (or a link titled with it) stay as they were
    assert "issues/2/05-policy/index.html" not in rewritten and "sections/policy/index.html" not in rewritten
    assert "index.html" not in rewritten and "tags/index.html" not in rewritten  # counts did not change
    assert len(rewritten) < len(before) / 5


def test_full_build_after_cached_build_is_identical(tmp_path):
    project = copy_project(tmp_path / "project", with_issues=False)
    load_synth().generate(project.path, 2, 8)
    assert project.build().returncode == 0
    first = {p: (project.site / p).read_bytes() for p in _mtimes(project.site)}
    assert project.build().returncode == 0  # warm cache: HTML comes from .cache/newsletter/bodies.pickle
    assert {p: (project.site / p).read_bytes() for p in _mtimes(project.site)} == first
