"""Parsed articles kept between the preview's rebuilds (a long-running ``newsletter serve``), so a
rebuild re-reads and re-parses only the files that changed. No MkDocs here.

An entry is found first by the file's stat (mtime, ctime, size, inode: no read at all), then by the
SHA-1 of its bytes (a save that wrote the same text, a ``touch``), always together with everything
else the parse depends on (its path, issue number, settings and tag vocabulary): the same key gives
the same :class:`~newsletter.model.Article` and problems as parsing again.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Callable, Hashable

Loaded = tuple[Any, list]  # (Article | None, problems), what content.load_article returns


class ParseCache:
    def __init__(self) -> None:
        self._by_stat: dict[tuple, tuple] = {}  # (path, stat, context) -> content key
        self._by_content: dict[tuple, Loaded] = {}  # (path, SHA-1 of the bytes, context) -> what load gave
        self.begin()

    def begin(self) -> None:
        """Before a load of the whole archive (see :meth:`sweep`)."""
        self._used_stat: dict[tuple, tuple] = {}
        self._used_content: dict[tuple, Loaded] = {}
        self._used_derived: dict[tuple, tuple] = {}
        self.parsed = 0  # files this load parsed (not found in the cache)

    def sweep(self) -> None:
        """After a complete load: keep only what it used (deleted, renamed and old versions go)."""
        self._by_stat, self._by_content = self._used_stat, self._used_content
        self._derived = self._used_derived

    _derived: dict[tuple, tuple] = {}

    def derived(self, make: Callable[..., Any], article: Any, *args: Hashable) -> Any:
        """``make(article, *args)`` for an article this cache handed out, computed once while the
        article is unchanged (the same object) — e.g. checks that run over every article's body."""
        key = (make, id(article), args)
        found = self._used_derived.get(key) or self._derived.get(key)
        if found is None or found[0] is not article:
            found = (article, make(article, *args))
        self._used_derived[key] = found
        return found[1]

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
        self._used_stat[by_stat] = by_content
        self._used_content[by_content] = found
        return found
