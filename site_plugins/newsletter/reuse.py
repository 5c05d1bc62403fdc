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
