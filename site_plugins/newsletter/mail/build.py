"""Write the email edition of issues where the site and the CLI want it, re-rendering only what changed.

An edition is reused from ``.cache/email/`` when its key is unchanged: the issue as loaded, the
settings it shows (sections, sender, unsubscribe link, PDF on or off), the site's address, the email
templates, our code and the css-inline version.
"""

from __future__ import annotations

import shutil
from functools import lru_cache
from dataclasses import dataclass, field, replace
from importlib.metadata import version
from pathlib import Path

from .. import buildcache
from ..model import Catalog, Issue
from . import HTML_FILE, TEXT_FILE, eml_filename, email_files
from .addresses import site_base, unsubscribe_link

CACHE_DIR = ".cache/email"
_CODE = Path(__file__).resolve().parent.parent  # the whole package: views, markup and rendering all count


@dataclass(frozen=True)
class EmailSetup:
    root: Path
    templates_dir: Path
    base: str  # the site's address, with a trailing slash (addresses.site_base)
    use_cache: bool = True

    @property
    def cache_dir(self) -> Path:
        return self.root / CACHE_DIR


@dataclass
class EmailReport:
    rendered: list[Path] = field(default_factory=list)
    reused: list[Path] = field(default_factory=list)


def edition(issue: Issue, catalog: Catalog, setup: EmailSetup) -> dict[str, bytes]:
    """File name -> bytes of the published edition: addressed to nobody, so no personal unsubscribe link."""
    from .message import build_message, edition_date  # here: a site build without email editions
    from .render import fitted_digest, render_parts    # (no site_url) starts without them

    settings = catalog.settings.email
    unsubscribe = unsubscribe_link(settings.unsubscribe, None, None)
    fitted = replace(fitted_digest(issue, catalog, setup.base, setup.templates_dir), unsubscribe_url=unsubscribe)
    parts = render_parts(fitted, setup.templates_dir)
    message = build_message(issue, parts, settings, date=edition_date(issue), unsubscribe_url=unsubscribe)
    return {HTML_FILE: parts.html.encode(), TEXT_FILE: parts.text.encode(), eml_filename(issue): message.as_bytes()}


@lru_cache(maxsize=8)
def _code_and_templates(templates_dir: Path, stamp: float) -> str:
    """What every edition depends on besides its issue (read once per build; ``stamp`` is the newest
    template's time, so a preview that edits a template gets a new key)."""
    return buildcache.digest(version("css-inline"), buildcache.files_digest([templates_dir / "email"]),
                             buildcache.files_digest(sorted(_CODE.rglob("*.py"))))


def cache_key(issue: Issue, catalog: Catalog, setup: EmailSetup) -> str:
    s = catalog.settings
    folder = setup.templates_dir / "email"
    stamp = max((p.stat().st_mtime for p in folder.iterdir()), default=0.0) if folder.is_dir() else 0.0
    return buildcache.digest(
        repr((issue, s.sections, s.allow_raw_html, s.pdf_enabled, s.email, setup.base)),
        _code_and_templates(setup.templates_dir, stamp),
    )[:24]


def write_edition(issue: Issue, catalog: Catalog, setup: EmailSetup, folder: Path) -> bool:
    """Write the edition's files into ``folder``; True if rendered, False if copied from the cache."""
    folder.mkdir(parents=True, exist_ok=True)
    cached = setup.cache_dir / f"{issue.number:03d}-{cache_key(issue, catalog, setup)}"
    names = email_files(issue)
    if setup.use_cache and all((cached / name).is_file() for name in names):
        for name in names:
            shutil.copyfile(cached / name, folder / name)
        return False
    for name, data in edition(issue, catalog, setup).items():
        (folder / name).write_bytes(data)
    if setup.use_cache:
        for stale in setup.cache_dir.glob(f"{issue.number:03d}-*"):
            shutil.rmtree(stale, ignore_errors=True)
        cached.mkdir(parents=True, exist_ok=True)
        for name in names:
            shutil.copyfile(folder / name, cached / name)
    return True


def write_editions(catalog: Catalog, setup: EmailSetup, targets: list[tuple[Issue, Path]]) -> EmailReport:
    report = EmailReport()
    for issue, folder in targets:
        (report.rendered if write_edition(issue, catalog, setup, folder) else report.reused).append(folder)
    return report


def site_targets(catalog: Catalog, site_dir: Path) -> list[tuple[Issue, Path]]:
    """Each issue's email files next to its issue page in the built site."""
    return [(issue, site_dir / issue.url) for issue in catalog.issues]


def write_site_editions(catalog: Catalog, root: Path, templates_dir: Path, site_dir: Path,
                        site_url: str | None, only: set[int] | None = None) -> str:
    """The site build's step: every issue's edition next to its page (or only the issues numbered in
    ``only``: an incremental build's changed ones), when the site has an address.
    Returns the line to log; ValueError when the sender is not configured."""
    if not catalog.settings.email.enabled:
        return "email edition: off (plugin option email: enabled: false)"
    if not site_url:
        return "email edition: skipped, site_url is not set (every link in an email must be absolute)"
    setup = EmailSetup(root, templates_dir, site_base(site_url))
    report = write_editions(catalog, setup, [(issue, folder) for issue, folder in site_targets(catalog, site_dir)
                                             if only is None or issue.number in only])
    return (f"email edition: {len(report.rendered)} rendered, {len(report.reused)} unchanged "
            f"(cache {setup.cache_dir})")
