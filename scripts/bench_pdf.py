#!/usr/bin/env python3
"""Benchmark of the issue PDF (issue 10): Typst against the WeasyPrint renderer it replaced, side by side.

1. One render in a fresh process (cold: fonts and compiler loaded in that process), engines interleaved
   run by run: issue 34, and a volume of 10 generated issues in one PDF (scripts/synth.py) for time per
   page. "weasyprint" is the renderer of commit WEASYPRINT_COMMIT (the last with WeasyPrint), taken with
   `git archive` and run on the same project — only while the weasyprint package is importable.
2. The PDFs of a generated archive (40 issues = 1,000 articles): `newsletter pdf --all --no-cache`, wall time.
3. Cold full builds of that archive (no site/, no .cache/): ours with PDFs, ours without, and plain
   Material + jieba (scripts/bench.py's baseline project), interleaved run by run.

    python scripts/bench_pdf.py [--quick] [--sizes 1000 5000]     # prints a Markdown section
``run(quick)`` returns the same section for scripts/bench.py.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEASYPRINT_COMMIT = "f969b0b"  # main just before the move to Typst


# ---------------------------------------------------------------- documents

def _catalog(project: Path):
    from newsletter import content
    from newsletter.cli import load_settings

    catalog, _ = content.load_catalog(project, load_settings(project / "mkdocs.yml"))
    return catalog


def _document(kind: str, project: Path):
    """(issue, catalog) for 'issue34', or 'volume10': the articles of 10 generated issues as one issue."""
    catalog = _catalog(project)
    if kind == "issue34":
        return catalog.issue(34), catalog
    issues = [i for i in catalog.issues if i.number != 34][:10]
    articles = [dataclasses.replace(a, slug=f"{a.issue_number}-{a.slug}") for i in issues for a in i.articles]
    volume = dataclasses.replace(issues[-1], articles=tuple(articles))
    return volume, dataclasses.replace(catalog, issues=(volume,))


# ---------------------------------------------------------------- one measured render (child process)

def worker(kind: str, engine: str, project: Path, old_code: Path | None) -> dict:
    if engine == "weasyprint":
        sys.path.insert(0, str(old_code / "site_plugins"))
    else:
        sys.path.insert(0, str(ROOT / "site_plugins"))
    issue, catalog = _document(kind, project)
    if engine == "weasyprint":
        from newsletter.pdf.writer import PdfJob, render_pdf

        def render() -> bytes:
            return render_pdf(PdfJob(issue, catalog, project, old_code / "templates"), timeout=3600)
    else:
        from newsletter.pdf.typeset import PdfJob, typeset

        def render() -> bytes:
            return typeset(PdfJob(issue, catalog, project, project / "templates")).pdf
    timings = []
    for _ in range(2):  # cold (first in the process), then warm (fonts and caches loaded)
        start, cpu_start = time.perf_counter(), time.process_time()
        data = render()
        timings.append((time.perf_counter() - start, time.process_time() - cpu_start))
    from pypdf import PdfReader

    (seconds, cpu), (warm, warm_cpu) = timings
    return {"seconds": seconds, "cpu": cpu, "warm": warm, "warm_cpu": warm_cpu,
            "pages": len(PdfReader(io.BytesIO(data)).pages), "articles": len(issue.articles),
            "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _render_once(kind: str, engine: str, project: Path, old_code: Path | None) -> dict:
    start = time.perf_counter()
    out = subprocess.run([sys.executable, __file__, "--worker", kind, engine, str(project), str(old_code or "")],
                         capture_output=True, text=True, env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
    if out.returncode != 0:
        raise SystemExit(f"bench_pdf: {kind}/{engine} failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["process"] = time.perf_counter() - start
    return result


def _weasyprint_code(work: Path) -> Path | None:
    """The WeasyPrint renderer's code (site_plugins, templates) from git, or None without weasyprint."""
    if importlib.util.find_spec("weasyprint") is None:
        return None
    target = work / "weasyprint-code"
    target.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", WEASYPRINT_COMMIT, "site_plugins", "templates"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


# ---------------------------------------------------------------- generated projects

def _project_with_synth(work: Path, issues: int) -> Path:
    project = work / f"project-{issues}"
    project.mkdir()
    for name in ("mkdocs.yml", "templates", "docs", "issues"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, project / name)
    subprocess.run([sys.executable, str(ROOT / "scripts" / "synth.py"), "--issues", str(issues), "--out", str(project)],
                   check=True, capture_output=True)
    return project


def _load_bench():
    if "bench" in sys.modules:  # run from scripts/bench.py
        return sys.modules["bench"]
    spec = importlib.util.spec_from_file_location("bench", ROOT / "scripts" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _med(values) -> float:
    return statistics.median(values)


# ---------------------------------------------------------------- the three measurements

def bench_render(work: Path, runs: int) -> tuple[list[str], dict]:
    project = _project_with_synth(work, 10)
    old_code = _weasyprint_code(work)
    engines = ["typst"] + (["weasyprint"] if old_code else [])
    results = {(kind, engine): [] for kind in ("issue34", "volume10") for engine in engines}
    for _ in range(runs):  # interleaved: every engine and document once per round
        for kind in ("issue34", "volume10"):
            for engine in engines:
                results[(kind, engine)].append(_render_once(kind, engine, project, old_code))
    med = {key: {m: _med(r[m] for r in rs) for m in rs[0]} for key, rs in results.items()}
    lines = ["| document | engine | articles | pages | render wall s | render CPU s | warm wall s | warm CPU s | "
             "whole process s | warm CPU s/page | peak MB |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for (kind, engine), m in med.items():
        lines.append(f"| {'issue 34' if kind == 'issue34' else '10-issue volume'} | {engine} | {m['articles']:.0f} | "
                     f"{m['pages']:.0f} | {m['seconds']:.2f} | {m['cpu']:.2f} | {m['warm']:.2f} | {m['warm_cpu']:.2f} | "
                     f"{m['process']:.2f} | {m['warm_cpu'] / m['pages']:.4f} | {m['max_rss_mb']:.0f} |")
    notes = []
    if old_code:
        for kind in ("issue34", "volume10"):
            t, w = med[(kind, "typst")], med[(kind, "weasyprint")]
            notes.append(f"{kind}: Typst / WeasyPrint = {t['seconds'] / w['seconds']:.2f} (render wall), "
                         f"{t['cpu'] / w['cpu']:.2f} (render CPU), {t['process'] / w['process']:.2f} (whole process).")
    else:
        notes.append(f"WeasyPrint not installed: only Typst measured (the WeasyPrint figures in bench/PDF.md come "
                     f"from a run with it installed, renderer of {WEASYPRINT_COMMIT}).")
    t34, tvol = med[("issue34", "typst")], med[("volume10", "typst")]
    for label, wall, cpu in (("cold", "seconds", "cpu"), ("warm", "warm", "warm_cpu")):
        notes.append(f"Typst seconds per page, volume vs issue 34, {label}: "
                     f"{(tvol[wall] / tvol['pages']) / (t34[wall] / t34['pages']):.2f}× wall, "
                     f"{(tvol[cpu] / tvol['pages']) / (t34[cpu] / t34['pages']):.2f}× CPU (1.00 = linear in pages).")
    return lines, {"notes": notes, "engines": engines}


def bench_archive(work: Path, sizes: list[int], runs: int) -> list[str]:
    bench = _load_bench()
    lines = ["| articles | issues | measure | ours with PDFs | ours without PDFs | plain Material + jieba | "
             "with PDFs / Material | `newsletter pdf --all --no-cache` |",
             "|---:|---:|---|---:|---:|---:|---:|---:|"]
    for size in sizes:
        projects = bench.prepare(size)
        times = {"pdf": [], "nopdf": [], "material": [], "pdfs_only": []}
        for _ in range(runs):  # interleaved
            for name, project, env in (("pdf", projects["ours"], {"NEWSLETTER_PDF": "1"}),
                                       ("nopdf", projects["ours"], {"NEWSLETTER_PDF": "0"}),
                                       ("material", projects["material"], {})):
                shutil.rmtree(project / "site", ignore_errors=True)
                shutil.rmtree(project / ".cache", ignore_errors=True)
                times[name].append(bench.timed(bench.MKDOCS, project, env))
            out = work / f"pdfs-{size}"
            shutil.rmtree(out, ignore_errors=True)
            times["pdfs_only"].append(bench.timed([sys.executable, "-m", "newsletter.cli", "pdf", "--all",
                                                   "--no-cache", "--out", str(out)], projects["ours"]))
        for label, field in (("wall s", "seconds"), ("CPU s", "cpu")):
            m = {k: _med(getattr(r, field) for r in v) for k, v in times.items()}
            lines.append(f"| {projects['count']} | {projects['count'] // bench.PER_ISSUE} | {label} | {m['pdf']:.1f} | "
                         f"{m['nopdf']:.1f} | {m['material']:.1f} | {m['pdf'] / m['material']:.2f}× | "
                         f"{m['pdfs_only']:.1f} |")
    return lines


def run(quick: bool = False, sizes: list[int] | None = None, render_runs: int | None = None,
        only: str | None = None) -> str:
    runs = render_runs or (1 if quick else 5)
    sizes = sizes or ([100] if quick else [1000])
    weasyprint = importlib.util.find_spec("weasyprint") is not None
    parts = ["## Issue PDF (Typst)", "",
             f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
             f"typst {_version('typst')}{', weasyprint ' + _version('weasyprint') if weasyprint else ''}. "
             "Machine shared with other jobs: compare rows of the same run only.", ""]
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as tmp:
        if only in (None, "render"):
            parts += _render_section(*bench_render(Path(tmp), runs), runs)
            print("\n".join(parts), file=sys.stderr, flush=True)  # kept if the next part fails
        if only in (None, "archive"):
            parts += _archive_section(bench_archive(Path(tmp), sizes, 1 if quick else 3), 1 if quick else 3)
    return "\n".join(parts)


def _render_section(render_lines: list[str], info: dict, runs: int) -> list[str]:
    return [
        f"### One render in a fresh process (median of {runs}, engines interleaved)",
        "",
        "Render = from the loaded issue to the PDF bytes, the first in the process (fonts and compiler "
        "cold); warm = the same render again in that process; whole process = Python start, imports, loading the "
        "project and both renders.",
        "",
        *render_lines,
        "",
        *[f"- {note}" for note in info["notes"]],
        "",
    ]


def _archive_section(archive_lines: list[str], runs: int) -> list[str]:
    return [
        f"### Generated archive: PDFs and cold full builds (median of {runs}, interleaved)",
        "",
        "Full build = `mkdocs build` without site/ and .cache/ (pages, search, feeds, and the PDFs in worker "
        "processes, one per core); Material = scripts/bench.py's plain Material + search (jieba) project over "
        "the same article Markdown. CPU = user + system seconds of the build and every process it waited for "
        "(the PDF workers included): on a machine this loaded, the fairer comparison.",
        "",
        *archive_lines,
        "",
    ]


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run each, 100 articles")
    parser.add_argument("--sizes", type=int, nargs="+", help="archive sizes in articles (default 1000)")
    parser.add_argument("--render-runs", type=int, help="runs of the fresh-process render (default 5)")
    parser.add_argument("--only", choices=("render", "archive"), help="one of the two parts")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, engine, project, old_code = args.worker
        print(json.dumps(worker(kind, engine, Path(project), Path(old_code) if old_code else None)))
        return 0
    print(run(args.quick, args.sizes, args.render_runs, args.only))
    return 0


if __name__ == "__main__":
    sys.exit(main())
