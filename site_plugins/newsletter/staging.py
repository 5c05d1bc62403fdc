"""Publish a directory atomically: build into a staging directory beside it, then swap.

A build writes the whole site into ``.<name>-staging-<pid>`` in the same parent folder (same file
system, so a rename is atomic). Only when the build has fully succeeded is the staging directory
exchanged with the published one in one step (Linux ``renameat2(RENAME_EXCHANGE)``; elsewhere two
renames), and the previous copy deleted. A failed or killed build leaves the published directory
untouched; its leftover staging directory is removed by the next build. No MkDocs here.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import re
import shutil
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
        self._leftover = re.compile(rf"\.{re.escape(self.target.name)}-(?:staging|old)-([0-9]+)\Z")
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
        for entry in self.target.parent.iterdir():
            match = self._leftover.match(entry.name)
            if match and (int(match.group(1)) == os.getpid() or not _pid_alive(int(match.group(1)))):
                _remove(entry)

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


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path, ignore_errors=True)
