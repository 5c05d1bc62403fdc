"""Incremental builds are honest: after every kind of edit, what the preview serves and what
`mkdocs build --dirty` leaves in site/ equal, file for file and byte for byte, a clean full build of
the same content.

One small generated archive takes a chain of edits (body, title, add, delete, rename, move between
issues, section, tags, date, issue.yml, tags.yml, synonyms.yml, an image added in a subfolder and
replaced, a save of the same bytes, two saves before one rebuild, a body edit undone, a template).
No file watcher is involved: every build finds the edits by itself (the stats of the files under each
issue folder, see parsecache.py), as it must for a change the preview's watcher did not report.
After each edit:
* the preview path: MkDocs' own build, called as `mkdocs serve --dirty` calls it on a save (the
  plugin object lives across rebuilds, with its parsed articles, fingerprints and site state);
* the publishing path: `mkdocs build --dirty` on the site/ of the previous step (a new plugin object,
  as in a new process: what it knows comes from .cache/);
* the warm full build: a plain `mkdocs build` of a twin project that takes the same edits, with the
  .cache/ and site/ of its previous full build: pages whose fingerprint is unchanged are copied from
  the published site/ instead of rendered (reuse.py);
* the reference: clean full builds of a copy of the same content, in serve mode and in build mode,
  each with a new plugin object and no .cache/.
Each path runs in this process with its own plugin objects (MkDocs keeps a plugin that has on_startup
in the ``plugin_cache`` of the ``plugins`` option; each :class:`Process` has its own), which is what
separate processes would have. test_preview.py runs the real server.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig

from conftest import ROOT, Project, copy_project, load_synth
from newsletter import parsecache

URL = "http://127.0.0.1:8000/"
SETTLED_NS = 200_000_000


def _text(project: Project, rel: str) -> str:
    return (project.path / rel).read_text(encoding="utf-8")


def _sub(project: Project, rel: str, pattern: str, replacement: str) -> None:
    text = _text(project, rel)
    changed, count = re.subn(pattern, replacement, text, count=1, flags=re.M)
    assert count == 1, f"{pattern!r} not found in {rel}"
    project.write(rel, changed)


def _article(p, issue: int, n: int) -> str:
    """The n-th article file (file-name order) of an issue, as a project path."""
    return sorted(path.relative_to(p.path).as_posix() for path in (p.path / f"issues/{issue:03d}").glob("*.md"))[n]


def edit_body(p):
    rel = _article(p, 2, 2)
    p.write(rel, _text(p, rel) + "\n编辑新加的一段：甲乙丙丁。\n")


def edit_title(p):
    _sub(p, _article(p, 2, 2), r'^title: ".*"$', 'title: "［合成］改过的标题"')


def add_article(p):
    p.write("issues/003/04-zz-new.md", '---\ntitle: "［合成］新加的文章"\nsection: market\ndate: 2014-01-02\n'
            'source: 新来源\ntags: [碳市场]\n---\n新文章的正文，提到了碳汇。\n')


def delete_article(p):
    (p.path / _article(p, 1, 1)).unlink()


def rename_article(p):
    rel = _article(p, 2, 4)
    (p.path / rel).rename(p.path / rel.replace(".md", "-renamed.md"))


def move_between_issues(p):
    rel = _article(p, 3, 5)
    (p.path / rel).rename(p.path / "issues/002" / ("09-moved-" + Path(rel).name))


def change_section(p):
    _sub(p, _article(p, 1, 2), r'^section: .*$', 'section: "international"')


def change_tags(p):
    _sub(p, _article(p, 1, 3), r'^tags: .*$', 'tags: ["CCER", "碳汇"]')


def change_date(p):
    _sub(p, _article(p, 2, 3), r'^date: .*$', 'date: "2013-11-02"')


def edit_issue_yml(p):
    _sub(p, "issues/002/issue.yml", r'^note: .*$', 'note: "改过的编者按。"')
    _sub(p, "issues/002/issue.yml", r'^date: .*$', 'date: 2013-12-28')


def edit_tags_yml(p):
    p.write("issues/tags.yml", _text(p, "issues/tags.yml").replace("- 碳汇\n", "") + "- 新标签\n")


def edit_synonyms_yml(p):
    p.write("issues/synonyms.yml", "- 碳汇 = 森林碳汇 = 林业碳汇\n")


def edit_template(p):
    _sub(p, "templates/article.html", r"^<article ", "<!-- 模板改动 -->\n<article ")


def _png(width: int, height: int) -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (width, height), (20, 120, 110)).save(out, "PNG")
    return out.getvalue()


def add_image(p):
    """A file in a subfolder of the issue, linked by an article (the folder's state covers subfolders)."""
    p.write("issues/002/img/chart.png", _png(40, 30))
    rel = _article(p, 2, 1)
    p.write(rel, _text(p, rel) + "\n![碳价走势](img/chart.png)\n")


def replace_image(p):
    """The article's file is untouched; its page shows the new image's size."""
    p.write("issues/002/img/chart.png", _png(80, 20))


def save_unchanged(p):
    """A save that writes the same bytes (an editor's "save all"): the stat changes, the content does not."""
    rel = _article(p, 3, 1)
    p.write(rel, (p.path / rel).read_bytes())


def save_twice(p):
    """Two saves before the rebuild, the second of the same size as the first."""
    rel = _article(p, 1, 4)
    p.write(rel, _text(p, rel) + "\n第一次保存：甲。\n")
    p.write(rel, _text(p, rel).replace("第一次保存：甲。", "第二次保存：乙。"))


def revert_body(p):
    """edit_body's article back to the text it had before (and the earlier builds showed)."""
    rel = _article(p, 2, 2)
    text = _text(p, rel)
    assert "\n编辑新加的一段：甲乙丙丁。\n" in text
    p.write(rel, text.replace("\n编辑新加的一段：甲乙丙丁。\n", ""))


CHANGES = [edit_body, edit_title, add_article, delete_article, rename_article, move_between_issues,
           change_section, change_tags, change_date, edit_issue_yml, edit_tags_yml, edit_synonyms_yml,
           add_image, replace_image, save_unchanged, save_twice, revert_body, edit_template]


def _outputs(site: Path) -> dict[str, bytes]:
    """Every file of a built site; build timestamps removed (the gzip header of sitemap.xml.gz)."""
    files = {}
    for path in sorted(site.rglob("*")):
        if path.is_file():
            rel = path.relative_to(site).as_posix()
            data = path.read_bytes()
            files[rel] = gzip.decompress(data) if rel.endswith(".gz") else data
    return files


def _assert_same(incremental: Path, full: Path, what: str) -> None:
    got, want = _outputs(incremental), _outputs(full)
    assert sorted(got) == sorted(want), (
        f"{what}: files differ: missing {sorted(set(want) - set(got))[:10]}, extra {sorted(set(got) - set(want))[:10]}")
    differ = [rel for rel in want if got[rel] != want[rel]]
    assert not differ, f"{what}: {len(differ)} file(s) differ from a full build, e.g. {differ[:10]}"


class Process:
    """One MkDocs command as a separate process would run it: its own plugin objects."""

    def __init__(self, project: Project, site_dir: Path, *, serving: bool, dirty: bool, **overrides):
        self.project, self.site_dir, self.serving, self.dirty = project, site_dir, serving, dirty
        self.overrides = overrides  # configuration given besides mkdocs.yml (as command-line flags or !ENV do)
        self.plugins: dict = {}
        self.started = False

    @contextlib.contextmanager
    def _active(self):
        option, cwd = MkDocsConfig.plugins, os.getcwd()
        saved, option.plugin_cache = option.plugin_cache, self.plugins
        os.chdir(self.project.path)
        try:
            yield
        finally:
            option.plugin_cache = saved
            os.chdir(cwd)

    def build(self) -> None:
        with self._active():
            config = load_config(config_file=str(self.project.path / "mkdocs.yml"), site_dir=str(self.site_dir),
                                 **self.overrides)
            if self.serving:
                config.site_url = URL
            if not self.started:  # `mkdocs serve` starts once, then rebuilds on each save
                config.plugins.on_startup(command="serve" if self.serving else "build", dirty=self.dirty)
                self.started = self.serving
            build(config, serve_url=URL if self.serving else None, dirty=self.dirty)

    @property
    def built_in_place(self) -> bool:
        return self.plugins["newsletter"].journal is not None

    @property
    def reused(self) -> set[str]:
        """Pages a full build copied from the published site."""
        return set(self.plugins["newsletter"].reused)

    @property
    def pages(self) -> set[str]:
        return set(self.plugins["newsletter"].specs)


def _full_builds(project: Project, work: Path, *, serve: bool = True, **overrides) -> tuple[Path, Path]:
    """Clean full builds (serve mode, build mode) of a copy of the project's content."""
    copy = Project(work / "copy")
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(project.path, copy.path, ignore=shutil.ignore_patterns("site", ".cache", "preview", ".site-*"))
    if serve:
        Process(copy, copy.path / "full-serve", serving=True, dirty=False).build()
        shutil.rmtree(copy.path / ".cache")
    Process(copy, copy.site, serving=False, dirty=False, **overrides).build()
    return copy.path / "full-serve", copy.site


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """The project after its first builds (preview and site/), ready for the chain of edits."""
    monkey = pytest.MonkeyPatch()
    monkey.setenv("NEWSLETTER_PDF", "0")
    # A stat counts as settled after 0.2 s, not 3 s: the folders an edit did not touch are then taken
    # from the parse cache by their stats, and the edited ones must be noticed by theirs (as in the preview).
    monkey.setattr(parsecache, "SETTLED_NS", SETTLED_NS)
    project = copy_project(tmp_path_factory.mktemp("incremental") / "project", with_issues=False)
    load_synth().generate(project.path, 3, 8)
    shutil.copy2(ROOT / "issues" / "synonyms.yml", project.path / "issues" / "synonyms.yml")
    twin = Project(tmp_path_factory.mktemp("warm") / "project")  # takes the same edits, built by full builds only
    shutil.copytree(project.path, twin.path)
    preview = Process(project, project.path / "preview", serving=True, dirty=True)
    preview.build()
    Process(project, project.site, serving=False, dirty=True).build()  # the first one: a full build
    Process(twin, twin.site, serving=False, dirty=False).build()
    yield project, preview, tmp_path_factory.mktemp("reference"), twin
    monkey.undo()


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__ for c in CHANGES])
def test_incremental_build_equals_a_full_build(chain, change):
    project, preview, work, twin = chain
    time.sleep(SETTLED_NS / 1e9)
    preview.build()  # the last edit's folders settled: from now on they too are known by their files' stats
    change(project)
    change(twin)
    preview.build()
    assert preview.built_in_place  # the save rebuilt what changed, not the whole site
    dirty = Process(project, project.site, serving=False, dirty=True)
    dirty.build()
    assert dirty.built_in_place
    warm = Process(twin, twin.site, serving=False, dirty=False)
    warm.build()
    assert not warm.built_in_place
    assert bool(warm.reused) == (change is not edit_template)  # a template is in every page's fingerprint
    full_serve, full_site = _full_builds(project, work)
    _assert_same(preview.site_dir, full_serve, "preview")
    _assert_same(project.site, full_site, "mkdocs build --dirty")
    _assert_same(twin.site, full_site, "warm mkdocs build")


def _published(site: Path, src_uri: str) -> Path:
    return site / src_uri.replace("index.md", "index.html")


def test_a_warm_build_does_not_trust_an_edited_or_missing_published_page(chain):
    """A published page changed by hand or deleted since the last build is rendered again; a changed
    search file makes the build write the whole index."""
    _, _, work, twin = chain
    warm = Process(twin, twin.site, serving=False, dirty=False)
    warm.build()  # nothing changed: every generated page is copied
    assert warm.reused == warm.pages
    parts = {uri: uri.split("/") for uri in sorted(warm.pages)}
    article = next(uri for uri, p in parts.items() if len(p) == 4 and p[0] == "issues")  # issues/<n>/<slug>/index.md
    issue = next(uri for uri, p in parts.items() if len(p) == 3 and p[0] == "issues" and p[1].isdigit())
    edited = _published(twin.site, article)
    text = edited.read_bytes()
    assert b"</article>" in text
    edited.write_bytes(text.replace(b"</article>", b"</ARTICLE>", 1))
    _published(twin.site, issue).unlink()
    chunk = sorted((twin.site / "search/data/text").iterdir())[0]  # a search file an unchanged build keeps
    chunk.write_bytes(gzip.compress(b'{"rows": []}'))
    warm = Process(twin, twin.site, serving=False, dirty=False)
    warm.build()
    assert warm.reused == warm.pages - {article, issue}
    assert gzip.decompress(chunk.read_bytes()) != b'{"rows": []}'
    _, full_site = _full_builds(twin, work, serve=False)
    _assert_same(twin.site, full_site, "warm mkdocs build after hand edits of site/")


def test_a_warm_build_follows_configuration_given_besides_mkdocs_yml(chain):
    """A value mkdocs.yml does not hold (a command-line flag, an !ENV variable) that every page shows."""
    _, _, work, twin = chain
    overrides = {"copyright": "版权所有：警告测试"}
    warm = Process(twin, twin.site, serving=False, dirty=False, **overrides)
    warm.build()
    assert not warm.reused
    _, full_site = _full_builds(twin, work, serve=False, **overrides)
    _assert_same(twin.site, full_site, "warm mkdocs build with another copyright")
    assert "版权所有：警告测试" in _published(twin.site, "index.md").read_text(encoding="utf-8")


def test_a_rebuild_reads_only_the_issue_folders_that_changed(chain):
    project, preview, _, _ = chain
    time.sleep(SETTLED_NS / 1e9)
    preview.build()
    preview.build()
    assert preview.plugins["newsletter"].parsed.issues_loaded == 0
    edit_body(project)
    preview.build()
    assert preview.plugins["newsletter"].parsed.issues_loaded == 1
