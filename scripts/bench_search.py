"""Search benchmark: our sharded lunr search against Material's built-in search (with jieba) and Pagefind
on the same generated archives, side by side, in headless Chromium.

For each archive size: bytes transferred from page load to the first result, time from navigation start
to the first result, median warm query latency, and the build-time cost of indexing. Medians of
repeated cold loads. ``run(quick)`` returns a Markdown section (called by scripts/bench.py); standalone:

    PYTHONPATH=site_plugins python scripts/bench_search.py [--quick] [--sizes 1000 5000] [--engines ours material]

Needs the ``bench`` extra (jieba, pagefind[extended]) and Debian's chromium.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import http.server
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "site_plugins"))

from search_eval import CHROMIUM, CHROMIUM_ARGS, chromium  # noqa: E402

QUERIES = ["碳市场", "气候变化", "CCER", "排污权", "深圳", "温室气体", "欧盟", "节能", "天然气", "碳排放", "配额", "光伏"]
COLD_RUNS = 3
# Requests off the loopback server are aborted. A regular expression is matched inside the browser driver;
# a Python predicate would pause every request for a round trip to this process, adding latency that
# grows with the number of requests (and with machine load) to whatever the engine does.
NOT_LOCAL = re.compile(r"^(?!http://127\.0\.0\.1[:/])")
from bench import MATERIAL_YML  # noqa: E402 — the same plain-Material baseline as the build benchmark

MATERIAL_NO_SEARCH_YML = MATERIAL_YML.replace("  - search\n", "  []\n").replace("plugins:\n  []", "plugins: []")

# In-page: resolve with performance.now() when the first result (title) is available.
FIRST_RESULT_JS = {
    "ours": """q => newsletterSearch.search(q, {}, {limit: 10}).then(r => { if (!r.length) throw new Error('no result'); return performance.now(); })""",
    "material": """q => new Promise((resolve, reject) => {
        const input = document.querySelector('.md-search__input');
        const list = document.querySelector('.md-search-result__list');
        const done = () => { if (list.querySelector('.md-search-result__item')) { observer.disconnect(); resolve(performance.now()); } };
        const observer = new MutationObserver(done);
        observer.observe(list, {childList: true, subtree: true});
        list.replaceChildren();
        input.focus();
        input.value = q;
        input.dispatchEvent(new Event('input', {bubbles: true}));
        input.dispatchEvent(new KeyboardEvent('keyup', {bubbles: true, key: 'a'}));
        setTimeout(() => reject(new Error('material: no result for ' + q)), 60000);
    })""",
    "pagefind": """q => window.pagefindReady.then(pf => pf.search(q)).then(r => { if (!r.results.length) throw new Error('no result'); return r.results[0].data(); }).then(() => performance.now())""",
}
PAGEFIND_HARNESS = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>pagefind</title></head><body>
<script>window.pagefindReady = import("/pagefind/pagefind.js").then(pf => pf.options({}).then(() => pf));</script>
</body></html>"""


@dataclass
class Measure:
    engine: str
    articles: int
    bytes_first: float  # median bytes before the first result
    ms_first: float  # median ms from navigation start to first result
    ms_query: float  # median warm query latency
    index_s: float  # build-time cost of indexing
    index_bytes: int  # everything the engine writes into the site


class _CountingHandler(http.server.SimpleHTTPRequestHandler):
    counter = None

    def log_message(self, *args):
        pass

    def copyfile(self, source, outputfile):
        data = source.read()
        outputfile.write(data)
        self.counter[0] += len(data)

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


@contextmanager
def counting_server(directory: Path):
    counter = [0]
    handler = type("Handler", (_CountingHandler,), {"counter": counter})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", counter
    finally:
        server.shutdown()


def generate(project: Path, articles: int) -> None:
    """The archive engineer's deterministic generator (scripts/synth.py), ~25 articles per issue."""
    import synth

    synth.generate(project, issues=max(1, articles // 25), articles_per_issue=25, seed=0)


def timed_build(project: Path) -> float:
    """CPU seconds of one ``mkdocs build`` (the machine may be shared: wall time is noisy)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=project, check=True,
                   env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def our_site(work: Path, articles: int) -> tuple[Path, float]:
    """Build our site on the generated archive; indexing cost = the search step timed inside the build."""
    project = work / "ours"
    project.mkdir()
    for name in ("mkdocs.yml", "templates", "docs"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, project / name)
    generate(project, articles)
    shutil.copy2(ROOT / "issues" / "synonyms.yml", project / "issues" / "synonyms.yml")
    timed_build(project)
    return project / "site", index_cost(project)


def index_cost(project: Path) -> float:
    """Seconds our plugin spends writing the search (tokenizing from scratch, shards, metadata, texts)."""
    from newsletter import content
    from newsletter.model import Settings
    from newsletter.search import site as search_site

    catalog, _ = content.load_catalog(project, Settings())
    search_site.documents(catalog)  # page rendering is part of the site build, not of the index
    with tempfile.TemporaryDirectory() as tmp:
        start = time.process_time()  # CPU seconds: the machine may be shared, wall time is noisy
        search_site.write(catalog, Path(tmp), cache_file=None)
        return time.process_time() - start


def material_site(work: Path, ours: Path) -> tuple[Path, float]:
    """Material with its search plugin (jieba installed) over the same article Markdown, articles not in
    the nav; indexing cost = build with search minus build without."""
    project = work / "material"
    docs = project / "docs"
    for article in sorted((ours.parent / "issues").rglob("*.md")):
        target = docs / article.relative_to(ours.parent)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(article, target)
    (docs / "index.md").write_text("# bench\n", encoding="utf-8")
    (project / "mkdocs.yml").write_text(MATERIAL_NO_SEARCH_YML, encoding="utf-8")
    without = timed_build(project)
    (project / "mkdocs.yml").write_text(MATERIAL_YML, encoding="utf-8")
    with_search = timed_build(project)
    return project / "site", max(0.0, with_search - without)


def pagefind_site(work: Path, ours: Path) -> tuple[Path, float]:
    """Pagefind (PyPI build, extended: CJK segmentation) over our built pages."""
    site = work / "pagefind-site"
    shutil.copytree(ours, site, ignore=shutil.ignore_patterns("search"))
    (site / "pf.html").write_text(PAGEFIND_HARNESS, encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site), "--output-subdir", "pagefind"],
                   check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return site, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(browser, site: Path, engine: str, page_path: str) -> tuple[float, float, float]:
    """(median bytes before first result, median ms to first result, median warm query ms)."""
    js = FIRST_RESULT_JS[engine]
    bytes_first, ms_first, warm = [], [], []
    with counting_server(site) as (base, counter):
        for run in range(COLD_RUNS):
            context = browser.new_context()
            context.route(NOT_LOCAL, lambda route: route.abort())
            page = context.new_page()
            counter[0] = 0
            page.goto(base + page_path, wait_until="domcontentloaded")
            ms_first.append(page.evaluate(js, QUERIES[run % len(QUERIES)]))
            bytes_first.append(counter[0])
            if run == 0:
                page.wait_for_load_state("networkidle")
                for query in QUERIES[1:]:
                    warm.append(page.evaluate(f"q => {{ const t0 = performance.now(); return ({js})(q).then(t => t - t0); }}", query))
            context.close()
    return statistics.median(bytes_first), statistics.median(ms_first), statistics.median(warm)


ENGINES = ("ours", "material", "pagefind")


def bench_size(browser, articles: int, engines: tuple[str, ...] = ENGINES) -> list[Measure]:
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        work = Path(tmp)
        ours, ours_index = our_site(work, articles)
        runs = [("ours", ours, "", ours_index, dir_bytes(ours / "search") + dir_bytes(ours / "assets" / "search"))]
        if "material" in engines:
            material, material_index = material_site(work, ours)
            runs.append(("material", material, "", material_index, dir_bytes(material / "search")))
        if "pagefind" in engines:
            pagefind, pagefind_index = pagefind_site(work, ours)
            runs.append(("pagefind", pagefind, "pf.html", pagefind_index, dir_bytes(pagefind / "pagefind")))
        return [Measure(engine, articles, *measure(browser, site, engine, page_path), index_s, written)
                for engine, site, page_path, index_s, written in runs]


def _mb(n: float) -> str:
    return f"{n / 1e6:.2f} MB"


def table(rows: list[Measure]) -> str:
    lines = ["| articles | engine | bytes before 1st result | to 1st result | median warm query | indexing at build (CPU) | index on disk |",
             "|---:|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r.articles} | {r.engine} | {_mb(r.bytes_first)} | {r.ms_first / 1000:.2f} s | "
                     f"{r.ms_query:.0f} ms | {r.index_s:.1f} s | {_mb(r.index_bytes)} |")
    lines += ["", "| articles | bytes ours/Material | 1st result ours/Material | warm query ours | target met |",
              "|---:|---:|---:|---:|---|"]
    by = {(r.articles, r.engine): r for r in rows}
    for articles in sorted({r.articles for r in rows}):
        if (articles, "material") not in by:
            continue  # ours alone (--engines ours): no ratios
        ours, material = by[(articles, "ours")], by[(articles, "material")]
        bytes_ratio, time_ratio = ours.bytes_first / material.bytes_first, ours.ms_first / material.ms_first
        met = bytes_ratio <= 0.5 and time_ratio <= 0.25 and ours.ms_query <= 50
        lines.append(f"| {articles} | {bytes_ratio:.3f} | {time_ratio:.3f} | {ours.ms_query:.0f} ms | "
                     f"{'yes' if met else 'no'} (≤ 0.5, ≤ 0.25, ≤ 50 ms) |")
    return "\n".join(lines)


def run(quick: bool = False, sizes: list[int] | None = None, engines: tuple[str, ...] = ENGINES) -> str:
    sizes = sizes or ([250, 1000] if quick else [1000, 5000])
    with chromium() as browser:
        rows = [m for size in sizes for m in bench_size(browser, size, engines)]
    header = (f"## Search\n\n{dt.date.today().isoformat()}, {platform.machine()} {os.cpu_count()} CPUs, "
              f"Python {platform.python_version()}, headless Chromium ({CHROMIUM}); loopback HTTP without compression, "
              f"cache off; medians of {COLD_RUNS} cold page loads and {len(QUERIES) - 1} warm queries. "
              "Material: its search plugin with jieba over the same article Markdown (indexing = build with search "
              "minus build without). Pagefind: PyPI `pagefind[extended]` over our built pages.\n")
    return header + "\n" + table(rows) + "\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sizes", type=int, nargs="*")
    parser.add_argument("--engines", nargs="*", choices=ENGINES, default=list(ENGINES),
                        help="ours is always measured; leave out material/pagefind to save time")
    args = parser.parse_args()
    print(run(args.quick, args.sizes, tuple(args.engines)))
