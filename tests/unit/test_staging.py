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


def test_an_incremental_build_starts_from_a_copy_not_from_the_published_files(tmp_path):
    target = tmp_path / "site"
    target.mkdir()
    (target / "index.html").write_text("published")
    stage = staging.StagedDirectory(target)
    stage.begin(copy_published=True)
    assert (stage.staging / "index.html").read_text() == "published"
    (stage.staging / "index.html").write_text("changed in staging")
    assert (target / "index.html").read_text() == "published"
    stage.abort()
