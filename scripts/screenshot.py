"""Screenshots of built pages in Debian's headless Chromium, for looking at what readers see.

    python scripts/screenshot.py site issues/34/ issues/34/01-x/ --width 390 --out /tmp/shots [--dark]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-sync", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("site")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--out", default="/tmp/shots")
    parser.add_argument("--dark", action="store_true")
    parser.add_argument("--full", action="store_true", help="whole page, not just the viewport")
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=args.site))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": args.width, "height": args.height},
                                      color_scheme="dark" if args.dark else "light")
        context.route(lambda u: not u.startswith(base), lambda route: route.abort())
        page = context.new_page()
        for path in args.paths:
            page.goto(base + path, wait_until="networkidle")
            name = (path.strip("/").replace("/", "_") or "home") + f"_{args.width}{'_dark' if args.dark else ''}.png"
            page.screenshot(path=str(out / name), full_page=args.full)
            print(out / name)
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
