"""staging.StagedDirectory: publish by exchange (or two renames where the system has no exchange)."""

from __future__ import annotations

import os

import pytest

from newsletter import staging


def _populate(stage: staging.StagedDirectory, text: str) -> None:
    stage.begin()
    (stage.staging / "index.html").write_text(text)


@pytest.mark.parametrize("atomic", [True, False], ids=["renameat2-exchange", "two-renames"])
def test_commit_replaces_the_published_directory(tmp_path, monkeypatch, atomic):
    """Both ways of publishing, each shown to be the one taken: the exchange must work on this machine
    (Linux, glibc >= 2.28, a local file system); the two renames are forced by hiding renameat2."""
    if not atomic:
        monkeypatch.setattr(staging, "_renameat2", lambda: None)
    exchanged: list[bool] = []
    real_exchange = staging.exchange
    monkeypatch.setattr(staging, "exchange", lambda a, b: exchanged.append(real_exchange(a, b)) or exchanged[-1])
    target = tmp_path / "site"
    stage = staging.StagedDirectory(target)
    _populate(stage, "one")
    stage.commit()  # first publication: a plain rename
    assert exchanged == []
    inode = target.stat().st_ino
    _populate(stage, "two")
    stage.commit()
    assert exchanged == [atomic]
    assert (target / "index.html").read_text() == "two"
    assert target.stat().st_ino != inode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_exchange_swaps_two_directories(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "x").write_text("a"), (b / "x").write_text("b")
    assert staging.exchange(a, b), "no renameat2(RENAME_EXCHANGE) here: publishing would not be atomic"
    assert ((a / "x").read_text(), (b / "x").read_text()) == ("b", "a")


def test_abort_and_leftovers_of_dead_builds(tmp_path):
    target = tmp_path / "site"
    target.mkdir()
    (target / "index.html").write_text("published")
    dead = tmp_path / ".site-staging-999999999"  # no such pid
    dead.mkdir()
    other = tmp_path / ".elsewhere-staging-1"
    other.mkdir()
    stage = staging.StagedDirectory(target)
    stage.begin()
    assert not dead.exists() and other.exists()
    (stage.staging / "half.html").write_text("half")
    stage.abort()
    assert not stage.staging.exists()
    assert (target / "index.html").read_text() == "published"
    assert stage.staging.name == f".site-staging-{os.getpid()}"


def test_a_symlinked_site_dir_is_published_through_the_link(tmp_path):
    served = tmp_path / "www" / "newsletter"
    served.mkdir(parents=True)
    (served / "index.html").write_text("old")
    link = tmp_path / "site"
    link.symlink_to(served)
    stage = staging.StagedDirectory(link)
    _populate(stage, "new")
    stage.commit()
    assert link.is_symlink() and (link / "index.html").read_text() == "new"
    assert (served / "index.html").read_text() == "new"


def _published(tmp_path):
    target = tmp_path / "site"
    (target / "a").mkdir(parents=True)
    (target / "index.html").write_text("home")
    (target / "a" / "index.html").write_text("page a")
    (target / "data").mkdir()
    (target / "data" / "1.json").write_text("one")
    (target / "data" / "2.json").write_text("two")
    return target


def _tree(root):
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def _write_changes(journal, target):
    journal.release(target / "index.html")
    (target / "index.html").write_text("new home")
    journal.release(target / "b" / "index.html")  # a new page
    (target / "b").mkdir()
    (target / "b" / "index.html").write_text("page b")
    journal.remove({"a/index.html"})
    journal.keep_tree(target / "data")  # replaced by rename, as the search index writes
    (target / "data" / "tmp").write_text("ONE")
    (target / "data" / "tmp").replace(target / "data" / "1.json")


def test_an_in_place_build_rolled_back_leaves_the_site_byte_identical(tmp_path):
    target = _published(tmp_path)
    before = _tree(target)
    journal = staging.UndoJournal(target)
    journal.begin()
    _write_changes(journal, target)
    assert _tree(target) == {"index.html": "new home", "b/index.html": "page b", "data/1.json": "ONE",
                             "data/2.json": "two"}
    journal.rollback()
    assert _tree(target) == before
    assert not (target / "b").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_an_in_place_build_committed_keeps_its_changes(tmp_path):
    target = _published(tmp_path)
    journal = staging.UndoJournal(target)
    journal.begin()
    _write_changes(journal, target)
    journal.commit()
    assert _tree(target) == {"index.html": "new home", "b/index.html": "page b", "data/1.json": "ONE",
                             "data/2.json": "two"}
    assert not (target / "a").exists()  # the folder of a deleted page goes with it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_killed_in_place_build_is_rolled_back_by_the_next_build(tmp_path):
    target = _published(tmp_path)
    before = _tree(target)
    dead = tmp_path / ".site-undo-999999999"  # no such pid: the build was killed half-way
    journal = staging.UndoJournal(target, dead)
    journal.begin()
    _write_changes(journal, target)
    journal._close()
    staging.StagedDirectory(target).begin()  # any next build
    assert _tree(target) == before
    assert not dead.exists()
