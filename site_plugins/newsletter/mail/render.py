"""The two parts of the email: HTML (templates/email/issue.html, CSS inlined) and plain text
(templates/email/issue.txt, written from the same digest, not converted from the HTML)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import css_inline
import jinja2

from ..model import Catalog, Issue
from ..render import environment
from .digest import SUMMARY_CHARS, Digest, digest

# Gmail clips a message whose HTML is over about 102 KB; room is kept for the personal unsubscribe link.
MAX_HTML_BYTES = 88 * 1024
SHORTER_SUMMARIES = (SUMMARY_CHARS, 60, 0)

HTML_TEMPLATE = "email/issue.html"
TEXT_TEMPLATE = "email/issue.txt"


@dataclass(frozen=True)
class EmailParts:
    subject: str
    html: str
    text: str


@lru_cache(maxsize=8)
def _environment(templates_dir: Path) -> jinja2.Environment:
    # Escaping for the HTML template; the text part is plain text and must not carry &amp; entities.
    return environment(templates_dir, autoescape=jinja2.select_autoescape(["html"], default_for_string=True))


@lru_cache(maxsize=1)
def _inliner() -> css_inline.CSSInliner:
    # Nothing is fetched: the stylesheet is the template's own <style>, removed once inlined.
    return css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False)


def render_parts(digest: Digest, templates_dir: Path) -> EmailParts:
    env = _environment(templates_dir)
    html = env.get_template(HTML_TEMPLATE).render(digest=digest)
    text = env.get_template(TEXT_TEMPLATE).render(digest=digest)
    # Both end with one newline, as in the message (set_content adds one).
    return EmailParts(digest.subject, _inliner().inline(html).rstrip() + "\n", text.strip() + "\n")


def fitted_digest(issue: Issue, catalog: Catalog, base: str, templates_dir: Path) -> Digest:
    """The digest with the longest summaries whose HTML stays under MAX_HTML_BYTES (an issue with very
    many articles gets shorter summaries, then titles only), so mail clients show it whole."""
    for chars in SHORTER_SUMMARIES:
        candidate = digest(issue, catalog, base, summary_chars=chars)
        if len(render_parts(candidate, templates_dir).html.encode()) <= MAX_HTML_BYTES:
            break
    return candidate
