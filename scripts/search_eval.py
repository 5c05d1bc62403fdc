"""Recall@10 and R-precision of our search on the held-out query set (tests/fixtures/search_queries.yml),
running the real JS engine in headless Chromium over a built site.

    PYTHONPATH=site_plugins python scripts/search_eval.py            # builds the repository's site
    PYTHONPATH=site_plugins python scripts/search_eval.py --site site  # an already built site
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import subprocess
import sys
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "tests" / "fixtures" / "search_queries.yml"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-sync", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def served(directory: Path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def build_default_site(dest: Path) -> Path:
    for name in ("mkdocs.yml", "templates", "docs", "issues"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dest / name)
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=dest, check=True)
    return dest / "site"


def article_key(url: str, base: str) -> str:
    """http://…/issues/34/15-ccer/ -> 34/15-ccer"""
    return url[len(base):].strip("/").removeprefix("issues/")


def scores(ranked: list[str], relevant: list[str]) -> tuple[float, float]:
    relevant_set = set(relevant)
    recall = len(relevant_set & set(ranked[:10])) / len(relevant_set)
    r_precision = len(relevant_set & set(ranked[: len(relevant)])) / len(relevant)
    return recall, r_precision


def evaluate(site: Path) -> tuple[list[dict], float, float]:
    queries = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))["queries"]
    rows = []
    with served(site) as base, chromium() as browser:
        page = browser.new_page()
        page.goto(base, wait_until="networkidle")
        for entry in queries:
            urls = page.evaluate("q => newsletterSearch.search(q, {}, {limit: 10}).then(r => r.map(x => x.url))", entry["q"])
            ranked = [article_key(u, base) for u in urls]
            recall, r_precision = scores(ranked, [str(r) for r in entry["relevant"]])
            rows.append({"q": entry["q"], "relevant": entry["relevant"], "ranked": ranked, "recall": recall, "rprec": r_precision})
    count = len(rows)
    return rows, sum(r["recall"] for r in rows) / count, sum(r["rprec"] for r in rows) / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build the repository's content)")
    parser.add_argument("--verbose", action="store_true", help="print every query")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site or build_default_site(Path(tmp))
        rows, recall, r_precision = evaluate(site)
    if args.verbose:
        for r in rows:
            print(f"{r['q']}\trecall@10={r['recall']:.2f}\tR-prec={r['rprec']:.2f}\t{r['ranked'][:6]}")
    print(f"| queries | recall@10 | R-precision |\n|---|---|---|\n| {len(rows)} | {recall:.2f} | {r_precision:.2f} |")


if __name__ == "__main__":
    main()
