"""``newsletter pdf``: which issues, where to write them, and what to print. Called by cli.py."""

from __future__ import annotations

import sys
from pathlib import Path

from .. import content
from ..model import Settings
from ..problems import errors, format_problems
from . import pdf_filename
from .build import PdfSetup, write_pdfs
from .typeset import PdfError


def make_pdfs(root: Path, settings: Settings, site_dir: Path, templates_dir: Path, args) -> int:
    if args.all == (args.number is not None):
        print("newsletter pdf: give one issue number (e.g. newsletter pdf 34) or --all", file=sys.stderr)
        return 2
    catalog, problems = content.load_catalog(root, settings)
    if errors(problems):  # the same messages as `newsletter check`
        print(format_problems(problems), file=sys.stderr)
        return 1
    issues = list(catalog.issues) if args.all else [catalog.issue(args.number)]
    if issues == [None]:
        known = ", ".join(str(i.number) for i in catalog.issues) or "none"
        print(f"newsletter pdf: no issue {args.number} in {settings.issues_dir}/ (issues: {known})", file=sys.stderr)
        return 1
    out = Path(args.out) if args.out else None
    targets = [(issue, _target(issue, out, site_dir, single=not args.all)) for issue in issues]
    setup = PdfSetup(root, templates_dir, args.timeout or settings.pdf_timeout, not args.no_cache)
    try:
        report = write_pdfs(catalog, setup, targets)
    except PdfError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    if report.warnings:
        print(format_problems(report.warnings), file=sys.stderr)
    for path in report.rendered:
        print(f"wrote {path}")
    for path in report.reused:
        print(f"wrote {path} (unchanged, from the cache)")
    return 0


def _target(issue, out: Path | None, site_dir: Path, single: bool) -> Path:
    if out is None:
        return site_dir / issue.url / pdf_filename(issue)
    if single and out.suffix.lower() == ".pdf":
        return out
    return out / pdf_filename(issue)
