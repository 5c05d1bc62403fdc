"""Parsed articles and issues kept between builds, so a build re-reads and re-parses only the files that
changed: in memory during the preview (a long-running ``newsletter serve``), and in ``.cache/newsletter/``
for the next ``mkdocs build`` (:meth:`ParseCache.load`, :meth:`ParseCache.save`). No MkDocs here.

An article is found first by its file's stat (mtime, ctime, size, inode: no read at all), then by the
SHA-1 of its bytes (a save that wrote the same text, a ``touch``, a fresh checkout), always together
with everything else the parse depends on (its path, issue number, settings and tag vocabulary): the
same key gives the same :class:`~newsletter.model.Article` and problems as parsing again. Checks that
run over a parsed article (:meth:`ParseCache.derived`) are kept under the same key.

A whole issue (:meth:`ParseCache.issue`) is kept by the name and stat of every entry under its folder:
while none changed, a load hands out the same :class:`~newsletter.model.Issue` object and problems
without reading a file, so a rebuild costs one ``stat`` per file plus the issues that changed, and the
views can keep what they made from an unchanged issue (the same object).

A stat stands for a file's content only once it is older than :data:`SETTLED_NS` (git's "racily
clean" rule): a file written twice within one tick of the file system's timestamps, at the same size,
is read again rather than taken as unchanged.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Any, Callable, Hashable

from .buildcache import load_salted, save_salted

Loaded = tuple[Any, list]  # (Article | None, problems) of content.load_article, (Issue | None, problems) of load_issue
SETTLED_NS = 3_000_000_000  # a stat younger than this may not yet show a second write in the same tick


def _settled(st: os.stat_result, now: int) -> bool:
    return now - max(st.st_mtime_ns, st.st_ctime_ns) > SETTLED_NS


def folder_state(folder: Path) -> tuple | None:
    """Name and stat of every entry under ``folder``, recursively, sorted; None when that cannot stand for
    the folder's content: unreadable, a symbolic link in it, or an entry changed too recently."""
    now = time.time_ns()
    state: list[tuple] = []
    pending = [("", str(folder))]
    try:
        while pending:
            prefix, path = pending.pop()
            with os.scandir(path) as entries:
                for entry in entries:
                    if entry.is_symlink():
                        return None
                    st = entry.stat()
                    if not _settled(st, now):
                        return None
                    name = prefix + entry.name
                    if entry.is_dir():
                        pending.append((name + "/", entry.path))
                        state.append((name + "/", st.st_ino))
                    else:
                        state.append((name, st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino))
    except OSError:
        return None
    state.sort()
    return tuple(state)


class _Kept:
    """What the cache keeps of one issue folder: its articles' entries and the issue as last loaded."""

    def __init__(self) -> None:
        self.by_stat: dict[tuple, tuple] = {}  # (path, stat, context) -> content key
        self.by_content: dict[tuple, Loaded] = {}  # (path, SHA-1 of the bytes, context) -> what load gave
        self.derived: dict[tuple, Any] = {}  # (check, content key, arguments) -> its result
        self.issue: tuple | None = None  # (folder state, context, what load_issue gave)


def _differs(old: _Kept, new: _Kept) -> bool:
    """Whether what is kept of a folder changed (then :meth:`ParseCache.save` writes)."""
    return (new.by_stat.keys() != old.by_stat.keys() or new.by_content.keys() != old.by_content.keys()
            or new.derived.keys() != old.derived.keys()
            or (new.issue and new.issue[:2]) != (old.issue and old.issue[:2]))


class ParseCache:
    def __init__(self) -> None:
        self._kept: dict[str, _Kept] = {}  # issue folder -> what is kept of it
        self.changed = False  # since load(): something was parsed, checked or dropped
        self.begin()

    def begin(self) -> None:
        """Before a load of the whole archive (see :meth:`sweep`)."""
        self._used: dict[str, _Kept] = {}
        self._old, self._new = _Kept(), _Kept()  # of the folder being loaded (outside one: a scratch pair)
        self._content_of: dict[int, tuple[Any, tuple]] = {}  # id(article handed out) -> (article, content key)
        self.parsed = 0  # files this load parsed (not found in the cache)
        self.issues_loaded = 0  # issue folders this load read (an entry under them changed)

    def sweep(self) -> None:
        """After a complete load: keep only the folders it loaded (deleted and renamed ones go)."""
        if self._used.keys() != self._kept.keys():
            self.changed = True
        self._kept = self._used

    def issue(self, folder: Path, context: Hashable, load: Callable[[], Loaded]) -> Loaded:
        """What ``load()`` returns for the issue folder as it is now; ``load`` (which may use
        :meth:`article` and :meth:`derived`) runs only when an entry under the folder changed."""
        state = folder_state(folder)
        old = self._kept.get(str(folder)) or _Kept()
        if state is not None and old.issue is not None and old.issue[0] == state and old.issue[1] == context:
            self._used[str(folder)] = old
            return old.issue[2]
        self.issues_loaded += 1
        self._old, self._new = old, _Kept()
        try:
            loaded = load()
        finally:
            new, self._old, self._new = self._new, _Kept(), _Kept()
        if state is not None:
            new.issue = (state, context, loaded)
        if _differs(old, new):
            self.changed = True
        self._used[str(folder)] = new
        return loaded

    def article(self, path: Path, context: Hashable, load: Callable[[], Loaded]) -> Loaded:
        """What ``load()`` returns for the file at ``path`` as it is now, parsed at most once."""
        try:
            st = os.stat(path)
        except OSError:
            return load()  # unreadable: the loader says why
        old, new = self._old, self._new
        by_stat = (str(path), (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino), context)
        by_content = old.by_stat.get(by_stat)
        if by_content is None or by_content not in old.by_content:
            try:
                by_content = (str(path), hashlib.sha1(path.read_bytes()).digest(), context)
            except OSError:
                return load()
        found = new.by_content.get(by_content) or old.by_content.get(by_content)
        if found is None:
            found = load()
            self.parsed += 1
            self.changed = True
        if _settled(st, time.time_ns()):  # else the next load reads the file again (see SETTLED_NS)
            new.by_stat[by_stat] = by_content
        new.by_content[by_content] = found
        if found[0] is not None:
            self._content_of[id(found[0])] = (found[0], by_content)
        return found

    def derived(self, make: Callable[..., Any], article: Any, *args: Hashable) -> Any:
        """``make(article, *args)`` for an article this cache handed out, computed once while its file
        is unchanged — e.g. checks that run over every article's body."""
        handed = self._content_of.get(id(article))
        if handed is None or handed[0] is not article:
            return make(article, *args)
        key = (f"{make.__module__}.{make.__qualname__}", handed[1], args)
        old, new = self._old, self._new
        if key in new.derived:
            return new.derived[key]
        if key in old.derived:
            found = old.derived[key]
        else:
            found = make(article, *args)
            self.changed = True
        new.derived[key] = found
        return found

    def load(self, path: Path, salt: str) -> None:
        """What an earlier process saved with the same ``salt`` (the loader's code): a new process then
        parses only the files that changed since."""
        kept = load_salted(path, salt)
        if kept is not None:  # else none yet, or unreadable: parse everything
            self._kept = kept
        self.changed = False

    def save(self, path: Path, salt: str) -> None:
        if not self.changed:
            return
        save_salted(path, salt, self._kept)
        self.changed = False
