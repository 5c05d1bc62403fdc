"""How long `newsletter import` takes on printed PDFs, next to how long `newsletter pdf` takes to render them.

Usage: .venv/bin/python scripts/bench_import.py [--runs 3] [--batch 10]

Makes a throw-away project with issue 34 and renumbered copies of it (35, 36, …), renders their PDFs with
our own pipeline (`newsletter pdf`, no cache), then imports them back (`newsletter import`): one issue,
and the whole batch in one command. Both sides are whole commands (Python start-up included), timed in the
same run, alternating, medians of --runs: wall-clock and CPU seconds (CPU time is what a shared,
busy machine disturbs least). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NEWSLETTER = [sys.executable, "-m", "newsletter.cli"]


def make_project(where: Path, batch: int) -> Path:
    project = where / "project"
    project.mkdir()
    for name in ("mkdocs.yml", "templates", "docs"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, project / name)
    shutil.copytree(ROOT / "issues", project / "issues")
    for number in range(35, 34 + batch):
        folder = project / "issues" / f"{number:03d}"
        shutil.copytree(project / "issues" / "034", folder)
        text = (folder / "issue.yml").read_text(encoding="utf-8").replace("number: 34", f"number: {number}")
        (folder / "issue.yml").write_text(text, encoding="utf-8")
    return project


def timed(args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall-clock seconds and CPU seconds (user + system, the command and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stderr}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=10)
    args = parser.parse_args()
    times: dict[str, list[tuple[float, float]]] = {
        k: [] for k in ("render 1", "import 1", f"render {args.batch}", f"import {args.batch}")}
    with tempfile.TemporaryDirectory() as tmp:
        project = make_project(Path(tmp), args.batch)
        for run in range(args.runs):
            out = Path(tmp) / f"pdfs-{run}"
            times["render 1"].append(timed(NEWSLETTER + ["pdf", "34", "--no-cache", "--out", str(out / "one.pdf")], project))
            times[f"render {args.batch}"].append(timed(NEWSLETTER + ["pdf", "--all", "--no-cache", "--out", str(out)], project))
            pdfs = sorted(str(p) for p in out.glob("newsletter-*.pdf"))
            times["import 1"].append(timed(NEWSLETTER + ["import", str(out / "one.pdf"), "--out", str(out / "one")], project))
            times[f"import {args.batch}"].append(timed(NEWSLETTER + ["import", *pdfs, "--out", str(out / "all")], project))
    wall = {k: statistics.median(w for w, _ in v) for k, v in times.items()}
    cpu = {k: statistics.median(c for _, c in v) for k, v in times.items()}
    print(f"| what | wall, median of {args.runs} (s) | CPU, median (s) | wall runs (s) |\n|---|---|---|---|")
    for key, values in times.items():
        print(f"| {key} | {wall[key]:.2f} | {cpu[key]:.2f} | {', '.join(f'{w:.2f}' for w, _ in values)} |")
    batch = args.batch
    print(f"\nimport / render, wall: one issue {wall['import 1'] / wall['render 1']:.2f}, batch of {batch} "
          f"{wall[f'import {batch}'] / wall[f'render {batch}']:.2f}; CPU: one issue {cpu['import 1'] / cpu['render 1']:.2f}, "
          f"batch of {batch} {cpu[f'import {batch}'] / cpu[f'render {batch}']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
