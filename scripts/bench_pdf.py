#!/usr/bin/env python3
"""Benchmark of the issue PDF (issue 5): our full render (cover, contents with page numbers, running
header and footer, bookmarks) against WeasyPrint rendering the same article HTML with a bare
stylesheet (no cover, contents or running elements), side by side, medians of repeated runs.

Two sizes: issue 34 and a volume of 10 generated issues in one PDF (scripts/synth.py; if it is
missing, issue 34's articles ten times). Every render runs in a fresh process so peak memory
(max RSS) is its own. PDFs are never cached here.

    python scripts/bench_pdf.py [--quick]      # prints a Markdown section
``run(quick)`` returns the same section for the benchmark command.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "site_plugins"))

BARE_CSS = '@page { size: A4; margin: 20mm } html { font-family: "Noto Serif CJK SC", serif; font-size: 10.5pt }'


# ---------------------------------------------------------------- documents

def _project_catalog(root: Path):
    from newsletter import content
    from newsletter.cli import load_settings

    settings = load_settings(root / "mkdocs.yml")
    catalog, problems = content.load_catalog(root, settings)
    return catalog


def _volume(catalog, issues):
    """One Issue holding the articles of ``issues`` (a bound volume), numbered like the last."""
    articles = [dataclasses.replace(a, slug=f"{a.issue_number}-{a.slug}") for i in issues for a in i.articles]
    last = issues[-1]
    return dataclasses.replace(last, articles=tuple(articles)), dataclasses.replace(catalog, issues=(last,))


def _document(kind: str, project: Path):
    """(issue, catalog, root) for 'issue34' or 'volume10'."""
    catalog = _project_catalog(project)
    if kind == "issue34":
        return catalog.issue(34), catalog, project
    generated = [i for i in catalog.issues if i.number != 34]
    if len(generated) >= 10:
        issue, volume_catalog = _volume(catalog, generated[:10])
    else:  # no generator: issue 34 ten times
        issue, volume_catalog = _volume(catalog, [catalog.issue(34)] * 10)
    return issue, volume_catalog, project


def _bare_html(issue, catalog) -> str:
    from markupsafe import escape

    from newsletter.pages import article_view

    parts = [f"<h2>{escape(a.title)}</h2>{article_view(a, issue, catalog).body_html}" for a in issue.articles]
    return '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"></head><body>' + "".join(parts) + "</body></html>"


# ---------------------------------------------------------------- one measured render (child process)

def worker(kind: str, pipeline: str, project: Path) -> dict:
    from weasyprint import CSS, HTML

    from newsletter.pdf.writer import PdfJob, render_pdf

    issue, catalog, root = _document(kind, project)
    start, cpu_start = time.perf_counter(), time.process_time()
    if pipeline == "ours":
        data = render_pdf(PdfJob(issue, catalog, root, ROOT / "templates"), timeout=3600)
    else:
        data = HTML(string=_bare_html(issue, catalog)).write_pdf(stylesheets=[CSS(string=BARE_CSS)])
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    from pypdf import PdfReader
    import io

    pages = len(PdfReader(io.BytesIO(data)).pages)
    return {"seconds": seconds, "cpu": cpu, "pages": pages, "articles": len(issue.articles),
            "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _measure(kind: str, pipeline: str, project: Path, runs: int) -> dict:
    results = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, __file__, "--worker", kind, pipeline, str(project)], capture_output=True,
                             text=True, env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
        if out.returncode != 0:
            raise SystemExit(f"bench_pdf: {kind}/{pipeline} failed:\n{out.stderr}")
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {key: statistics.median(r[key] for r in results) for key in results[0]}


# ---------------------------------------------------------------- generated archive

def _generated_project(work: Path) -> tuple[Path, str]:
    """A project with issue 34 and, when scripts/synth.py exists, 10 generated issues."""
    import shutil

    project = work / "project"
    project.mkdir()
    for name in ("mkdocs.yml", "templates", "docs", "issues"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, project / name)
    synth = ROOT / "scripts" / "synth.py"
    if not synth.exists():
        return project, "issue 34's articles ×10 (scripts/synth.py not found)"
    out = subprocess.run([sys.executable, str(synth), "--issues", "10", "--out", str(project)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        return project, f"issue 34's articles ×10 (synth.py failed: {out.stderr.strip()[-200:]})"
    return project, "10 issues from scripts/synth.py"


def run(quick: bool = False) -> str:
    runs = 1 if quick else 3
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as tmp:
        project, volume_source = _generated_project(Path(tmp))
        rows = []
        for kind, label in (("issue34", "issue 34"), ("volume10", "10-issue volume")):
            ours = _measure(kind, "ours", project, runs)
            bare = _measure(kind, "bare", project, runs)
            rows.append((label, ours, bare))
    lines = [
        "## Issue PDF (WeasyPrint)",
        "",
        f"Medians of {runs} run(s), each render in a fresh process; {time.strftime('%Y-%m-%d')}, "
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}. Volume: {volume_source}, one PDF.",
        "\"bare\" is WeasyPrint on the same article HTML with a bare stylesheet (no cover, contents, running elements).",
        "Times are CPU seconds of the render (Markdown, template, layout, PDF; not imports), wall seconds in brackets.",
        "",
        "| document | articles | pages ours / bare | ours s | bare s | ratio | ours s/page | bare s/page | ours peak MB | bare peak MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, ours, bare in rows:
        lines.append(
            f"| {label} | {ours['articles']:.0f} | {ours['pages']:.0f} / {bare['pages']:.0f} | {ours['cpu']:.2f} "
            f"({ours['seconds']:.2f}) | {bare['cpu']:.2f} ({bare['seconds']:.2f}) | {ours['cpu'] / bare['cpu']:.2f}× | "
            f"{ours['cpu'] / ours['pages']:.3f} | {bare['cpu'] / bare['pages']:.3f} | {ours['max_rss_mb']:.0f} | "
            f"{bare['max_rss_mb']:.0f} |")
    (_, small, _), (_, big, _) = rows
    growth = (big["cpu"] / big["pages"]) / (small["cpu"] / small["pages"])
    lines += ["", f"Seconds per page, volume vs issue 34: {growth:.2f}× (1.00 = linear in pages). "
              "Target: ours ≤ 1.5× bare.", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run per measurement")
    parser.add_argument("--worker", nargs=3, metavar=("KIND", "PIPELINE", "PROJECT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, pipeline, project = args.worker
        print(json.dumps(worker(kind, pipeline, Path(project))))
        return 0
    print(run(args.quick))
    return 0


if __name__ == "__main__":
    sys.exit(main())
