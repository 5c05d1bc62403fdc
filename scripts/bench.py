#!/usr/bin/env python3
"""Build benchmark at archive scale (issue 3): our site vs Material for MkDocs vs Hugo, side by side.

    make bench                         # sizes 1,000 and 5,000 articles, median of 3 runs each
    .venv/bin/python scripts/bench.py --quick     # 100 and 500 articles, one run: to try it out

For each size a synthetic archive (scripts/synth.py, 25 articles per issue) is built by
* ours:      the real mkdocs.yml, templates and plugin (archive views, feeds, search index when that
             exists; PDFs off with NEWSLETTER_PDF=0) — cold (no .cache/, no site/), warm (nothing changed
             since the last build, whose .cache/ and site/ are there: a plain `mkdocs build` run again) and
             warm without site/ (.cache/ kept, site/ deleted: no published pages to copy);
* Material:  a plain mkdocs.yml, same article Markdown under docs/, Material's search plugin (jieba
             segmentation when jieba is installed), articles not in the nav, no plugin of ours;
* Hugo:      Debian's hugo with minimal layouts written here, as the speed reference.
"Rebuild" is `mkdocs build --dirty` after one article's body changed (for Hugo: a full build, which
is what it does). Peak memory is the child's max RSS (wait4). Results go to stdout and bench/RESULTS.md.
Other benchmarks join the same run: scripts/bench_search.py and scripts/bench_pdf.py, when present,
expose ``run(quick: bool) -> str`` returning a Markdown section.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "RESULTS.md"
PER_ISSUE = 25
EXTRA_BENCHMARKS = ("bench_preview.py", "bench_search.py", "bench_pdf.py")


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(name.removesuffix(".py"), ROOT / "scripts" / name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------- running and measuring

@dataclass
class Run:
    seconds: float
    peak_mb: float
    cpu: float = 0.0  # user + system seconds of the command and the processes it waited for


def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Wall time and peak RSS of one command, which must succeed."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"failed in {cwd}: {' '.join(cmd)}\n{stderr.decode(errors='replace')[-3000:]}")
    return Run(seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


@dataclass
class Measure:
    runs: list[Run] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(r.peak_mb for r in self.runs)


# ---------------------------------------------------------------- the three sites

MKDOCS = [sys.executable, "-m", "mkdocs", "build", "-q"]
OURS_ENV = {"NEWSLETTER_PDF": "0"}

MATERIAL_YML = """site_name: 节能减排信息动态
theme:
  name: material
  language: zh
  font: false
plugins:
  - search
nav:
  - 首页: index.md
"""

HUGO_LAYOUTS = {
    "_default/baseof.html": '<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>{{ .Title }}</title>'
                            '</head><body><nav><a href="{{ "/" | relURL }}">首页</a></nav>{{ block "main" . }}{{ end }}'
                            '</body></html>',
    "_default/single.html": '{{ define "main" }}<article><h1>{{ .Title }}</h1><p>{{ .Date.Format "2006-01-02" }} '
                            '{{ .Params.source }}</p>{{ .Content }}</article>{{ end }}',
    "_default/list.html": '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">'
                          '{{ .Title }}</a></li>{{ end }}</ul>{{ end }}',
    "index.html": '{{ define "main" }}<h1>节能减排信息动态</h1>{{ range first 20 .Site.RegularPages }}'
                  '<p><a href="{{ .RelPermalink }}">{{ .Title }}</a></p>{{ end }}{{ end }}',
}


def prepare(size: int) -> dict[str, Path]:
    """Generate the archive once per size and lay out the three projects over the same Markdown."""
    base = WORK / str(size)
    shutil.rmtree(base, ignore_errors=True)
    ours, material, hugo = base / "ours", base / "material", base / "hugo"
    ours.mkdir(parents=True)
    for name in ("mkdocs.yml", "templates", "docs"):
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy2)(ROOT / name, ours / name)
    (ours / "issues").mkdir(parents=True)
    if (ROOT / "issues" / "tags.yml").is_file():
        shutil.copy2(ROOT / "issues" / "tags.yml", ours / "issues" / "tags.yml")
    load_script("synth.py").generate(ours, issues=max(1, size // PER_ISSUE), articles_per_issue=PER_ISSUE)
    articles = sorted((ours / "issues").glob("[0-9]*/*.md"))

    (material / "docs").mkdir(parents=True)
    (material / "mkdocs.yml").write_text(MATERIAL_YML, encoding="utf-8")
    (material / "docs" / "index.md").write_text("# 节能减排信息动态\n", encoding="utf-8")
    (hugo / "content").mkdir(parents=True)
    (hugo / "hugo.toml").write_text('baseURL = "/"\ntitle = "节能减排信息动态"\nlanguageCode = "zh-cn"\n'
                                    'disableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n', encoding="utf-8")
    for rel, text in HUGO_LAYOUTS.items():
        (hugo / "layouts" / rel).parent.mkdir(parents=True, exist_ok=True)
        (hugo / "layouts" / rel).write_text(text, encoding="utf-8")
    for path in articles:
        rel = path.relative_to(ours)
        for target in (material / "docs" / rel, hugo / "content" / rel):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    return {"ours": ours, "material": material, "hugo": hugo, "count": len(articles)}


def full_build(engine: str, project: Path, cold: bool = True, keep_site: bool = False) -> Run:
    if not keep_site:
        shutil.rmtree(project / ("public" if engine == "hugo" else "site"), ignore_errors=True)
    if engine == "hugo":
        return timed(["hugo", "--quiet"], project)
    if cold:
        shutil.rmtree(project / ".cache", ignore_errors=True)
    return timed(MKDOCS, project, OURS_ENV if engine == "ours" else None)


def touch_one_article(project: Path, docs: str, round_: int) -> None:
    """Append a sentence to the middle article (the same one for every engine)."""
    articles = sorted((project / docs).glob("issues/*/*.md"))
    with articles[len(articles) // 2].open("a", encoding="utf-8") as f:
        f.write(f"\n编辑第 {round_} 次修改了这篇文章。\n")


def rebuild(engine: str, project: Path, round_: int) -> Run:
    if engine == "hugo":
        touch_one_article(project, "content", round_)
        return timed(["hugo", "--quiet"], project)
    touch_one_article(project, "." if engine == "ours" else "docs", round_)
    return timed(MKDOCS + ["--dirty"], project, OURS_ENV if engine == "ours" else None)


# ---------------------------------------------------------------- the table

def bench_size(size: int, repeat: int, engines: list[str]) -> dict[str, dict[str, Measure]]:
    projects = prepare(size)
    results: dict[str, dict[str, Measure]] = {
        e: {"full": Measure(), "warm": Measure(), "warm_bare": Measure(), "rebuild": Measure()} for e in engines}
    for round_ in range(repeat):  # engines interleaved in each round: machine load hits all alike
        for engine in engines:
            print(f"  {size} articles, run {round_ + 1}/{repeat}: {engine} …", file=sys.stderr, flush=True)
            results[engine]["full"].runs.append(full_build(engine, projects[engine]))
            if engine == "ours":
                results[engine]["warm"].runs.append(full_build(engine, projects[engine], cold=False, keep_site=True))
                results[engine]["warm_bare"].runs.append(full_build(engine, projects[engine], cold=False))
            results[engine]["rebuild"].runs.append(rebuild(engine, projects[engine], round_))
    results["count"] = projects["count"]
    return results


def available(engine: str) -> bool:
    if engine == "hugo":
        return shutil.which("hugo") is not None
    return True


def fmt(seconds: float) -> str:
    return f"{seconds:.2f}"


def table(all_results: dict[int, dict], engines: list[str]) -> str:
    lines = ["| articles | build | full build (s) | per article (ms) | vs Material | peak RSS (MB) | "
             "rebuild, 1 article changed (s) | rebuild / full |",
             "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for size, results in all_results.items():
        count = results["count"]
        material = results.get("material", {}).get("full")
        for engine in engines:
            m = results[engine]
            rows = [("ours (cold cache)" if engine == "ours" else engine, m["full"])]
            if engine == "ours":
                rows += [("ours (warm: .cache/ and site/ kept)", m["warm"]), ("ours (warm: .cache/ only)", m["warm_bare"])]
            for label, measure in rows:
                ratio = f"{measure.seconds / material.seconds:.2f}×" if material and material.runs else "–"
                lines.append(f"| {count:,} | {label} | {fmt(measure.seconds)} | {1000 * measure.seconds / count:.2f} | "
                             f"{ratio} | {measure.peak_mb:.0f} | {fmt(m['rebuild'].seconds)} | "
                             f"{m['rebuild'].seconds / m['full'].seconds:.0%} |")
    return "\n".join(lines)


def targets(all_results: dict[int, dict]) -> str:
    sizes = sorted(all_results)
    lines = []
    for size in sizes:
        r = all_results[size]
        ours = r["ours"]
        if "material" in r:
            lines.append(f"- {r['count']:,} articles: ours / Material = "
                         f"{ours['full'].seconds / r['material']['full'].seconds:.2f}× (target ≤ 1.2×)")
        lines.append(f"- {r['count']:,} articles: `--dirty` rebuild / full = "
                     f"{ours['rebuild'].seconds / ours['full'].seconds:.0%} (target ≤ 10%); warm / cold full build = "
                     f"{ours['warm'].seconds / ours['full'].seconds:.0%} (target ≤ 50%; "
                     f"{ours['warm_bare'].seconds / ours['full'].seconds:.0%} without site/); peak RSS "
                     f"{max(ours['full'].peak_mb, ours['warm'].peak_mb, ours['warm_bare'].peak_mb):.0f} MB (target ≤ 600 MB at 5,000)")
    for size in sizes:  # every run, in order (noise shows here: the machine is shared)
        r = all_results[size]
        for engine, key, label in (("ours", "full", "cold"), ("ours", "warm", "warm"), ("ours", "warm_bare", "warm without site/"),
                                   ("ours", "rebuild", "--dirty"), ("material", "full", "full"),
                                   ("material", "rebuild", "--dirty")):
            if engine in r and r[engine][key].runs:
                lines.append(f"- {r['count']:,} articles, {engine} {label} runs (s): "
                             + ", ".join(fmt(run.seconds) for run in r[engine][key].runs))
    if len(sizes) >= 2:
        small, large = all_results[sizes[0]], all_results[sizes[-1]]
        per = [r["ours"]["full"].seconds / r["count"] for r in (small, large)]
        lines.append(f"- per-article cost, ours: {1000 * per[0]:.2f} ms at {small['count']:,} → {1000 * per[1]:.2f} ms at "
                     f"{large['count']:,} ({per[1] / per[0] - 1:+.0%}; target within ±10%)")
    return "\n".join(lines)


def machine() -> str:
    versions = []
    for module in ("mkdocs", "material"):
        try:
            versions.append(f"{module} {__import__('importlib.metadata').metadata.version(module if module != 'material' else 'mkdocs-material')}")
        except Exception:
            pass
    hugo = subprocess.run(["hugo", "version"], capture_output=True, text=True).stdout.split()[1] if shutil.which("hugo") else "none"
    try:
        import jieba  # noqa: F401
        jieba_state = "jieba installed (Material segments Chinese)"
    except ImportError:
        jieba_state = "jieba NOT installed (Material's search does not segment Chinese: its figure is too low)"
    return (f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC · {platform.machine()} · {os.cpu_count()} cores · "
            f"Python {platform.python_version()} · {', '.join(versions)} · hugo {hugo} · {jieba_state} · "
            f"load average at start {os.getloadavg()[0]:.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="build benchmark: ours vs Material vs Hugo")
    parser.add_argument("--quick", action="store_true", help="100 and 500 articles, one run each")
    parser.add_argument("--sizes", type=int, nargs="+", help="article counts (default 1000 5000)")
    parser.add_argument("--repeat", type=int, help="runs per measurement, median reported (default 3)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--site-only", action="store_true", help="skip bench_search.py / bench_pdf.py")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([100, 500] if args.quick else [1000, 5000])
    repeat = args.repeat or (1 if args.quick else 3)
    engines = [e for e in ("ours", "material", "hugo") if available(e)]
    header = machine()
    print(header, file=sys.stderr)
    all_results = {size: bench_size(size, repeat, engines) for size in sizes}
    report = [f"# Build benchmark\n\n{header}\n\nCommand: `{' '.join(['scripts/bench.py', *(argv or sys.argv[1:])])}` "
              f"(median of {repeat} run(s); PDFs off: NEWSLETTER_PDF=0)\n",
              "## Site build (issue 3)\n", table(all_results, engines), "", targets(all_results), "",
              "Rebuild = `mkdocs build --dirty` after one article's body changed: our plugin fingerprints every "
              "generated page and MkDocs re-renders only those whose content changed (the article, its issue page, "
              "neighbours and the listing pages that show it), in place in site/ with an undo journal, and the "
              "search index update rewrites only the files holding what changed. Material's `--dirty` re-renders "
              "the changed file only "
              "and its search index then lacks every other page, so its rebuild figure is not a usable site. "
              "Hugo has no partial build; its rebuild is a full build. "
              "Warm = a plain `mkdocs build` again, nothing changed: pages whose fingerprint and published bytes "
              "are as the last build left them are copied from site/ instead of rendered, and the search index "
              "starts from the published one (reuse.py); without site/ every page is rendered (bodies, token "
              "counts and compiled templates still come from .cache/).\n"]
    for name in () if args.site_only else EXTRA_BENCHMARKS:
        if (ROOT / "scripts" / name).is_file():
            print(f"running scripts/{name} …", file=sys.stderr, flush=True)
            report.append(load_script(name).run(args.quick))
    report.append(f"Load average at the end: {os.getloadavg()[0]:.1f}\n")
    text = "\n".join(report).rstrip() + "\n"
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"written to {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
