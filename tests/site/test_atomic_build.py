"""A build never breaks the published site: bad content, a raising template, a strict-mode warning or a
killed build leave site/ byte-identical; a good build swaps the new site in at once."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import Project, article_text, issue_yml

ARTICLES = {
    "01-first.md": article_text(title="第一篇", body="第一篇正文。"),
    "02-second.md": article_text(title="第二篇", section="policy", body="第二篇正文。"),
    "03-third.md": article_text(title="第三篇", section="domestic", body="第三篇正文。"),
}


def site_snapshot(site: Path) -> dict[str, str]:
    """Every file of the site with the SHA-256 of its bytes."""
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


def leftovers(project: Project) -> list[str]:
    return sorted(p.name for p in project.path.iterdir() if p.name.startswith(".site-"))


@pytest.fixture
def built(project: Project) -> Project:
    project.write("issues/034/issue.yml", issue_yml())
    for name, text in ARTICLES.items():
        project.write(f"issues/034/{name}", text)
    result = project.build()
    assert result.returncode == 0, result.stderr
    assert "第二篇" in project.html("issues/34/02-second")
    return project


def assert_clean_failure(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "othing was published: the site directory keeps the previous build" in result.stderr


def test_good_rebuild_swaps_in_new_site(built: Project):
    before = built.site.stat().st_ino
    built.write("issues/034/02-second.md", ARTICLES["02-second.md"].replace("第二篇正文", "改过的正文"))
    result = built.build()
    assert result.returncode == 0, result.stderr
    assert "改过的正文" in built.html("issues/34/02-second")
    assert built.site.stat().st_ino != before  # a new directory took the old one's place
    assert leftovers(built) == []


def test_broken_article_leaves_site_byte_identical(built: Project):
    snapshot = site_snapshot(built.site)
    built.write("issues/034/02-second.md", article_text(title="第二篇", date="2014-02-30", section="nope"))
    result = built.build()
    assert_clean_failure(result)
    assert "issues/034/02-second.md:3: section: unknown section 'nope'; valid keys are: market," in result.stderr
    assert "issues/034/02-second.md:4: date: '2014-02-30' is not a date that exists" in result.stderr
    assert site_snapshot(built.site) == snapshot
    assert leftovers(built) == []


def test_template_raising_midway_leaves_site_byte_identical(built: Project):
    snapshot = site_snapshot(built.site)
    template = built.path / "templates" / "article.html"
    text = template.read_text(encoding="utf-8")
    # Pages before this one are already written into the staging directory when it raises.
    template.write_text(text + "{% if article.slug == '03-third' %}{{ article.no_such_field }}{% endif %}\n",
                        encoding="utf-8")
    result = built.build()
    assert_clean_failure(result)
    line = text.count("\n") + 1
    assert f"templates/article.html:{line}: template: " in result.stderr
    assert "has no attribute 'no_such_field' (rendering /issues/34/03-third/)" in result.stderr
    assert site_snapshot(built.site) == snapshot
    assert leftovers(built) == []


def test_strict_build_with_a_warning_publishes_nothing(built: Project):
    snapshot = site_snapshot(built.site)
    built.write("issues/034/02-second.md", article_text(title="新标题", section="policy", colour="red"))
    result = built.build("--strict")
    assert result.returncode == 1
    assert "issues/034/02-second.md:6: colour: warning: unknown field" in result.stderr
    assert site_snapshot(built.site) == snapshot
    assert leftovers(built) == []


SLOW_HOOK = '''
import os, time
from pathlib import Path

def on_post_page(output, page, config):
    if page.file.src_uri == "issues/34/02-second/index.md":
        Path(os.environ["MARKER"]).write_text(config.site_dir)
        time.sleep(60)
    return output
'''


def test_killed_build_leaves_site_byte_identical(built: Project, tmp_path: Path):
    snapshot = site_snapshot(built.site)
    built.write("slow_hook.py", SLOW_HOOK)
    config = built.path / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\nhooks:\n  - slow_hook.py\n", encoding="utf-8")
    built.write("issues/034/01-first.md", ARTICLES["01-first.md"].replace("第一篇正文", "不会发布的正文"))
    marker = tmp_path / "marker"
    process = subprocess.Popen([sys.executable, "-m", "mkdocs", "build"], cwd=built.path,
                               env=dict(os.environ, MARKER=str(marker)),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the build never reached the slow page"
        staging = Path(marker.read_text())
        assert staging.parent == built.path and staging != built.site
        assert any(staging.rglob("index.html"))  # midway: some pages already written
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert site_snapshot(built.site) == snapshot
    assert "不会发布的正文" not in built.html("issues/34/01-first")
    assert leftovers(built) == [staging.name]

    # The next build clears the dead build's staging directory and publishes.
    config.write_text(config.read_text(encoding="utf-8").replace("hooks:\n  - slow_hook.py\n", ""), encoding="utf-8")
    result = built.build()
    assert result.returncode == 0, result.stderr
    assert "不会发布的正文" in built.html("issues/34/01-first")
    assert leftovers(built) == []


# ---------------------------------------------------------------- a reader at every step of a publish

# Audit events (https://docs.python.org/3/library/audit_events.html) of every way a build can change files.
CHANGING_EVENTS = {"os.rename", "os.remove", "os.rmdir", "os.mkdir", "os.symlink", "os.link", "os.truncate",
                   "shutil.rmtree", "shutil.copyfile", "shutil.copytree", "shutil.move"}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_steps: dict = {"check": None}  # the check run before each changing step, while a test has one
_local = threading.local()


def _changes_files(event: str, args: tuple) -> bool:
    if event == "open":
        mode, flags = args[1], args[2]
        return (isinstance(mode, str) and any(c in mode for c in "wax+")) or bool((flags or 0) & _WRITE_FLAGS)
    return event in CHANGING_EVENTS


def _before_each_step(event: str, args: tuple) -> None:
    """An audit hook: the site is checked before every file-system change the process makes."""
    check = _steps["check"]
    if check is None or getattr(_local, "busy", False) or not _changes_files(event, args):
        return
    _local.busy = True  # the check reads files, which raises "open" events of its own
    try:
        check(event, args)
    finally:
        _local.busy = False


sys.addaudithook(_before_each_step)  # hooks cannot be removed: it does nothing without a check


def site_version(site: Path) -> str:
    """Which build the reader sees: every page must be there, whole, and from the same build."""
    titles = set()
    for url in ("index.html", "issues/34/index.html", "issues/34/01-first/index.html",
                "issues/34/02-second/index.html", "issues/34/03-third/index.html"):
        text = (site / url).read_text(encoding="utf-8")  # FileNotFoundError: the site is missing
        assert text.rstrip().endswith("</html>"), f"{url} is cut short"
        titles.update(re.findall(r"第二篇 v\d", text))
    assert len(titles) == 1, f"pages of different builds: {sorted(titles)}"
    return titles.pop()


def test_a_reader_sees_one_complete_site_at_every_step_of_a_publish(built: Project, monkeypatch):
    """Deterministic: the build runs in this process and, before every step that changes a file (each open
    for writing, mkdir, rename, removal and copy that Python's audit hooks report), and once at the end, the
    site is read whole. The reader must see the old site up to one step and the new one from that step on,
    never a missing, cut-short or mixed site."""
    built.write("issues/034/02-second.md", article_text(title="第二篇 v1", section="policy"))
    assert built.build().returncode == 0
    assert site_version(built.site) == "第二篇 v1"
    built.write("issues/034/02-second.md", article_text(title="第二篇 v2", section="policy"))

    seen: list[str] = []
    problems: list[str] = []
    steps: list[str] = []

    def check(event, args):
        steps.append(event)
        try:
            version = site_version(built.site)
        except (OSError, AssertionError) as exc:
            problems.append(f"before {event} {args[:2]}: {exc!r}")
            return
        if not seen or seen[-1] != version:
            seen.append(version)

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    monkeypatch.chdir(built.path)
    monkeypatch.setenv("NEWSLETTER_PDF", "0")  # the pages are what a reader looks at here
    config = load_config(str(built.path / "mkdocs.yml"))
    config.plugins.on_startup(command="build", dirty=False)
    _steps["check"] = check
    try:
        build(config)
    finally:
        _steps["check"] = None
        config.plugins.on_shutdown()
    check("end of the build", ())
    assert problems == []
    assert seen == ["第二篇 v1", "第二篇 v2"]  # old site, then at one step the new one
    assert len(steps) > 20  # every page written, every rename and removal was a step
    assert leftovers(built) == []


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(condition, what: str, seconds: float = 180):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what}")


def _get(url: str) -> str | None:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, OSError):  # not up yet, or busy rebuilding (the server waits for the build)
        return None


@contextlib.contextmanager
def mkdocs_serve(project: Project, port: int, log_path: Path):
    """A real `mkdocs serve` of ``project`` on ``port`` (output in ``log_path``), stopped with Ctrl-C after."""
    with open(log_path, "w") as log_file:
        process = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
                                   cwd=project.path, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        stop_server(process, grace=20)


def stop_server(process: subprocess.Popen, grace: float) -> None:
    """Ctrl-C a served preview; kill it if it has not stopped after ``grace`` seconds."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_serve_keeps_last_good_site_on_a_broken_edit_and_recovers(built: Project, tmp_path: Path):
    port = _free_port()
    log_path = tmp_path / "serve.log"
    article = f"http://127.0.0.1:{port}/issues/34/02-second/"
    log_text = lambda: log_path.read_text(encoding="utf-8", errors="replace")  # noqa: E731
    with mkdocs_serve(built, port, log_path) as process:
        _wait_for(lambda: "第二篇正文" in (_get(article) or ""), "the first build to be served")

        built.write("issues/034/02-second.md", article_text(title="第二篇", section="policy", date="2014-13-01"))
        _wait_for(lambda: "02-second.md:4: date: '2014-13-01' is not a date that exists" in log_text(),
                  "the content error to be printed")
        _wait_for(lambda: "The preview keeps showing the last good build" in log_text(), "the rebuild to end")
        assert "第二篇正文" in (_get(article) or "")  # still the last good page
        assert "Traceback" not in log_text()

        built.write("issues/034/02-second.md", article_text(title="第二篇", section="policy", body="修好的正文。"))
        _wait_for(lambda: "修好的正文" in (_get(article) or ""), "the fixed article to be served")
        assert process.poll() is None
