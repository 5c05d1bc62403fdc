"""The loader's cache between builds (parsecache.py): an issue folder none of whose files changed is not
read again and hands out the same Issue object (what the views' memo keys on); any change under the
folder, or a file written too recently for its stat to be trusted, loads it again."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from conftest import article_text, issue_yml
from newsletter import content, parsecache
from newsletter.model import Settings
from newsletter.parsecache import ParseCache

SETTINGS = Settings(pdf_enabled=False)
SETTLE_NS = 50_000_000


@pytest.fixture
def archive(tmp_path, monkeypatch) -> Path:
    monkeypatch.setattr(parsecache, "SETTLED_NS", SETTLE_NS)  # files count as settled after 50 ms, not 3 s
    for number in (1, 2):
        folder = tmp_path / "issues" / f"{number:03d}"
        folder.mkdir(parents=True)
        (folder / "issue.yml").write_text(issue_yml(number, f"2014-0{number}-10"), encoding="utf-8")
        for n in range(3):
            (folder / f"0{n}-a.md").write_text(article_text(title=f"第{number}期文章{n}"), encoding="utf-8")
    return tmp_path


def _settle() -> None:
    time.sleep(2 * SETTLE_NS / 1e9)


def _load(root: Path, cache: ParseCache):
    cache.begin()
    catalog, problems = content.load_catalog(root, SETTINGS, cache)
    cache.sweep()
    assert not [p for p in problems if p.severity == "error"]
    return catalog


def test_an_unchanged_folder_is_not_read_again_and_gives_the_same_issue(archive):
    cache = ParseCache()
    first = _load(archive, cache)
    assert (cache.parsed, cache.issues_loaded) == (6, 2)
    _settle()
    _load(archive, cache)  # the folders are settled now: this load records them by stat
    second = _load(archive, cache)
    assert (cache.parsed, cache.issues_loaded) == (0, 0)
    assert [a.title for a in second.articles] == [a.title for a in first.articles]
    assert all(new is old for new, old in zip(second.issues, _load(archive, cache).issues))


def test_an_edit_loads_its_folder_again_and_keeps_the_other_issue(archive):
    cache = ParseCache()
    _load(archive, cache)
    _settle()
    before = _load(archive, cache)
    edited = archive / "issues/002/01-a.md"
    edited.write_text(article_text(title="改过的标题"), encoding="utf-8")
    after = _load(archive, cache)
    assert (cache.parsed, cache.issues_loaded) == (1, 1)
    assert after.issues[0] is before.issues[0]
    assert after.issues[1] is not before.issues[1]
    assert [a.title for a in after.issues[1].articles] == ["第2期文章0", "改过的标题", "第2期文章2"]
    unchanged = [a for a in after.issues[1].articles if a.slug != "01-a"]
    assert all(any(a is b for b in before.issues[1].articles) for a in unchanged)  # not parsed again


def test_a_file_written_just_now_is_not_trusted_by_its_stat(archive):
    """Git's racily-clean rule: a second write within one timestamp tick could leave the stat as it was,
    so a folder holding a file younger than SETTLED_NS is read again (its unchanged files still come
    from the cache by content)."""
    cache = ParseCache()
    _load(archive, cache)
    _settle()
    _load(archive, cache)
    same = archive / "issues/001/00-a.md"
    same.write_bytes(same.read_bytes())  # a save that wrote the same text
    _load(archive, cache)
    assert (cache.parsed, cache.issues_loaded) == (0, 1)
    _settle()
    _load(archive, cache)
    _load(archive, cache)
    assert (cache.parsed, cache.issues_loaded) == (0, 0)


def test_a_replaced_file_next_to_the_articles_loads_the_folder_again(archive):
    """Not only articles: an image or attachment in the folder (or a subfolder) is part of the issue."""
    cache = ParseCache()
    folder = archive / "issues/001"
    (folder / "files").mkdir()
    (folder / "files" / "名单.txt").write_text("一", encoding="utf-8")
    (folder / "00-a.md").write_text(article_text() + "\n[名单](files/名单.txt)\n", encoding="utf-8")
    before = _load(archive, cache).issues[0].articles[0].assets
    _settle()
    _load(archive, cache)
    (folder / "files" / "名单.txt").write_text("一二三", encoding="utf-8")
    after = _load(archive, cache).issues[0].articles[0].assets
    assert cache.issues_loaded == 1
    assert [a.size for a in before] == [3] and [a.size for a in after] == [9]


def test_a_deleted_folder_leaves_the_catalog_and_the_cache(archive):
    cache = ParseCache()
    _load(archive, cache)
    for path in sorted((archive / "issues/002").iterdir()):
        path.unlink()
    (archive / "issues/002").rmdir()
    assert [i.number for i in _load(archive, cache).issues] == [1]
    assert cache.changed


def test_a_new_process_loads_what_the_last_one_saved(archive, tmp_path):
    cache = ParseCache()
    _load(archive, cache)
    _settle()
    first = _load(archive, cache)
    cache.save(tmp_path / "parsed.pickle", "salt")
    fresh = ParseCache()
    fresh.load(tmp_path / "parsed.pickle", "salt")
    again = _load(archive, fresh)
    assert (fresh.parsed, fresh.issues_loaded) == (0, 0)
    assert again.issues == first.issues
    other = ParseCache()
    other.load(tmp_path / "parsed.pickle", "another salt")  # another version of the loader: parse everything
    _load(archive, other)
    assert (other.parsed, other.issues_loaded) == (6, 2)


def test_an_unreadable_entry_in_a_folder_is_never_taken_as_unchanged(archive):
    """A symbolic link's target can change without the folder's stats showing it: such a folder is read
    every time."""
    cache = ParseCache()
    target = archive / "outside.txt"
    target.write_text("一", encoding="utf-8")
    os.symlink(target, archive / "issues/001/link.txt")
    _load(archive, cache)
    _settle()
    _load(archive, cache)
    _load(archive, cache)
    assert cache.issues_loaded == 1
