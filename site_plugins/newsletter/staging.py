"""Publish a directory safely: a full build is staged and swapped in, an incremental one is undoable.

:class:`StagedDirectory` (a full build): the whole site is written into ``.<name>-staging-<pid>`` in
the same parent folder (same file system, so a rename is atomic). Only when the build has fully
succeeded is the staging directory exchanged with the published one in one step (Linux
``renameat2(RENAME_EXCHANGE)``; elsewhere two renames), and the previous copy deleted. A failed or
killed build leaves the published directory untouched; its leftover staging directory is removed by
the next build.

:class:`UndoJournal` (``--dirty`` builds and the preview): the few files that change are written in
place, at a cost in proportion to the change, not to the archive. Before a file is written or deleted
it is released (:meth:`~UndoJournal.release`): moved (one rename) into ``.<name>-undo-<pid>`` and listed in its
journal. A failed build puts every released file back and deletes what it created; a killed one is
rolled back the same way by the next build. Readers of the site may see the change file by file while
it is written (the preview's server holds requests during a build); a plain build is what publishes.
No MkDocs here.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import re
import shutil
import itertools
import threading
from functools import lru_cache
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


@lru_cache(maxsize=1)
def _renameat2():
    """libc's renameat2, or None where the C library has none (not glibc >= 2.28, not Linux)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def exchange(a: Path, b: Path) -> bool:
    """Swap two directory entries atomically. False where the system cannot (then nothing changed)."""
    function = _renameat2()
    if function is None:
        return False
    if function(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # file system or kernel without RENAME_EXCHANGE
    raise OSError(code, f"cannot exchange {a} and {b}: {os.strerror(code)}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


class StagedDirectory:
    """``target`` is published only through :meth:`commit`; :meth:`abort` forgets a failed build."""

    def __init__(self, target: Path | str):
        target = Path(target).absolute()
        # A site_dir that is a symlink (e.g. to the web server's folder): publish into what it points at.
        self.target = target.resolve() if target.is_symlink() else target
        self.staging = self._sibling("staging", os.getpid())

    def _sibling(self, kind: str, pid: int) -> Path:
        return self.target.parent / f".{self.target.name}-{kind}-{pid}"

    def begin(self, *, copy_published: bool = False) -> Path:
        """A fresh staging directory: empty, or a copy of the published one (for incremental builds,
        which skip unchanged pages; files are copied, not linked, so writing them cannot touch the
        published site). Leftovers of killed builds are removed first."""
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.remove_leftovers()
        _remove(self.staging)
        if copy_published and self.target.is_dir():
            shutil.copytree(self.target, self.staging, symlinks=True)  # copy2 keeps mtimes for --dirty
        else:
            self.staging.mkdir()
        return self.staging

    def remove_leftovers(self) -> None:
        recover(self.target)

    def commit(self) -> None:
        """Make the staging directory the published one in one step, then delete the old copy."""
        if not self.staging.is_dir():
            raise FileNotFoundError(f"staging directory {self.staging} is missing; nothing was published")
        if not self.target.exists() and not self.target.is_symlink():
            os.rename(self.staging, self.target)
            return
        if exchange(self.staging, self.target):
            _remove(self.staging)  # now holds the previous site
            return
        # No atomic exchange here: two renames, with a short moment where target is missing.
        old = self._sibling("old", os.getpid())
        _remove(old)
        os.rename(self.target, old)
        try:
            os.rename(self.staging, self.target)
        except OSError:
            os.rename(old, self.target)
            raise
        _remove(old)

    def abort(self) -> None:
        _remove(self.staging)


def link_tree(source: Path, dest: Path) -> None:
    """``dest`` becomes a tree of the same folders with a hard link to each file of ``source`` (or a
    copy where the file system refuses links)."""
    os.mkdir(dest)
    with os.scandir(source) as entries:
        for entry in entries:
            target = os.path.join(dest, entry.name)
            if entry.is_symlink():
                os.symlink(os.readlink(entry.path), target)
            elif entry.is_dir():
                link_tree(Path(entry.path), Path(target))
            else:
                try:
                    os.link(entry.path, target)
                except OSError:
                    shutil.copy2(entry.path, target)


_trash_numbers = itertools.count()


def recover(target: Path) -> None:
    """Clean up after builds of ``target`` that died (or this process's own earlier attempt): roll back
    their undo journals, remove their staging and old copies."""
    leftover = re.compile(rf"\.{re.escape(target.name)}-(staging|old|undo|trash)-([0-9]+)(?:-[0-9]+)?\Z")
    if not target.parent.is_dir():
        return
    for entry in sorted(target.parent.iterdir()):
        match = leftover.match(entry.name)
        pid = int(match.group(2)) if match else 0
        if match and ((pid == os.getpid() and match.group(1) != "trash") or not _pid_alive(pid)):
            if match.group(1) == "undo":
                UndoJournal(target, entry).rollback()
            else:
                _remove(entry)


class UndoJournal:
    """Write into a published directory in place, able to undo it (see the module docstring)."""

    # One line per released path: "<n>\t<path>" (moved to <n>), "-\t<path>" (was new) or "=<n>\t<path>"
    # (a folder kept as hard links in <n>, its files to be replaced by rename, never written in place).
    LIST = "journal.txt"

    def __init__(self, target: Path | str, folder: Path | None = None):
        target = Path(target).absolute()
        self.target = target.resolve() if target.is_symlink() else target
        self.folder = folder or self.target.parent / f".{self.target.name}-undo-{os.getpid()}"
        self.released: set[str] = set()
        self._list = None

    def begin(self) -> None:
        recover(self.target)
        self.folder.mkdir(parents=True)
        self._list = (self.folder / self.LIST).open("a", encoding="utf-8")

    def release(self, path: Path | str) -> None:
        """``path`` (inside the target) is about to be written or deleted: keep what is there now.
        A folder is kept whole."""
        rel = Path(path).absolute().relative_to(self.target).as_posix()
        if rel in self.released:
            return
        self.released.add(rel)
        source = self.target / rel
        if os.path.lexists(source):
            number = str(len(self.released))
            os.rename(source, self.folder / number)
        else:
            number = "-"
        self._list.write(f"{number}\t{rel}\n")
        self._list.flush()  # a killed build is rolled back from this list

    def keep_tree(self, path: Path | str) -> None:
        """A folder whose writer replaces files by rename and leaves unchanged ones alone (the search
        index): keep hard links to its files, so the unchanged ones stay where they are."""
        rel = Path(path).absolute().relative_to(self.target).as_posix()
        if rel in self.released:
            return
        self.released.add(rel)
        source = self.target / rel
        if not source.is_dir():
            number = "-"
        else:
            number = f"={len(self.released)}"
            link_tree(source, self.folder / number[1:])
        self._list.write(f"{number}\t{rel}\n")
        self._list.flush()

    def remove(self, paths: set[str]) -> None:
        """Delete files (paths inside the target) that the build no longer has; then empty folders."""
        folders = set()
        for rel in paths:
            self.release(self.target / rel)
            folders.update(p for p in (self.target / rel).parents if p != self.target and p.is_relative_to(self.target))
        for folder in sorted(folders, key=lambda f: -len(f.parts)):
            try:
                folder.rmdir()
            except OSError:
                pass  # not empty

    def commit(self, *, background: bool = False) -> None:
        """The build succeeded: forget what it replaced (in a thread, for the preview: the page is
        served sooner; a folder left by a killed process is removed by the next build)."""
        self._close()
        if not background:
            _remove(self.folder)
            return
        trash = self.target.parent / f".{self.target.name}-trash-{os.getpid()}-{next(_trash_numbers)}"
        os.rename(self.folder, trash)
        threading.Thread(target=_remove, args=(trash,), daemon=True).start()

    def rollback(self) -> None:
        """Put every released path back as it was and delete what the build created."""
        self._close()
        try:
            lines = (self.folder / self.LIST).read_text(encoding="utf-8").splitlines()
        except OSError:
            lines = []
        for line in reversed(lines):
            number, _, rel = line.partition("\t")
            if not rel:
                continue
            path = self.target / rel
            _remove(path)
            number = number.lstrip("=")
            if number != "-" and os.path.lexists(self.folder / number):
                path.parent.mkdir(parents=True, exist_ok=True)
                os.rename(self.folder / number, path)
            else:
                for folder in path.parents:  # folders the build made for a new file
                    if folder == self.target or not folder.is_relative_to(self.target):
                        break
                    try:
                        folder.rmdir()
                    except OSError:
                        break
        _remove(self.folder)

    def _close(self) -> None:
        if self._list is not None:
            self._list.close()
            self._list = None


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path, ignore_errors=True)
