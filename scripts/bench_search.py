"""Search benchmark: our search against Pagefind and Material's built-in search (with jieba) on the same
generated archives, side by side, in headless Chromium, every engine measured the same way.

For each archive size and engine:

* **to 1st result** — a cold load (fresh browser context, HTTP cache off) of the engine's search page,
  the query typed (or given in the URL), until the first result is drawn in the page (an element of the
  engine's own result list: ours `.nl-search-hit`, Pagefind UI `.pagefind-ui__result-link`, Material
  `.md-search-result__item`), measured from navigation start. Median of ``COLD_RUNS`` loads, engines
  interleaved load by load.
* **bytes before 1st result** — everything the loopback server sent (page, styles, scripts, index
  files) that had finished before that moment, by the server's clock (workers' fetches included);
  also the engine's own search files alone.
* **warm query** — on a page that already answered a query, a new query typed until its first result is
  drawn: median over the other queries, engines interleaved query by query. After each query its page is
  left to finish what it still fetches (until ``SETTLE_S`` pass without a request of that page in flight),
  so that no engine is timed while the other's page is still loading the rest of its results. For ours also the engine
  alone: ``newsletterSearch.search(q, {}, {limit: 20, facets: false})`` on a fresh page that answered the
  first query, each other query in turn until its Promise resolves (nothing drawn).
* **indexing** — CPU seconds of the same site build with the engine's search minus without it (ours: the
  plugin with its index writer replaced by a no-op; Material: its search plugin removed; Pagefind: its
  CLI run over our built pages, a build of its own).
* **index on disk** — bytes and files the engine writes into the site.

    PYTHONPATH=site_plugins python scripts/bench_search.py [--quick] [--sizes 5000 20000]
        [--engines ours pagefind material] [--work DIR] [--index-only BUILT_SITE]

``--work DIR`` keeps the generated archives and built sites there and reuses them on the next run (the
indexing figures are stored beside them). ``run(quick)`` returns a Markdown section (scripts/bench.py).
Needs the ``bench`` extra (jieba, pagefind[extended]) and Debian's chromium.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import http.server
import json
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
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "site_plugins"))

from search_eval import CHROMIUM, chromium  # noqa: E402
from bench import MATERIAL_YML  # noqa: E402 — the same plain-Material baseline as the build benchmark

QUERIES = ["碳市场", "气候变化", "CCER", "排污权", "深圳", "温室气体", "欧盟", "节能", "天然气", "碳排放", "配额", "光伏"]
COLD_RUNS = 10
SETTLE_S = 0.25  # a warm page is settled when none of its requests has been in flight for this long
ENGINES = ("ours", "pagefind", "material")
# Requests off the loopback server are aborted (a regular expression, matched inside the browser driver).
NOT_LOCAL = re.compile(r"^(?!http://127\.0\.0\.1[:/])")
MATERIAL_NO_SEARCH_YML = MATERIAL_YML.replace("plugins:\n  - search\n", "plugins: []\n")
BUILD_ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NEWSLETTER_PDF": "0"}
# Our build without its search index: the plugin's index writer replaced by a no-op.
NO_SEARCH_BUILD = """
import sys
from newsletter.search import index, site
site.write = lambda *a, **k: index.BuildStats(0, 0, 0, 0, 0, 0, 0)
from mkdocs.__main__ import cli
sys.argv = ["mkdocs", "build", "-q"]
cli()
"""
PAGEFIND_UI = """<link href="/pagefind/pagefind-ui.css" rel="stylesheet"><script src="/pagefind/pagefind-ui.js"></script>
<div id="pagefind-search"></div><script>
new PagefindUI({element: "#pagefind-search", showSubResults: false, showImages: false, debounceTimeoutMs: 0});
</script>"""


def pagefind_page(search_page: str) -> str:
    """Our search page (the same Material page, header, styles and scripts) with Pagefind's default UI
    in place of our engine: both engines are measured inside the same page."""
    page = re.sub(r'<script src="[^"]*assets/search/[^"]*"></script>', "", search_page)
    return page.replace("</body>", PAGEFIND_UI + "</body>")


def write_pagefind_page(ours: Path, site: Path) -> None:
    (site / "pf").mkdir(parents=True, exist_ok=True)
    (site / "pf" / "index.html").write_text(pagefind_page((ours / "search" / "index.html").read_text(encoding="utf-8")),
                                            encoding="utf-8")


# Per engine: the cold page (given the query), the selector of a drawn result, and in-page JS that types a
# query and resolves, once its first result is drawn, with the milliseconds that took.
FIRST = {"ours": ".nl-search-hit", "pagefind": ".pagefind-ui__result-link", "material": ".md-search-result__item"}
TYPE_QUERY = {
    "ours": """q => new Promise((resolve, reject) => {
        const t0 = performance.now(), status = document.querySelector('.nl-search-status');
        const input = document.querySelector('#nl-search-q');
        const done = () => {
          if (status.textContent.includes('“' + q + '”') && document.querySelector('.nl-search-hit')) {
            observer.disconnect(); resolve(performance.now() - t0); }
        };
        const observer = new MutationObserver(done);
        observer.observe(document.body, {childList: true, subtree: true, characterData: true});
        input.value = q;
        input.form.requestSubmit();
        setTimeout(() => reject(new Error('ours: no result for ' + q)), 120000);
    })""",
    "pagefind": """q => new Promise((resolve, reject) => {
        const input = document.querySelector('.pagefind-ui__search-input');
        const drawn = () => document.querySelector('.pagefind-ui__result-link');
        const message = () => (document.querySelector('.pagefind-ui__message') || {}).textContent || '';
        const type = value => { input.value = value; input.dispatchEvent(new Event('input', {bubbles: true})); };
        let t0 = null;
        const done = () => {
          if (t0 === null) {
            if (drawn()) return;
            t0 = performance.now(); type(q); return;
          }
          if (drawn() && message().includes(q)) { observer.disconnect(); resolve(performance.now() - t0); }
        };
        const observer = new MutationObserver(done);
        observer.observe(document.body, {childList: true, subtree: true, characterData: true});
        if (drawn()) type(''); else done();
        setTimeout(() => reject(new Error('pagefind: no result for ' + q)), 120000);
    })""",
    "material": """q => new Promise((resolve, reject) => {
        const input = document.querySelector('.md-search__input');
        const list = document.querySelector('.md-search-result__list');
        const t0 = performance.now();
        const done = () => { if (list.querySelector('.md-search-result__item')) { observer.disconnect(); resolve(performance.now() - t0); } };
        const observer = new MutationObserver(done);
        observer.observe(list, {childList: true, subtree: true});
        list.replaceChildren();
        input.focus();
        input.value = q;
        input.dispatchEvent(new Event('input', {bubbles: true}));
        input.dispatchEvent(new KeyboardEvent('keyup', {bubbles: true, key: 'a'}));
        setTimeout(() => reject(new Error('material: no result for ' + q)), 300000);
    })""",
}
# Ours without the page: each query until the engine's Promise resolves, one after the other.
ENGINE_ALONE = """async queries => { const times = [];
  for (const q of queries) { const t0 = performance.now(); await newsletterSearch.search(q, {}, {limit: 20, facets: false});
    times.push(performance.now() - t0); }
  return times; }"""
# Installed before any page script: the epoch time at which the first result was drawn.
WATCH_FIRST = """selector => {
    window.__firstDrawn = null;
    new MutationObserver((_, observer) => {
      if (document.querySelector(selector)) { window.__firstDrawn = performance.timeOrigin + performance.now(); observer.disconnect(); }
    }).observe(document, {childList: true, subtree: true});
}"""


class Settled:
    """Waits until a page has had no request in flight for SETTLE_S seconds (at most `most` seconds)."""

    def __init__(self, page):
        self.page, self.in_flight, self.last = page, 0, time.monotonic()
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    def _started(self, _request) -> None:
        self.in_flight += 1
        self.last = time.monotonic()

    def _ended(self, _request) -> None:
        self.in_flight -= 1
        self.last = time.monotonic()

    def wait(self, most: float = 30.0) -> None:
        deadline = time.monotonic() + most
        while time.monotonic() < deadline and (self.in_flight > 0 or time.monotonic() - self.last < SETTLE_S):
            self.page.wait_for_timeout(50)


@dataclass
class Built:
    engine: str
    site: Path
    index_dir: list[Path]  # what the engine writes into the site
    index_s: float


@dataclass
class Measure:
    engine: str
    articles: int
    bytes_first: float  # median bytes before the first result (everything)
    search_bytes_first: float  # of which the engine's own search files
    ms_first: float  # median ms from navigation start to the first result drawn
    ms_query: float  # median warm query, typed to first result drawn
    index_s: float  # CPU seconds of indexing at build
    index_bytes: int
    index_files: int
    ms_engine: float | None = None  # ours: median warm query of the engine alone (no drawing)


class _LoggingHandler(http.server.SimpleHTTPRequestHandler):
    log = None  # [(epoch seconds when sent, bytes, path)]
    # As static hosts serve (nginx: keepalive, tcp_nodelay): connections kept open between requests, and
    # each answer sent at once (HTTP/1.0, the default here, opened a new connection and server thread for
    # every file; keep-alive without TCP_NODELAY would hold a response's body back for the client's ACK).
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def copyfile(self, source, outputfile):
        data = source.read()
        outputfile.write(data)
        outputfile.flush()
        self.log.append((time.time(), len(data), self.path))

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


@contextmanager
def logging_server(directory: Path):
    log: list = []
    handler = type("Handler", (_LoggingHandler,), {"log": log})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", log
    finally:
        server.shutdown()


def cpu_of(args: list[str], cwd: Path | None = None) -> float:
    """CPU seconds of one child process (the machine may be shared: wall time is noisy)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(args, cwd=cwd, check=True, env=BUILD_ENV, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def generate(project: Path, articles: int) -> None:
    """The archive engineer's deterministic generator (scripts/synth.py), 25 articles per issue."""
    import synth

    synth.generate(project, issues=max(1, articles // 25), articles_per_issue=25, seed=0)


def _remembered(work: Path, name: str, compute) -> float:
    """A figure stored beside the built sites, so that --work reuses it."""
    record = work / "figures.json"
    figures = json.loads(record.read_text()) if record.is_file() else {}
    if name not in figures:
        figures[name] = compute()
        record.write_text(json.dumps(figures))
    return figures[name]


def build_ours(work: Path, articles: int) -> Built:
    project = work / "ours"
    if not (project / "site" / "search" / "data" / "head.json.gz").is_file():
        shutil.rmtree(project, ignore_errors=True)
        project.mkdir(parents=True)
        for name in ("mkdocs.yml", "templates", "docs"):
            src = ROOT / name
            (shutil.copytree if src.is_dir() else shutil.copy2)(src, project / name)
        generate(project, articles)
        shutil.copy2(ROOT / "issues" / "synonyms.yml", project / "issues" / "synonyms.yml")

    def cost() -> float:
        shutil.rmtree(project / ".cache", ignore_errors=True)
        without = cpu_of([sys.executable, "-c", NO_SEARCH_BUILD], cwd=project)
        shutil.rmtree(project / ".cache", ignore_errors=True)
        return cpu_of([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=project) - without

    index_s = _remembered(work, "ours", cost)
    site = project / "site"
    from newsletter.search import site as search_site

    search_site.copy_assets(site)  # the engine as it is now, also on a reused site
    return Built("ours", site, [site / "search" / "data", site / "assets" / "search"], index_s)


def build_pagefind(work: Path, ours: Path) -> Built:
    site = work / "pagefind-site"

    def cost() -> float:
        shutil.rmtree(site, ignore_errors=True)
        shutil.copytree(ours, site, ignore=shutil.ignore_patterns("data"))
        return cpu_of([sys.executable, "-m", "pagefind", "--site", str(site), "--output-subdir", "pagefind"])

    index_s = _remembered(work, "pagefind", cost)
    write_pagefind_page(ours, site)
    return Built("pagefind", site, [site / "pagefind"], index_s)


def build_material(work: Path, ours_project: Path) -> Built:
    """Material with its search plugin (jieba installed) over the same article Markdown, articles not in
    the nav."""
    project = work / "material"

    def cost() -> float:
        shutil.rmtree(project, ignore_errors=True)
        docs = project / "docs"
        for article in sorted((ours_project / "issues").rglob("*.md")):
            target = docs / article.relative_to(ours_project)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(article, target)
        (docs / "index.md").write_text("# bench\n", encoding="utf-8")
        (project / "mkdocs.yml").write_text(MATERIAL_NO_SEARCH_YML, encoding="utf-8")
        without = cpu_of([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=project)
        (project / "mkdocs.yml").write_text(MATERIAL_YML, encoding="utf-8")
        return cpu_of([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=project) - without

    index_s = _remembered(work, "material", cost)
    return Built("material", project / "site", [project / "site" / "search"], index_s)


ARTICLE_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title></head>
<body><main><h1>{title}</h1>{paragraphs}</main></body></html>"""


def build_index_only(work: Path, articles: int, template: Path) -> tuple[Built, Built]:
    """For archives too large to build whole on a shared machine: our index written by the plugin's own
    ``search.site`` code into a copy of a built site (its search page, theme and assets; only the index
    differs with the archive), and Pagefind over one minimal page per article (title and text, what our
    index holds too). Indexing = CPU seconds of our index writer (token cache cold) and of Pagefind's CLI."""
    from html import escape

    from newsletter import content
    from newsletter.model import Settings
    from newsletter.search import site as search_site

    project, ours, pf = work / "project", work / "ours-site", work / "pagefind-site"
    if not (project / "issues").is_dir():
        generate(project, articles)
        shutil.copy2(ROOT / "issues" / "synonyms.yml", project / "issues" / "synonyms.yml")

    def ours_cost() -> float:
        shutil.rmtree(ours, ignore_errors=True)
        shutil.rmtree(pf, ignore_errors=True)
        shutil.copytree(template, ours, ignore=shutil.ignore_patterns("data", "issues", "sections", "tags", "sources",
                                                                          "months", "*.xml", "*.pdf"))
        catalog, _ = content.load_catalog(project, Settings())
        docs = []
        for doc in search_site.documents(catalog):  # rendered once, for both engines
            page = pf / doc.url / "index.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            paragraphs = "".join(f"<p>{escape(line)}</p>" for line in doc.text.splitlines())
            page.write_text(ARTICLE_PAGE.format(title=escape(doc.title), paragraphs=paragraphs), encoding="utf-8")
            docs.append(doc)
        head = {"synonyms": [list(g) for g in catalog.synonyms],
                "sections": [[x.key, x.title] for x in sorted(catalog.settings.sections, key=lambda x: x.order)]}
        start = time.process_time()
        from newsletter.search import index
        index.build(docs, ours / search_site.DATA_DIR, cache_file=None, **head)
        return time.process_time() - start

    def pagefind_cost() -> float:
        return cpu_of([sys.executable, "-m", "pagefind", "--site", str(pf), "--output-subdir", "pagefind"])

    ours_s = _remembered(work, "ours", ours_cost)
    pagefind_s = _remembered(work, "pagefind", pagefind_cost)
    search_site.copy_assets(ours)  # the engine as it is now, also on a reused site
    if not (pf / "assets").is_dir():
        shutil.copytree(template / "assets", pf / "assets", ignore=shutil.ignore_patterns("search"))
    write_pagefind_page(ours, pf)
    return (Built("ours", ours, [ours / "search" / "data", ours / "assets" / "search"], ours_s),
            Built("pagefind", pf, [pf / "pagefind"], pagefind_s))


def cold_path(engine: str, query: str) -> str:
    return {"ours": "search/?q=" + quote(query), "pagefind": "pf/", "material": ""}[engine]


def is_search_file(engine: str, path: str) -> bool:
    return path.startswith({"ours": ("/search/data/", "/assets/search/"), "pagefind": ("/pagefind/",),
                            "material": ("/search/", "/assets/javascripts/workers/")}[engine])


def cold(browser, engine: str, base: str, log: list, query: str) -> tuple[float, float, float]:
    """(ms from navigation start to the first result drawn, bytes sent before it, of which search files)."""
    context = browser.new_context()
    context.route(NOT_LOCAL, lambda route: route.abort())
    context.add_init_script(f"({WATCH_FIRST})({json.dumps(FIRST[engine])})")
    page = context.new_page()
    log.clear()
    page.goto(base + cold_path(engine, query), wait_until="domcontentloaded")
    if engine != "ours":
        page.evaluate(TYPE_QUERY[engine], query)
    page.wait_for_function("window.__firstDrawn !== null", timeout=600_000)
    drawn_epoch, origin = page.evaluate("[window.__firstDrawn, performance.timeOrigin]")
    context.close()
    sent = [(b, p) for t, b, p in list(log) if t * 1000 <= drawn_epoch]
    return (drawn_epoch - origin, sum(b for b, _ in sent), sum(b for b, p in sent if is_search_file(engine, p)))


def bench_size(browser, articles: int, engines: tuple[str, ...], work: Path, template: Path | None = None) -> list[Measure]:
    if template is not None:
        built = dict(zip(("ours", "pagefind"), build_index_only(work, articles, template)))
    else:
        ours = build_ours(work, articles)
        built = {"ours": ours}
        if "pagefind" in engines:
            built["pagefind"] = build_pagefind(work, ours.site)
        if "material" in engines:
            built["material"] = build_material(work, ours.site.parent)
    order = [e for e in ENGINES if e in built]
    with contextmanager_all([logging_server(built[e].site) for e in order]) as servers:
        served = dict(zip(order, servers))
        firsts: dict[str, list] = {e: [] for e in order}
        for run in range(COLD_RUNS):  # interleaved: one cold load of each engine, then the next query
            for engine in order:
                base, log = served[engine]
                firsts[engine].append(cold(browser, engine, base, log, QUERIES[run % len(QUERIES)]))
        pages = {}
        for engine in order:  # one warm page per engine, each having answered the first query
            base, _ = served[engine]
            context = browser.new_context()
            context.route(NOT_LOCAL, lambda route: route.abort())
            page = context.new_page()
            settled = Settled(page)
            page.goto(base + cold_path(engine, QUERIES[0]), wait_until="networkidle")
            if engine == "ours":
                page.wait_for_selector(FIRST["ours"], timeout=600_000)
            else:
                page.evaluate(TYPE_QUERY[engine], QUERIES[0])
            pages[engine] = (context, page, settled)
        warm: dict[str, list] = {e: [] for e in order}
        for query in QUERIES[1:]:  # interleaved query by query
            for engine in order:
                _, page, settled = pages[engine]
                settled.wait()
                warm[engine].append(page.evaluate(TYPE_QUERY[engine], query))
                settled.wait()
        for context, _, _ in pages.values():
            context.close()
        engine_alone = None
        if "ours" in served:
            context = browser.new_context()
            context.route(NOT_LOCAL, lambda route: route.abort())
            page = context.new_page()
            page.goto(served["ours"][0] + cold_path("ours", QUERIES[0]), wait_until="networkidle")
            page.wait_for_selector(FIRST["ours"], timeout=600_000)
            engine_alone = statistics.median(page.evaluate(ENGINE_ALONE, QUERIES[1:]))
            context.close()
    rows = []
    for engine in order:
        b = built[engine]
        files = [p for d in b.index_dir for p in d.rglob("*") if p.is_file()]
        rows.append(Measure(engine, articles, statistics.median(f[1] for f in firsts[engine]),
                            statistics.median(f[2] for f in firsts[engine]), statistics.median(f[0] for f in firsts[engine]),
                            statistics.median(warm[engine]), b.index_s, sum(p.stat().st_size for p in files), len(files),
                            engine_alone if engine == "ours" else None))
    return rows


@contextmanager
def contextmanager_all(managers):
    entered = []
    try:
        for manager in managers:
            entered.append(manager.__enter__())
        yield entered
    finally:
        for manager in reversed(managers[: len(entered)]):
            manager.__exit__(None, None, None)


def _mb(n: float) -> str:
    return f"{n / 1e6:.2f} MB"


def table(rows: list[Measure]) -> str:
    lines = ["| articles | engine | bytes before 1st result (search files) | to 1st result drawn | median warm query "
             "(engine alone) | indexing at build (CPU) | index on disk | files |",
             "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        alone = f" ({r.ms_engine:.0f} ms)" if r.ms_engine is not None else ""
        lines.append(f"| {r.articles} | {r.engine} | {_mb(r.bytes_first)} ({_mb(r.search_bytes_first)}) | "
                     f"{r.ms_first / 1000:.2f} s | {r.ms_query:.0f} ms{alone} | {r.index_s:.1f} s | {_mb(r.index_bytes)} | "
                     f"{r.index_files} |")
    by = {(r.articles, r.engine): r for r in rows}
    ratios = []
    for articles in sorted({r.articles for r in rows}):
        ours = by[(articles, "ours")]
        for other in ("pagefind", "material"):
            if (articles, other) in by:
                o = by[(articles, other)]
                ratios.append(f"| {articles} | {other} | {ours.bytes_first / o.bytes_first:.2f} | "
                              f"{ours.search_bytes_first / o.search_bytes_first:.2f} | {ours.ms_first / o.ms_first:.2f} | "
                              f"{ours.ms_query / o.ms_query:.2f} | {ours.index_bytes / o.index_bytes:.2f} |")
    if ratios:
        lines += ["", "| articles | ours ÷ | bytes before 1st result | search files before 1st result | to 1st result "
                  "| warm query | index on disk |", "|---:|---|---:|---:|---:|---:|---:|", *ratios]
    return "\n".join(lines)


def run(quick: bool = False, sizes: list[int] | None = None, engines: tuple[str, ...] = ENGINES,
        work: Path | None = None, template: Path | None = None) -> str:
    sizes = sizes or ([250, 1000] if quick else [1000, 5000])
    rows = []
    with chromium() as browser, tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        for size in sizes:
            size_work = (work or Path(tmp)) / str(size)
            size_work.mkdir(parents=True, exist_ok=True)
            rows += bench_size(browser, size, engines, size_work, template)
    header = (f"## Search\n\n{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.machine()} "
              f"{os.cpu_count()} CPUs, Python {platform.python_version()}, headless Chromium ({CHROMIUM}); loopback "
              f"HTTP without compression, cache off; medians of {COLD_RUNS} cold loads and {len(QUERIES) - 1} warm "
              "queries, engines interleaved; every time is until the first result is drawn in the engine's own "
              "result list. Pagefind: PyPI `pagefind[extended]`, its default UI in our search page in place of ours. "
              "Material: its search plugin with jieba over the same article Markdown.\n")
    return header + "\n" + table(rows) + "\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sizes", type=int, nargs="*")
    parser.add_argument("--engines", nargs="*", choices=ENGINES, default=list(ENGINES),
                        help="ours is always measured; leave out material/pagefind to save time")
    parser.add_argument("--work", type=Path, help="keep and reuse archives and built sites here")
    parser.add_argument("--index-only", type=Path, metavar="BUILT_SITE",
                        help="ours and Pagefind only, without building the whole site: our index goes into a copy "
                             "of BUILT_SITE, Pagefind indexes one minimal page per article (see build_index_only)")
    args = parser.parse_args()
    print(run(args.quick, args.sizes, tuple(args.engines), args.work, args.index_only))
