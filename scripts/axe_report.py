#!/usr/bin/env python3
"""axe-core counts per page kind, light and dark, for a built site (the figures quoted for issue 7).

Usage: .venv/bin/python scripts/axe_report.py site/ [kind=url ...]
(default kinds: home, issue, article with table, issues index, and archive/search pages when built).
Needs scripts/setup.sh --test (Chromium and node_modules/axe-core)."""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "browser")]

from axe import axe_violations  # noqa: E402
from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def default_pages(site: Path) -> dict[str, str]:
    pages = {"home": "", "issue": "issues/34/", "article-with-table": "issues/34/25/", "issues-index": "issues/",
             "sections": "sections/", "section": "sections/policy/", "tags": "tags/", "sources": "sources/",
             "months": "months/", "search": "search/?q=碳市场"}
    return {k: v for k, v in pages.items() if (site / v.split("?")[0] / "index.html").is_file()}


def main(argv: list[str]) -> int:
    site = Path(argv[0]).resolve()
    pages = dict(a.split("=", 1) for a in argv[1:]) or default_pages(site)
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    from playwright.sync_api import sync_playwright

    print(f"{'scheme':6} {'page':20} violations by impact (rules / elements)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for scheme in ("light", "dark"):
            context = browser.new_context(color_scheme=scheme)
            for kind, url in pages.items():
                page = context.new_page()
                page.goto(base + url, wait_until="networkidle")
                violations = axe_violations(page)
                rules = Counter(v["impact"] for v in violations)
                nodes = Counter()
                for v in violations:
                    nodes[v["impact"]] += len(v["nodes"])
                summary = ", ".join(f"{impact} {rules[impact]}/{nodes[impact]}" for impact in rules) or "none"
                print(f"{scheme:6} {kind:20} {summary}")
                for v in violations:
                    print(f"{'':28}{v['impact']}: {v['id']} {v['nodes'][:3]}")
                page.close()
            context.close()
        browser.close()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
