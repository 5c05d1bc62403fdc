"""`newsletter send` against a real SMTP server on loopback (aiosmtpd): one message per recipient,
never twice and never lost across 421s, dropped connections and Ctrl-C; 5xx recorded, not retried;
a bad list or bad settings refused before anything is sent."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from conftest import Project, article_text, configure, copy_project, issue_yml
from mail_sites import SITE, SUBJECT_34, parts
from smtp_server import SmtpServer

SECRET = "test-secret-for-unsubscribe-tokens"
UNSUBSCRIBE = "https://example.org/unsubscribe?email={email}&token={token}"
ADDRESSES = [f"reader{n:02d}@example.org" for n in range(1, 51)]  # on lines 2..51 of the list
FAST_RETRIES = ("--retries", "2", "--retry-delay", "0.01")


@pytest.fixture(scope="module")
def send_project(tmp_path_factory) -> Project:
    """A small issue 34 (three articles: each run of the command loads it, and there are many runs)."""
    project = copy_project(tmp_path_factory.mktemp("send") / "project", with_issues=False)
    project.write("issues/034/issue.yml", issue_yml())
    for n, section in enumerate(("market", "policy", "international"), 1):
        project.write(f"issues/034/{n:02d}.md", article_text(title=f"第{n}篇", section=section,
                                                             body="碳市场交易活跃。" * 30))
    configure(project, {"email": {"from_address": "newsletter@example.org", "unsubscribe": UNSUBSCRIBE,
                                  "reply_to": "office@example.org"}}, site_url=SITE)
    return project


@pytest.fixture
def server():
    smtp = SmtpServer().start()
    yield smtp
    smtp.stop()


def write_list(tmp_path: Path, addresses=ADDRESSES, header="email,name") -> Path:
    path = tmp_path / "subscribers.csv"
    path.write_text(header + "\n" + "".join(f"{a},读者{i}\n" for i, a in enumerate(addresses)), encoding="utf-8")
    return path


def send_command(project: Project, server: SmtpServer, *args: str, **env: str) -> list[str]:
    return [sys.executable, "-m", "newsletter.cli", "send", "34", *args]


def run_env(server: SmtpServer, **extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("NEWSLETTER_")}
    return {**base, "NO_MKDOCS_2_WARNING": "1", "NEWSLETTER_PDF": "0", **server.env(NEWSLETTER_SECRET=SECRET),
            **extra}


def send(project: Project, server: SmtpServer, *args: str, **env: str) -> subprocess.CompletedProcess:
    result = subprocess.run(send_command(project, server, *args), cwd=project.path, capture_output=True,
                            text=True, env=run_env(server, **env), timeout=300)
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    return result


def log_lines(list_path: Path) -> list[dict]:
    log = list_path.with_name(list_path.name + ".sent-034.jsonl")
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []


def expected_token(address: str) -> str:
    return hmac.new(SECRET.encode(), address.lower().encode(), hashlib.sha256).hexdigest()[:32]


def test_fifty_addresses_one_message_each_with_its_own_token(send_project, server, tmp_path):
    subscribers = write_list(tmp_path)
    result = send(send_project, server, "--to", str(subscribers))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "50 accepted now, 0 accepted earlier, 0 rejected, 0 deferred, 0 not sent yet" in result.stdout
    assert server.mailbox.copies() == {a: 1 for a in ADDRESSES}
    messages = server.mailbox.messages()
    assert len({m["Message-ID"] for m in messages}) == 50
    for (recipient, _), message in zip(server.mailbox.received, messages):
        assert message["To"] == recipient and message["Subject"] == SUBJECT_34
        assert message["From"].addresses[0].addr_spec == "newsletter@example.org"
        assert message["Reply-To"] == "office@example.org" and message["Date"] is not None
        link = f"https://example.org/unsubscribe?email={quote(recipient, safe='@')}&token={expected_token(recipient)}"
        assert message["List-Unsubscribe"] == f"<{link}>"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        text, html = parts(message)
        assert f'href="{link.replace("&", "&amp;")}"' in html and f"退订：{link}" in text
        assert f'href="{SITE}issues/34/01/"' in html
    assert [(e["email"], e["status"]) for e in log_lines(subscribers)] == [(a, "accepted") for a in ADDRESSES]
    again = send(send_project, server, "--to", str(subscribers))
    assert again.returncode == 0 and "0 accepted now, 50 accepted earlier" in again.stdout
    assert len(server.mailbox.received) == 50


def test_421_after_the_twentieth_then_a_rerun_sends_the_rest_once(send_project, server, tmp_path):
    subscribers = write_list(tmp_path)
    server.mailbox.unavailable_after = 20
    first = send(send_project, server, "--to", str(subscribers), *FAST_RETRIES)
    assert first.returncode == 1
    assert "20 accepted now" in first.stdout and "30 not sent yet" in first.stdout
    assert "stopped: the server failed: 421" in first.stdout and "run the same command again" in first.stdout
    assert len(log_lines(subscribers)) == 20
    server.mailbox.unavailable_after = None
    second = send(send_project, server, "--to", str(subscribers), *FAST_RETRIES)
    assert second.returncode == 0, second.stdout
    assert "30 accepted now, 20 accepted earlier" in second.stdout
    assert server.mailbox.copies() == {a: 1 for a in ADDRESSES}


def test_a_dropped_connection_is_reopened_and_nobody_gets_two(send_project, server, tmp_path):
    subscribers = write_list(tmp_path)
    server.mailbox.drop_at = 25
    result = send(send_project, server, "--to", str(subscribers), *FAST_RETRIES)
    assert result.returncode == 0, result.stdout
    assert server.mailbox.copies() == {a: 1 for a in ADDRESSES}
    assert send(send_project, server, "--to", str(subscribers)).returncode == 0
    assert len(server.mailbox.received) == 50


def test_a_server_that_drops_mid_way_and_stays_away(send_project, server, tmp_path):
    subscribers = write_list(tmp_path)
    server.mailbox.hold_at = 25
    process = subprocess.Popen(send_command(send_project, server, "--to", str(subscribers), *FAST_RETRIES),
                               cwd=send_project.path, env=run_env(server), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert server.mailbox.holding.wait(120)
    server.stop()  # the connection drops while message 25 waits for its answer; nothing listens any more
    out, err = process.communicate(timeout=300)
    assert process.returncode == 1 and "Traceback" not in err
    assert "24 accepted now" in out and "26 not sent yet" in out and "ConnectionRefusedError" in out
    assert len(log_lines(subscribers)) == 24
    server.start()
    second = send(send_project, server, "--to", str(subscribers), *FAST_RETRIES)
    assert second.returncode == 0 and "26 accepted now, 24 accepted earlier" in second.stdout
    assert server.mailbox.copies() == {a: 1 for a in ADDRESSES}


def test_ctrl_c_finishes_the_current_message_and_a_rerun_sends_the_rest(send_project, server, tmp_path):
    subscribers = write_list(tmp_path)
    server.mailbox.hold_at = 10
    process = subprocess.Popen(send_command(send_project, server, "--to", str(subscribers)),
                               cwd=send_project.path, env=run_env(server), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert server.mailbox.holding.wait(120)
    process.send_signal(signal.SIGINT)  # while message 10 waits for the server's answer
    server.mailbox.release.set()
    out, err = process.communicate(timeout=300)
    assert process.returncode == 1 and "Traceback" not in err
    assert "10 accepted now" in out and "40 not sent yet" in out and "stopped: interrupted" in out
    assert len(log_lines(subscribers)) == 10
    second = send(send_project, server, "--to", str(subscribers))
    assert second.returncode == 0 and "40 accepted now, 10 accepted earlier" in second.stdout
    assert server.mailbox.copies() == {a: 1 for a in ADDRESSES}


def test_a_killed_send_loses_nobody_and_repeats_nobody(send_project, server, tmp_path):
    subscribers = write_list(tmp_path)
    server.mailbox.hold_at = 10
    process = subprocess.Popen(send_command(send_project, server, "--to", str(subscribers)),
                               cwd=send_project.path, env=run_env(server), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    assert server.mailbox.holding.wait(120)
    process.kill()  # SIGKILL while message 10 waits for its answer: no handler, no clean-up
    process.wait(60)
    server.mailbox.release.set()
    assert len(log_lines(subscribers)) == 9  # every accepted message was on disk before the next was sent
    second = send(send_project, server, "--to", str(subscribers))
    assert second.returncode == 0 and "41 accepted now, 9 accepted earlier" in second.stdout
    assert server.mailbox.copies() == {a: 1 for a in ADDRESSES}


def test_a_second_send_to_the_same_list_is_refused_while_one_runs(send_project, server, tmp_path):
    import fcntl

    subscribers = write_list(tmp_path)
    with open(subscribers.with_name(subscribers.name + ".sent-034.jsonl"), "a") as log:
        fcntl.flock(log, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running send holds it
        result = send(send_project, server, "--to", str(subscribers))
    assert result.returncode == 1 and "another send of this issue to this list is running" in result.stderr
    assert server.mailbox.received == []


def test_a_5xx_address_is_recorded_reported_and_not_retried(send_project, server, tmp_path):
    subscribers = write_list(tmp_path)
    server.mailbox.reject = {"reader17@example.org"}
    first = send(send_project, server, "--to", str(subscribers), *FAST_RETRIES)
    assert first.returncode == 1
    assert "49 accepted now" in first.stdout and "1 rejected" in first.stdout
    assert f"rejected: {subscribers}:18: reader17@example.org: 550 5.1.1" in first.stdout
    assert server.mailbox.attempts.count("reader17@example.org") == 1  # a 5xx is not retried
    assert server.mailbox.copies() == {a: 1 for a in ADDRESSES if a != "reader17@example.org"}
    assert [e for e in log_lines(subscribers) if e["status"] == "rejected"][0]["code"] == 550
    second = send(send_project, server, "--to", str(subscribers), *FAST_RETRIES)
    assert second.returncode == 1 and "0 accepted now, 49 accepted earlier, 1 rejected" in second.stdout
    assert "rejected earlier: " in second.stdout and len(server.mailbox.received) == 49


def test_a_4xx_address_is_retried_then_reported_and_tried_again_next_run(send_project, server, tmp_path):
    subscribers = write_list(tmp_path)
    server.mailbox.busy = {"reader05@example.org"}
    first = send(send_project, server, "--to", str(subscribers), *FAST_RETRIES)
    assert first.returncode == 1 and "49 accepted now" in first.stdout and "1 deferred" in first.stdout
    assert f"deferred: {subscribers}:6: reader05@example.org: 450 4.2.1" in first.stdout
    assert server.mailbox.attempts.count("reader05@example.org") == 3  # the first try and --retries 2
    assert "reader05@example.org" not in [e["email"] for e in log_lines(subscribers)]
    server.mailbox.busy = set()
    second = send(send_project, server, "--to", str(subscribers), *FAST_RETRIES)
    assert second.returncode == 0 and "1 accepted now, 49 accepted earlier" in second.stdout
    assert server.mailbox.copies() == {a: 1 for a in ADDRESSES}


@pytest.mark.parametrize("content, expected", [
    ("name,mail\n张三,a@example.org\n", "subscribers.csv:1: email: no 'email' column in the header row (columns: name, mail)"),
    ("email\n" + "".join(f"r{n}@example.org\n" for n in range(15)) + "broken@\n",
     "subscribers.csv:17: email: 'broken@' is not an email address"),
    ("email,name\nWang@Example.org,王\nli@example.org,李\nwang@example.org,王二\n",
     "subscribers.csv:4: email: 'wang@example.org' is the same address in other case as line 2 ('Wang@Example.org')"),
])
def test_a_bad_list_is_refused_before_anything_is_sent(send_project, server, tmp_path, content, expected):
    subscribers = tmp_path / "subscribers.csv"
    subscribers.write_text(content, encoding="utf-8")
    result = send(send_project, server, "--to", str(subscribers))
    assert result.returncode == 1
    assert expected.replace("subscribers.csv", str(subscribers)) in result.stderr
    assert "nothing was sent" in result.stderr
    assert server.mailbox.received == [] and log_lines(subscribers) == []


def test_missing_or_wrong_settings_are_listed_together(send_project, server, tmp_path):
    subscribers = write_list(tmp_path)
    result = send(send_project, server, "--to", str(subscribers), NEWSLETTER_SMTP_HOST="", NEWSLETTER_SECRET="",
                  NEWSLETTER_SMTP_TLS="ssl", NEWSLETTER_SMTP_PORT="smtp")
    assert result.returncode == 1
    for expected in ("NEWSLETTER_SMTP_HOST: not set", "NEWSLETTER_SMTP_TLS: 'ssl' is not one of starttls, tls, none",
                     "NEWSLETTER_SMTP_PORT: 'smtp' is not a port number", "NEWSLETTER_SECRET: not set"):
        assert expected in result.stderr
    assert server.mailbox.received == []


def test_dry_run_sends_nothing_and_test_sends_one_marked_copy(send_project, server, tmp_path):
    subscribers = write_list(tmp_path)
    dry = send(send_project, server, "--to", str(subscribers), "--dry-run")
    assert dry.returncode == 0 and "50 to send" in dry.stdout and "would send to reader01@example.org" in dry.stdout
    assert server.mailbox.received == [] and log_lines(subscribers) == []
    test = send(send_project, server, "--test", "editor@example.org")
    assert test.returncode == 0, test.stderr
    [(recipient, _)] = server.mailbox.received
    [message] = server.mailbox.messages()
    assert recipient == "editor@example.org" and message["Subject"] == "【测试】" + SUBJECT_34
    assert log_lines(subscribers) == []
