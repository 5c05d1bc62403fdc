"""Send throughput and a resumed run against a loopback SMTP server (aiosmtpd's Sink, in its own process).

    .venv/bin/python scripts/bench_send.py [--addresses 300] [--runs 3]

Prints messages per second (median of the runs) for a list with personal unsubscribe links ({token}:
every message rendered for its recipient) and without (rendered once), then a send interrupted with
Ctrl-C part-way and its rerun: how many each run sent. Builds nothing; copies the project to a temp dir.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SUMMARY = re.compile(r"(\d+) accepted now, (\d+) accepted earlier.*?\(([\d.]+) s(?:, ([\d.]+) messages/s)?")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def project(dest: Path, unsubscribe: str) -> Path:
    dest.mkdir(parents=True)
    for name in ("mkdocs.yml", "templates", "docs", "issues"):
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy2)(ROOT / name, dest / name)
    config = yaml.safe_load((dest / "mkdocs.yml").read_text(encoding="utf-8"))
    config["site_url"] = "https://example.org/"
    for entry in config["plugins"]:
        if isinstance(entry, dict) and "newsletter" in entry:
            entry["newsletter"].setdefault("email", {})["unsubscribe"] = unsubscribe
    (dest / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return dest


def subscribers(folder: Path, count: int) -> Path:
    path = folder / "subscribers.csv"
    path.write_text("email\n" + "".join(f"reader{n:05d}@example.org\n" for n in range(count)), encoding="utf-8")
    for log in folder.glob("subscribers.csv.sent-*.jsonl"):
        log.unlink()
    return path


def command(folder: Path, to: Path) -> list[str]:
    return [sys.executable, "-m", "newsletter.cli", "-f", str(folder / "mkdocs.yml"), "send", "34", "--to", str(to)]


def summary(output: str) -> tuple[int, int, float, float]:
    match = SUMMARY.search(output)
    if not match:
        raise SystemExit(f"no summary in:\n{output}")
    return int(match[1]), int(match[2]), float(match[3]), float(match[4] or 0)


def baseline(port: int, folder: Path, env: dict[str, str], count: int) -> float:
    """The same server fed by a bare smtplib loop with one prepared message: what the server and the
    loopback allow, without composing, rendering or logging."""
    out = folder / "baseline"
    subprocess.run([sys.executable, "-m", "newsletter.cli", "-f", str(folder / "mkdocs.yml"), "email", "34",
                    "--out", str(out)], env=env, check=True, capture_output=True)
    data = (out / "newsletter-034.eml").read_bytes()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        started = time.monotonic()
        for n in range(count):
            smtp.sendmail("newsletter@example.org", [f"reader{n:05d}@example.org"], data)
        return count / (time.monotonic() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--addresses", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
                               "-l", f"127.0.0.1:{port}"])
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSLETTER_")} | {
        "NEWSLETTER_SMTP_HOST": "127.0.0.1", "NEWSLETTER_SMTP_PORT": str(port), "NEWSLETTER_SMTP_TLS": "none",
        "NEWSLETTER_SECRET": "bench", "NEWSLETTER_PDF": "0", "NO_MKDOCS_2_WARNING": "1"}
    for _ in range(100):  # until the server listens
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            cases = {"personal link ({token})": "https://example.org/u?email={email}&token={token}",
                     "same link for all": "mailto:leave@example.org"}
            for (label, pattern), n in zip(cases.items(), range(len(cases))):
                folder = project(Path(tmp) / f"p{n}", pattern)
                rates = []
                for _ in range(args.runs):
                    out = subprocess.run(command(folder, subscribers(folder, args.addresses)), env=env,
                                         capture_output=True, text=True).stdout
                    rates.append(summary(out)[3])
                print(f"{label}: {args.addresses} messages, median {statistics.median(rates):.1f} messages/s "
                      f"(runs: {', '.join(f'{r:.1f}' for r in rates)})")
            folder = Path(tmp) / "p0"
            rates = [baseline(port, folder, env, args.addresses) for _ in range(args.runs)]
            print(f"baseline, smtplib alone sending one prepared .eml: median {statistics.median(rates):.1f} "
                  f"messages/s (runs: {', '.join(f'{r:.1f}' for r in rates)})")
            to = subscribers(folder, args.addresses)
            process = subprocess.Popen(command(folder, to), env=env, stdout=subprocess.PIPE, text=True)
            log = to.with_name(to.name + ".sent-034.jsonl")
            while not log.exists() or log.read_text().count("\n") < args.addresses // 3:
                time.sleep(0.05)
            process.send_signal(signal.SIGINT)
            first = summary(process.communicate()[0])
            second = summary(subprocess.run(command(folder, to), env=env, capture_output=True, text=True).stdout)
            lines = log.read_text().splitlines()
            emails = [line.split('"')[3] for line in lines]
            print(f"resumed: Ctrl-C after a third: first run {first[0]} accepted (exit 1); rerun {second[0]} accepted, "
                  f"{second[1]} accepted earlier; log {len(lines)} lines, {len(set(emails))} distinct addresses")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
