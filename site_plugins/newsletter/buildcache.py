"""What a build keeps for the next one, in ``.cache/newsletter/`` of the project. No MkDocs here.

* :class:`DiskCache` — rendered article HTML keyed by the SHA-1 of the Markdown body, so a build
  converts only bodies it has not seen.
* :func:`page_fingerprints` — a stable digest of everything a generated page shows (its spec, with
  articles and issues reduced to content digests) plus the templates and mkdocs.yml. The plugin tells
  MkDocs that a page is unmodified when its fingerprint equals last build's, so ``mkdocs build --dirty``
  (and ``mkdocs serve --dirty``) re-renders exactly the pages an edit changed.

Deleting ``.cache/`` is always safe: the next build is a full one.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
import datetime as dt
import hashlib
import json
import os
import io
import pickle
import types
from pathlib import Path
from typing import Any, Callable, Iterable

from .model import Article, Issue

CACHE_VERSION = 1


def digest(*parts: str) -> str:
    h = hashlib.sha1()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def load_salted(path: Path, salt: str) -> Any:
    """What :func:`save_salted` kept in ``path`` under the same ``salt``, else None (no file yet, another
    salt, or a file that cannot be read: the caller starts empty)."""
    try:
        with path.open("rb") as f:
            stored = pickle.load(f)
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None
    return stored.get("value") if isinstance(stored, dict) and stored.get("salt") == salt else None


def save_salted(path: Path, salt: str, value: Any) -> None:
    """Keep ``value`` in ``path`` for a later process with the same ``salt``; written to a temporary file
    renamed over ``path``, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as f:
        pickle.dump({"salt": salt, "value": value}, f, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)


class DiskCache:
    """Values computed from a text (e.g. an article body), kept in one pickle file across builds, keyed by
    the digest of (kind, text). Entries not used by a build are dropped on save."""

    def __init__(self, path: Path, salt: str):
        self.path, self.salt = path, salt
        self.old: dict[str, Any] = {}
        self.used: dict[str, Any] = {}
        self.made = 0
        self.old = load_salted(path, salt) or {}  # no cache yet, or an unreadable one: build everything

    def get(self, kind: str, text: str, make: Callable[[str], Any]) -> Any:
        key = digest(kind, text)
        if key in self.used:
            return self.used[key]
        if key in self.old:
            value = self.old[key]
        else:
            value = make(text)
            self.made += 1
        self.used[key] = value
        return value

    def save(self) -> None:
        """Write what this build used (only if that differs from what was loaded)."""
        if not self.made and self.used.keys() == self.old.keys():
            return
        save_salted(self.path, self.salt, self.used)


# ---------------------------------------------------------------- page fingerprints



class Signer:
    """Reduces a page to a digest of everything it shows: its spec pickled, with articles, issues and
    long rendered texts stood in for by their own digests (so each is hashed once, not once per page showing it).

    Those digests are kept by identity and outlive a build (:meth:`begin`): during the preview the
    parse cache hands out the same Article objects for unchanged files, so a rebuild hashes only what is
    new. Every memo entry holds its object, so an id is never reused while it is there. Functions in a
    context (a facet's value function) stand for their code, which is in the salt."""

    def __init__(self) -> None:
        self.kept: dict[int, tuple[Any, str, str]] = {}  # id -> (object, its digest, salt of that digest)
        self.used: dict[int, tuple[Any, str, str]] = {}

    def begin(self) -> None:
        """A new build: keep what the last one signed, drop the rest."""
        self.kept, self.used = self.used or self.kept, {}

    def _memo(self, value: Any, make: Callable[[Any], str], salt: str = "") -> str:
        key = id(value)
        found = self.used.get(key)
        if found is None or found[2] != salt:
            found = self.kept.get(key)
            if found is None or found[0] is not value or found[2] != salt:
                found = (value, make(value), salt)
            self.used[key] = found
        return found[1]

    @staticmethod
    def _article(article: Article) -> str:
        return digest(repr(article))  # every field, nested dataclasses too (astuple would deep-copy them first)

    @staticmethod
    def _issue(issue: Issue) -> str:
        # Without its articles: views hand templates the articles a page shows (tables of contents,
        # listings, neighbours), so those are signed where they appear; templates never walk issue.articles.
        return digest(*(repr(getattr(issue, f.name)) for f in dataclasses.fields(issue)
                        if f.name != "articles"), str(len(issue.articles)))

    def reduced(self, value: Any) -> Any:
        """What the pickle of a page holds instead of ``value``, as a reduce value (``NotImplemented``:
        ``value`` pickled as usual). The pickler asks only for objects other than the builtin atoms and
        containers (str, int, tuple, list, dict…), which it writes at C speed without asking: plain
        strings go in whole, rendered bodies (Markup) by their digest."""
        kind = type(value)
        if kind is Article:
            return str, ("A" + self._memo(value, self._article),)
        if kind is Issue:
            return str, ("I" + self._memo(value, self._issue),)
        if isinstance(value, str):
            return (str, ("H" + self._memo(value, digest),)) if len(value) > 200 else NotImplemented
        if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, types.MethodType)):
            return str, ("F" + value.__qualname__,)
        return NotImplemented

    def sign(self, value: Any) -> str:
        buffer = io.BytesIO()
        _SigningPickler(buffer, self).dump(value)
        return hashlib.sha1(buffer.getbuffer()).hexdigest()


_PLAIN = frozenset({int, str, type(None)})


class _SigningPickler(pickle.Pickler):
    def __init__(self, file, signer: Signer):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.reducer_override = signer.reduced


def files_digest(paths: Iterable[Path]) -> str:
    """Digest of the contents of files and of every file under directories (templates, mkdocs.yml)."""
    h = hashlib.sha1()
    for path in paths:
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file():  # names relative to what was given: a moved project keeps its cache
                name = file.relative_to(path).as_posix() if path.is_dir() else file.name
                h.update(name.encode() + b"\0" + file.read_bytes() + b"\0")
    return h.hexdigest()


def versions(*distributions: str) -> str:
    """Installed versions of packages whose output is in the pages (the theme)."""
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in distributions:
        try:
            found.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            found.append(f"{name}=none")
    return ",".join(found)


def folder_stat_digest(folder: Path) -> str:
    """Names, sizes and mtimes of the files in a folder (no reads): what a PDF's images depend on."""
    h = hashlib.sha1()
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return ""
    for entry in entries:
        if entry.is_file():
            st = entry.stat()
            h.update(f"{entry.name}\0{st.st_size}\0{st.st_mtime_ns}\0".encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def page_fingerprints(specs: Iterable[Any], salt: str, signer: Signer | None = None) -> dict[str, str]:
    """src_uri -> fingerprint of each page spec (PageSpec from pages.py). Pass the same ``signer`` to
    successive builds of one process (the preview) to sign only what changed: a spec the views handed
    out again (the same object, see :class:`Memo`) keeps its fingerprint."""
    signer = signer or Signer()
    signer.begin()
    return {spec.src_uri: signer._memo(spec, lambda spec: digest(salt, signer.sign(spec)), salt) for spec in specs}


class Memo:
    """Results of pure view functions kept between the builds of one process (the preview), so that a
    rebuild makes again only what an edit changed: ``memo(make, *args)`` is ``make(*args)``, computed
    once per arguments. Model objects among the arguments (articles, issues, facets: frozen, and handed
    out again unchanged by the parse cache while their files are) count by identity, anything else by
    value; tuples are looked into. Each entry holds its arguments, so an id is never reused while it is
    there; a build keeps only the entries the one before it used (:meth:`begin`).

    ``make`` must read nothing but its arguments: that is what makes a kept result equal a new one.
    It may call the memo itself (e.g. a listing's pages, each kept on its own): a kept result keeps what
    it was made of, so a change later finds those inner results still there."""

    by_identity: frozenset[type] = frozenset({Article, Issue})

    def __init__(self) -> None:
        self.kept: dict[tuple, tuple[tuple, Any, tuple]] = {}  # key -> (arguments, result, keys of inner calls)
        self.used: dict[tuple, tuple[tuple, Any, tuple]] = {}
        self._inner: list[list[tuple]] = []  # keys of the memo's calls made by each make() running now

    def begin(self) -> None:
        self.kept, self.used = self.used or self.kept, {}

    def _use(self, key: tuple, found: tuple) -> None:
        self.used[key] = found
        for inner in found[2]:
            if inner not in self.used and inner in self.kept:
                self._use(inner, self.kept[inner])

    def _key(self, value: Any) -> Any:
        kind = type(value)
        if kind in self.by_identity:
            return (Memo, id(value))
        if kind is tuple:
            if self.by_identity.issuperset(map(type, value)):  # e.g. the articles of a listing page, at C speed
                return (Memo, tuple(map(id, value)))
            return tuple(self._key(item) for item in value)
        return value if kind in _PLAIN else (kind, value)  # True is not 1, Markup("x") is not "x"

    def __call__(self, make: Callable[..., Any], *args: Any) -> Any:
        key = (make, *(self._key(arg) for arg in args))
        if self._inner:
            self._inner[-1].append(key)
        found = self.used.get(key)
        if found is None:
            found = self.kept.get(key)
            if found is None:
                self._inner.append([])
                try:
                    result = make(*args)
                finally:
                    inner = self._inner.pop()
                found = (args, result, tuple(inner))
            self._use(key, found)
        return found[1]


@dataclass
class SiteState:
    """What the last successful build put into one site directory: every page's fingerprint and every
    file the build wrote (site paths). A dirty build starts from that directory's files and needs both to
    know what to re-render and what to delete. Kept per site directory (the preview's is in memory)."""

    site_dir: str = ""
    fingerprints: dict[str, str] = field(default_factory=dict)
    outputs: list[str] = field(default_factory=list)
    made: dict[str, str] = field(default_factory=dict)  # a file made from an issue (PDF, email) -> its sources' digest
    search: dict[str, str] = field(default_factory=dict)  # article key -> its page's fingerprint, as indexed
    page_digests: dict[str, str] = field(default_factory=dict)  # src_uri -> SHA-1 of the page file written (reuse.py)
    search_files: dict[str, list] = field(default_factory=dict)  # search data file -> size, mtime, inode, SHA-1

    def unchanged(self, src_uri: str, fingerprint: str) -> bool:
        return self.fingerprints.get(src_uri) == fingerprint

    @classmethod
    def load(cls, path: Path, site_dir: str) -> "SiteState | None":
        """The state saved for ``site_dir``, or None (never built there, or by another kind of build)."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("site_dir") != site_dir:
            return None
        return cls(site_dir, dict(data.get("fingerprints", {})), list(data.get("outputs", [])),
                   dict(data.get("made", {})), dict(data.get("search", {})), dict(data.get("page_digests", {})),
                   dict(data.get("search_files", {})))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}  # asdict would deep-copy them
        tmp.write_text(json.dumps(fields, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
