"""Shared test helpers: throw-away projects built from the real mkdocs.yml and templates,
real MkDocs builds, a static HTTP server and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import faulthandler
import functools
import http.server
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-sync", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

# ---------------------------------------------------------------- no skipped tests

_NOT_RUN: list[str] = []  # tests that skipped (or xfailed): each one is a test that could not fail
_STDERR_FD: int | None = None  # the terminal's stderr, for tracebacks written while output is captured


def pytest_configure(config):
    global _STDERR_FD
    _STDERR_FD = os.dup(sys.stderr.fileno())  # output capture is suspended while plugins configure


def pytest_runtest_logreport(report):
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else getattr(report, "wasxfail", "")
        _NOT_RUN.append(f"{report.nodeid}: {reason}")


def pytest_sessionfinish(session, exitstatus):
    """A skipped test is a failed run: a missing page, browser or system capability must fail, not hide."""
    if _NOT_RUN and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    if _NOT_RUN:
        terminalreporter.section("skipped tests fail the run", sep="=", red=True, bold=True)
        for line in _NOT_RUN:
            terminalreporter.line(line, red=True)
        terminalreporter.line(f"{len(_NOT_RUN)} test(s) skipped or xfailed; the suite passes only with 0 skipped.", red=True)


class Hang(BaseException):
    """Raised by hard_timeout. A BaseException, so no ``except Exception`` in the product swallows it."""


@contextlib.contextmanager
def hard_timeout(seconds: float, what: str):
    """Fail when the block is still running after ``seconds``: a guard against hangs, not a speed figure
    (give it ten times what the work needs on a busy machine). A hang the interpreter cannot interrupt
    (inside C code) ends the whole test process after twice as long, with every thread's traceback."""

    def expire(signum, frame):
        raise Hang(f"{what}: still running after {seconds:g} s (a hang)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    faulthandler.dump_traceback_later(2 * seconds, exit=True,
                                      file=_STDERR_FD if _STDERR_FD is not None else sys.stderr)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        faulthandler.cancel_dump_traceback_later()
        signal.signal(signal.SIGALRM, previous)


def article_text(title="测试文章", section="market", date="2014-10-26", source="测试来源", body="正文。", **extra) -> str:
    """An article file; pass extra front matter fields as keyword arguments (already YAML text)."""
    lines = [f"title: {title}", f"section: {section}", f"date: {date}"]
    if source is not None:
        lines.append(f"source: {source}")
    lines += [f"{k}: {v}" for k, v in extra.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + body + "\n"


def issue_yml(number=34, date="2014-10-31", **extra) -> str:
    lines = [f"number: {number}", f"date: {date}"] + [f"{k}: {v}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"


class Project:
    """A copy of the real site configuration and templates with its own issues/ folder."""

    def __init__(self, path: Path):
        self.path = path

    def write(self, rel: str, text: str | bytes) -> Path:
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(textwrap.dedent(text) if text.startswith("\n") else text, encoding="utf-8")
        return target

    @property
    def site(self) -> Path:
        return self.path / "site"

    def run(self, *args: str, check: bool = False) -> subprocess.CompletedProcess:
        return subprocess.run(args, cwd=self.path, capture_output=True, text=True, check=check,
                              env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))

    def newsletter(self, *args: str) -> subprocess.CompletedProcess:
        return self.run(sys.executable, "-m", "newsletter.cli", *args)

    def build(self, *args: str) -> subprocess.CompletedProcess:
        return self.run(sys.executable, "-m", "mkdocs", "build", *args)

    def html(self, url: str) -> str:
        return (self.site / url / "index.html").read_text(encoding="utf-8")


def copy_project(dest: Path, *, with_issues: bool) -> Project:
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("mkdocs.yml", "templates", "docs"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dest / name)
    if with_issues:
        shutil.copytree(ROOT / "issues", dest / "issues")
    else:
        (dest / "issues").mkdir()
        if (ROOT / "issues" / "tags.yml").exists():
            shutil.copy2(ROOT / "issues" / "tags.yml", dest / "issues" / "tags.yml")
    return Project(dest)


@pytest.fixture
def project(tmp_path) -> Project:
    """An empty project (real config and templates, no issues)."""
    return copy_project(tmp_path / "project", with_issues=False)


@pytest.fixture(scope="session")
def default_site(tmp_path_factory) -> Project:
    """The real repository content (issue 34) built once per test session."""
    proj = copy_project(tmp_path_factory.mktemp("default") / "project", with_issues=True)
    result = proj.build()
    assert result.returncode == 0, result.stderr
    return proj


def load_synth():
    """scripts/synth.py (the synthetic-archive generator) as a module; scripts/ is not a package."""
    spec = importlib.util.spec_from_file_location("synth", ROOT / "scripts" / "synth.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def configure(project: Project, plugin: dict[str, Any] | None = None, **top_level: Any) -> None:
    """Change a test project's mkdocs.yml: top-level keys (site_url=…) and newsletter plugin options."""
    path = project.path / "mkdocs.yml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config.update(top_level)
    for entry in config["plugins"]:
        if isinstance(entry, dict) and "newsletter" in entry:
            entry["newsletter"].update(plugin or {})
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="session")
def synthetic_site(tmp_path_factory):
    """synthetic_site(issues=3, articles_per_issue=25, seed=0, site_url=None, per_page=None) -> built Project.

    A generated archive (scripts/synth.py; issues weekly from 2013-12-20, so even three issues span two
    years and two months) with the real mkdocs.yml and templates, built once per session per arguments.
    """
    built: dict[tuple, Project] = {}
    synth = load_synth()

    def build(issues: int = 3, articles_per_issue: int = 25, seed: int = 0,
              site_url: str | None = None, per_page: int | None = None) -> Project:
        key = (issues, articles_per_issue, seed, site_url, per_page)
        if key not in built:
            project = copy_project(tmp_path_factory.mktemp("synthetic") / "project", with_issues=False)
            synth.generate(project.path, issues, articles_per_issue, seed)
            configure(project, {"archive": {"per_page": per_page}} if per_page else None,
                      **({"site_url": site_url} if site_url else {}))
            result = project.build()
            assert result.returncode == 0, result.stderr
            built[key] = project
        return built[key]

    return build


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def serve():
    """serve(directory) -> base URL of a static HTTP server on loopback for that directory."""
    servers = []

    def start(directory: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(directory))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup.sh --test (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


class PageWatch:
    """A page that records console errors, page errors and requests that leave the loopback host."""

    def __init__(self, page, base: str):
        self.page = page
        self.errors: list[str] = []
        self.external: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", self._request)

    def _request(self, request):
        url = request.url
        if not (url.startswith("http://127.0.0.1") or url.startswith("data:") or url.startswith("blob:")
                or url.startswith("about:")):
            self.external.append(url)


@pytest.fixture
def open_page(browser):
    """open_page(url, **context_options) -> PageWatch; fails unless the page is served with HTTP 200;
    external requests are blocked and recorded."""
    contexts = []

    def opener(url: str, **options) -> PageWatch:
        context = browser.new_context(**options)
        contexts.append(context)
        context.route(lambda u: not u.startswith("http://127.0.0.1"), lambda route: route.abort())
        page = context.new_page()
        watch = PageWatch(page, url)
        response = page.goto(url, wait_until="networkidle")
        assert response is not None and response.status == 200, \
            f"{url}: HTTP {response.status if response else 'no response'}"
        return watch

    yield opener
    for context in contexts:
        context.close()
