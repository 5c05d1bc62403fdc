"""Pages a full build takes from the published site instead of rendering them again. No MkDocs here.

A plain ``mkdocs build`` writes the whole site into a staging directory and swaps it in (staging.py).
Most of its time goes into rendering pages (our templates, then the theme's around every page), and a
page whose inputs did not change comes out byte for byte as last time. So a page is written from the
published copy when both hold:

1. its fingerprint (buildcache.page_fingerprints: everything the page shows, with the code, templates,
   mkdocs.yml, the loaded site-wide configuration, the nav, the host's and theme's versions in the
   salt) equals the one the last successful build recorded for it, and
2. the published file still holds exactly the bytes that build wrote: their SHA-1 is recorded in
   :attr:`~newsletter.buildcache.SiteState.page_digests`. A hand-edited, truncated or missing file is
   not trusted; the page is rendered as usual.

Builds are deterministic, so bytes a build wrote for a fingerprint are the bytes a clean build writes for
it now: the published site serves as a store of outputs keyed by their fingerprint. The staging
directory gets a copy (never a hard link), so nothing written there can reach the published site
before the swap, and a failed build leaves it untouched.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from .buildcache import SiteState

# The theme template a reused page is "rendered" with: the published bytes, or (when they turn out not to
# be trusted) the page's own template with the same context, which is what a build without reuse renders.
TEMPLATE = "newsletter/reused-page.html"
TEMPLATE_SOURCE = ("{% if newsletter_output is not none %}{{ newsletter_output }}"
                   "{% else %}{% include newsletter_template %}{% endif %}")


def output_digest(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def may_reuse(state: SiteState | None, src_uri: str, fingerprint: str) -> bool:
    """Condition 1 (no I/O): the page shows what it showed when ``state``'s build wrote it."""
    return state is not None and state.unchanged(src_uri, fingerprint) and src_uri in state.page_digests


def published_output(state: SiteState, src_uri: str, path: Path) -> str | None:
    """Condition 2: the published file's text, if it holds exactly what ``state``'s build wrote."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if output_digest(data) != state.page_digests.get(src_uri):
        return None
    return data.decode("utf-8")


# ---------------------------------------------------------------- files written outside MkDocs (the search index)

def file_digests(folder: Path, known: dict[str, list]) -> dict[str, list]:
    """``rel -> [size, mtime_ns, inode, SHA-1]`` of every file under ``folder``. A file whose size, mtime
    and inode are as in ``known`` (the last record: unchanged, or a hard link to the same file) is not
    read again."""
    digests = {}
    for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
        st = path.stat()
        if not path.is_file():
            continue
        rel = path.relative_to(folder).as_posix()
        stat = [st.st_size, st.st_mtime_ns, st.st_ino]
        old = known.get(rel)
        digests[rel] = old if old is not None and old[:3] == stat else [*stat, output_digest(path.read_bytes())]
    return digests


def link_trusted(source: Path, dest: Path, digests: dict[str, list]) -> bool:
    """Hard-link into ``dest`` (absent) every file recorded in ``digests``, each checked to hold exactly
    the recorded bytes. False, with nothing left in ``dest``, when one does not (or nothing is recorded).
    Only for a writer that replaces files by rename and never writes into one (search/site.py)."""
    if not digests:
        return False
    try:
        for rel, (*_, digest) in digests.items():
            if output_digest((source / rel).read_bytes()) != digest:
                raise OSError(f"{source / rel} changed since it was written")
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            os.link(source / rel, dest / rel)
    except OSError:
        shutil.rmtree(dest, ignore_errors=True)
        return False
    return True
