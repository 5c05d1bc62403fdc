"""Parsed articles kept between builds, so a build re-reads and re-parses only the files that changed:
in memory during the preview (a long-running ``newsletter serve``), and in ``.cache/newsletter/`` for
the next ``mkdocs build`` (:meth:`ParseCache.load`, :meth:`ParseCache.save`). No MkDocs here.

An entry is found first by the file's stat (mtime, ctime, size, inode: no read at all), then by the
SHA-1 of its bytes (a save that wrote the same text, a ``touch``, a fresh checkout), always together
with everything else the parse depends on (its path, issue number, settings and tag vocabulary): the
same key gives the same :class:`~newsletter.model.Article` and problems as parsing again. Checks that
run over a parsed article (:meth:`ParseCache.derived`) are kept under the same key.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any, Callable, Hashable

Loaded = tuple[Any, list]  # (Article | None, problems), what content.load_article returns


class ParseCache:
    def __init__(self) -> None:
        self._by_stat: dict[tuple, tuple] = {}  # (path, stat, context) -> content key
        self._by_content: dict[tuple, Loaded] = {}  # (path, SHA-1 of the bytes, context) -> what load gave
        self._derived: dict[tuple, Any] = {}  # (check, content key, arguments) -> its result
        self.changed = False  # since load(): something was parsed, checked or dropped
        self.begin()

    def begin(self) -> None:
        """Before a load of the whole archive (see :meth:`sweep`)."""
        self._used_stat: dict[tuple, tuple] = {}
        self._used_content: dict[tuple, Loaded] = {}
        self._used_derived: dict[tuple, Any] = {}
        self._content_of: dict[int, tuple[Any, tuple]] = {}  # id(article handed out) -> (article, content key)
        self.parsed = 0  # files this load parsed (not found in the cache)

    def sweep(self) -> None:
        """After a complete load: keep only what it used (deleted, renamed and old versions go)."""
        if len(self._used_content) != len(self._by_content) or len(self._used_derived) != len(self._derived):
            self.changed = True
        self._by_stat, self._by_content = self._used_stat, self._used_content
        self._derived = self._used_derived

    def article(self, path: Path, context: Hashable, load: Callable[[], Loaded]) -> Loaded:
        """What ``load()`` returns for the file at ``path`` as it is now, parsed at most once."""
        try:
            st = os.stat(path)
        except OSError:
            return load()  # unreadable: the loader says why
        by_stat = (str(path), (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino), context)
        by_content = self._by_stat.get(by_stat)
        if by_content is None or by_content not in self._by_content:
            try:
                by_content = (str(path), hashlib.sha1(path.read_bytes()).digest(), context)
            except OSError:
                return load()
        found = self._by_content.get(by_content)
        if found is None:
            found = load()
            self.parsed += 1
            self.changed = True
        self._used_stat[by_stat] = by_content
        self._used_content[by_content] = found
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
        if key in self._used_derived:
            return self._used_derived[key]
        if key in self._derived:
            found = self._derived[key]
        else:
            found = make(article, *args)
            self.changed = True
        self._used_derived[key] = found
        return found

    def load(self, path: Path, salt: str) -> None:
        """What an earlier process saved with the same ``salt`` (the loader's code): a new process then
        parses only the files that changed since."""
        try:
            with path.open("rb") as f:
                stored = pickle.load(f)
            if stored.get("salt") == salt:
                self._by_stat, self._by_content, self._derived = stored["stat"], stored["content"], stored["derived"]
        except (OSError, pickle.PickleError, EOFError, KeyError, AttributeError, TypeError, ImportError):
            pass  # none yet, or unreadable: parse everything
        self.changed = False

    def save(self, path: Path, salt: str) -> None:
        if not self.changed:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as f:
            pickle.dump({"salt": salt, "stat": self._by_stat, "content": self._by_content, "derived": self._derived},
                        f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
        self.changed = False
