#!/usr/bin/env python3
"""Preview benchmark (issue 11): how long from saving an article to the served page showing it.

    .venv/bin/python scripts/bench_preview.py [--quick] [--sizes 1000 5000] [--edits 5]

For each size, the generated archive of scripts/bench.py is served twice, side by side in one run:
* ours:     `newsletter serve` (the real preview, PDFs on), and
* Material: plain Material for MkDocs, `mkdocs serve --dirty` over the same Markdown.
After the first build (and, for ours, once every issue's PDF is there), the same article gets body
edits (a sentence with a new word appended) and title edits, alternately; each is timed from the
write to the first response of the article's URL that contains the new text (polled every 20 ms; the
server holds requests while it rebuilds). Medians are reported. Then headless Chromium asks ours
`window.newsletterSearch.search(new word)` and checks the edited title is among the results.
bench.py runs this as part of `make bench` (``run(quick) -> str``).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import bench  # noqa: E402  (same folder: the archive generation and the Material project)

CHROMIUM = "/usr/bin/chromium"
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 600) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.read().decode("utf-8", errors="replace")
    except (urllib.error.URLError, OSError):
        return None


def _wait(condition, what: str, seconds: float = 3600, pause: float = 0.02):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(pause)
    raise SystemExit(f"bench_preview: gave up waiting for {what}")


class Server:
    def __init__(self, command: list[str], cwd: Path, log: Path, env: dict[str, str]):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        self.log = log
        with open(log, "w") as out:
            self.process = subprocess.Popen([*command, f"127.0.0.1:{self.port}"], cwd=cwd, stdout=out,
                                            stderr=subprocess.STDOUT, env=env)

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _article(project: Path, docs: str) -> Path:
    articles = sorted((project / docs).glob("issues/*/*.md"))
    return articles[len(articles) // 2]


def _url(base: str, article: Path, folder: str) -> str:
    """Ours: issues/<number>/<slug>/; Material: the Markdown's own path (issues/<NNN>/<file>/)."""
    return f"{base}issues/{folder}/{article.stem.lower()}/"


def _edit(article: Path, kind: str, n: int) -> str:
    """Apply one edit; returns the text the served page must then show."""
    text = article.read_text(encoding="utf-8")
    if kind == "body":
        marker = f"预览测速第{n}句鹈鹕{n}号"
        article.write_text(text + f"\n{marker}。\n", encoding="utf-8")
    else:
        marker = f"［合成］预览测速标题{n}号"
        article.write_text(re.sub(r'^title: .*$', f'title: "{marker}"', text, count=1, flags=re.M), encoding="utf-8")
    return marker


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children so far (the server may be a child of a
    wrapper): a measure of the work a save costs that the machine's load does not inflate much."""
    total = 0.0
    for each in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _children(pid: int) -> list[int]:
    try:
        found = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return found + [g for c in found for g in _children(c)]


def _time_edits(article: Path, url: str, edits: int, settle, pid: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"body": [], "title": [], "cpu": []}
    for n in range(edits):
        for kind in ("body", "title"):
            settle()
            marker = _edit(article, kind, n)
            start, cpu = time.perf_counter(), _cpu_seconds(pid)
            _wait(lambda: marker in (_get(url) or ""), f"{kind} edit {n} at {url}")
            times[kind].append(time.perf_counter() - start)
            times["cpu"].append(_cpu_seconds(pid) - cpu)
    return times


def _pdfs_ready(project: Path, base: str) -> bool:
    for folder in sorted((project / "issues").glob("[0-9]*")):
        number = int(folder.name)
        try:
            request = urllib.request.Request(f"{base}issues/{number}/newsletter-{number:03d}.pdf", method="HEAD")
            with urllib.request.urlopen(request, timeout=600):
                pass
        except (urllib.error.URLError, OSError):
            return False
    return True


def _search_finds(base: str, word: str, title: str) -> bool:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-quic"])
        try:
            page = browser.new_page()
            page.goto(base)
            titles = page.evaluate("q => window.newsletterSearch.search(q).then(r => r.map(x => x.title))", word)
            return title in titles
        finally:
            browser.close()


def bench_size(size: int, edits: int) -> dict:
    projects = bench.prepare(size)
    ours, material = projects["ours"], projects["material"]
    work = bench.WORK / str(size)
    result = {"count": projects["count"]}

    with Server([sys.executable, "-m", "newsletter.cli", "serve", "--addr"], ours, work / "serve-ours.log",
                {**ENV, "NEWSLETTER_PDF": "1"}) as server:
        article = _article(ours, ".")
        url = _url(server.base, article, str(int(article.parent.name)))
        start = time.perf_counter()
        _wait(lambda: _get(url), "our first build", pause=0.5)
        result["ours_first"] = time.perf_counter() - start
        _wait(lambda: _pdfs_ready(ours, server.base), "our PDFs", pause=2)
        result["ours_pdfs"] = time.perf_counter() - start
        result["ours"] = _time_edits(article, url, edits, lambda: time.sleep(1.0), server.process.pid)
        word = f"鹈鹕{edits - 1}号"
        result["search"] = _search_finds(server.base, word, f"［合成］预览测速标题{edits - 1}号")

    with Server([sys.executable, "-m", "mkdocs", "serve", "--dirty", "-a"], material,
                work / "serve-material.log", ENV) as server:
        article = _article(material, "docs")
        url = _url(server.base, article, article.parent.name)
        start = time.perf_counter()
        _wait(lambda: _get(url), "Material's first build", pause=0.5)
        result["material_first"] = time.perf_counter() - start
        result["material"] = _time_edits(article, url, edits, lambda: time.sleep(1.0), server.process.pid)
    return result


def report(results: dict[int, dict], edits: int) -> str:
    lines = ["## Live preview: save to visible (issue 11)\n",
             f"Command: `scripts/bench_preview.py` — {edits} body and {edits} title edits of one article per size, "
             "alternating, each timed from the write to the first served response of the article that shows it "
             "(polled every 20 ms); medians. Ours: `newsletter serve` with PDFs on (edits start once every issue's "
             "PDF is served); Material: `mkdocs serve --dirty` over the same Markdown, in the same run. The "
             "machine is shared: compare the two columns, not runs.\n",
             "| articles | ours: body edit (s) | ours: title edit (s) | Material `serve --dirty`: body (s) | "
             "Material: title (s) | ours / Material | CPU per save: ours / Material (s) | search finds the edit | "
             "first build: ours / Material (s) |",
             "|---:|---:|---:|---:|---:|---:|---:|---|---:|"]
    for size, r in results.items():
        ours = {k: statistics.median(v) for k, v in r["ours"].items()}
        theirs = {k: statistics.median(v) for k, v in r["material"].items()}
        both = statistics.median(r["ours"]["body"] + r["ours"]["title"])
        base = statistics.median(r["material"]["body"] + r["material"]["title"])
        lines.append(f"| {r['count']:,} | {ours['body']:.2f} | {ours['title']:.2f} | {theirs['body']:.2f} | "
                     f"{theirs['title']:.2f} | {both / base:.2f}× | {ours['cpu']:.2f} / {theirs['cpu']:.2f} | "
                     f"{'yes' if r['search'] else 'NO'} | "
                     f"{r['ours_first']:.1f} / {r['material_first']:.1f} |")
    lines.append("")
    for size, r in results.items():
        target = 1.0 if r["count"] <= 1000 else 2.0
        worst = max(statistics.median(r["ours"]["body"]), statistics.median(r["ours"]["title"]))
        lines.append(f"- {r['count']:,} articles: save to visible {worst:.2f} s (target ≤ {target:.1f} s); "
                     f"all edits: {', '.join(f'{t:.2f}' for t in r['ours']['body'] + r['ours']['title'])} s")
    return "\n".join(lines) + "\n"


def run(quick: bool, sizes: list[int] | None = None, edits: int | None = None) -> str:
    sizes = sizes or ([100, 500] if quick else [1000, 5000])
    edits = edits or (2 if quick else 5)
    results = {}
    started, load = time.strftime("%Y-%m-%d %H:%M", time.gmtime()), [os.getloadavg()[0]]
    for size in sizes:
        print(f"  preview, {size} articles …", file=sys.stderr, flush=True)
        results[size] = bench_size(size, edits)
        load.append(os.getloadavg()[0])
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return (f"{started}–{time.strftime('%H:%M', time.gmtime())} UTC at commit {commit or '?'}; load average (1 min) "
            f"at the start and after each size: {', '.join(f'{x:.1f}' for x in load)} (2 cores, shared)\n\n"
            + report(results, edits))


def main() -> int:
    parser = argparse.ArgumentParser(description="preview benchmark: save to visible, ours vs Material serve --dirty")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sizes", type=int, nargs="+")
    parser.add_argument("--edits", type=int)
    args = parser.parse_args()
    print(run(args.quick, args.sizes, args.edits))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
