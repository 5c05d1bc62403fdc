"""``newsletter email`` (and what ``newsletter send`` shares with it): which issue, where, what to print.
Called by cli.py."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from .. import content
from ..model import Catalog, Issue, Settings
from ..problems import errors, format_problems
from . import email_files
from .addresses import site_base
from .build import EmailSetup, write_editions

SITE_URL_HINT = "set site_url in mkdocs.yml or pass --site-url https://…"


@dataclass(frozen=True)
class Project:
    root: Path
    settings: Settings
    site_dir: Path
    templates_dir: Path
    site_url: str | None  # mkdocs.yml's site_url


def fail(command: str, message: str, code: int = 1) -> int:
    print(f"newsletter {command}: {message}", file=sys.stderr)
    return code


def load_issue(project: Project, number: int, command: str) -> tuple[Catalog | None, Issue | None, int]:
    """The catalog and one issue, or the exit code after printing why not (the same messages as check)."""
    catalog, problems = content.load_catalog(project.root, project.settings)
    if errors(problems):
        print(format_problems(problems), file=sys.stderr)
        return None, None, 1
    issue = catalog.issue(number)
    if issue is None:
        known = ", ".join(str(i.number) for i in catalog.issues) or "none"
        return None, None, fail(command, f"no issue {number} in {project.settings.issues_dir}/ (issues: {known})")
    return catalog, issue, 0


def base_url(project: Project, given: str | None, command: str) -> str:
    """The site's address the links use, or ValueError with the message to print."""
    url = given or project.site_url
    if not url:
        raise ValueError(f"every link in an email is absolute, so it needs the site's address: {SITE_URL_HINT}")
    try:
        return site_base(url)
    except ValueError as exc:
        raise ValueError(f"{'--site-url' if given else 'site_url'}: {exc}") from None


def make_email(project: Project, args) -> int:
    try:
        base = base_url(project, args.site_url, "email")
    except ValueError as exc:
        return fail("email", str(exc), 2)
    catalog, issue, code = load_issue(project, args.number, "email")
    if issue is None:
        return code
    folder = Path(args.out) if args.out else project.site_dir / issue.url
    setup = EmailSetup(project.root, project.templates_dir, base, use_cache=not args.no_cache)
    try:
        report = write_editions(catalog, setup, [(issue, folder)])
    except ValueError as exc:
        return fail("email", str(exc))
    except OSError as exc:
        return fail("email", f"{folder}: cannot write: {exc.strerror or exc}")
    note = " (unchanged, from the cache)" if report.reused else ""
    for name in email_files(issue):
        print(f"wrote {folder / name}{note}")
    return 0
