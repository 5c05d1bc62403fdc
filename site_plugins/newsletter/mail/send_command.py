"""``newsletter send``: check the list and the settings, then send (or show what would be sent) and
print the summary. Called by cli.py."""

from __future__ import annotations

import sys
from dataclasses import replace
from email.message import EmailMessage
from email.utils import localtime
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from ..model import Catalog, Issue
from .addresses import check_address, fold, needs_secret, unsubscribe_link
from .command import Project, base_url, fail, load_issue
from .message import build_message, sender
from .render import EmailParts, fitted_digest, render_parts
from .send import Connection, SendOptions, SendReport, StopRequest, deliver, send_all
from .sendlog import ACCEPTED, LockedError, SendLog, log_path, read_log
from .smtpenv import SmtpSettings, smtp_settings
from .subscribers import Subscriber, load_subscribers


class Composer:
    """The message for one recipient: the issue's digest with that recipient's unsubscribe link."""

    def __init__(self, project: Project, catalog: Catalog, issue: Issue, base: str, secret: str | None):
        self.project, self.catalog, self.issue, self.secret = project, catalog, issue, secret
        self.email = catalog.settings.email
        self.digest = fitted_digest(issue, catalog, base, project.templates_dir)
        self.parts = lru_cache(maxsize=1)(self._parts)  # rendered once when the link is not personal

    def _parts(self, link: str | None) -> EmailParts:
        return render_parts(replace(self.digest, unsubscribe_url=link), self.project.templates_dir)

    def __call__(self, subscriber: Subscriber, test: bool = False) -> EmailMessage:
        link = unsubscribe_link(self.email.unsubscribe, subscriber.email, self.secret)
        return build_message(self.issue, self.parts(link), self.email, date=localtime(), to=subscriber.email,
                             unsubscribe_url=link, test=test)


def _options(args) -> SendOptions | str:
    if args.rate is not None and not args.rate > 0:
        return f"--rate: {args.rate:g} is not a positive number of messages per minute"
    if args.retries < 0 or args.retry_delay < 0:
        return "--retries and --retry-delay must not be negative"
    return SendOptions(rate=args.rate, retries=args.retries, retry_delay=args.retry_delay)


def send_issue(project: Project, args, env: Mapping[str, str]) -> int:
    if not args.to and not args.test:
        return fail("send", "say who gets it: --to subscribers.csv (or --test you@example.org for one copy)", 2)
    options = _options(args)
    if isinstance(options, str):
        return fail("send", options, 2)
    try:
        base = base_url(project, args.site_url, "send")
        sender(project.settings.email)
    except ValueError as exc:
        return fail("send", str(exc))
    smtp, problems = smtp_settings(env, need_secret=needs_secret(project.settings.email.unsubscribe))
    subscribers, list_problems = load_subscribers(Path(args.to), args.to) if args.to else ([], [])
    problems += [str(p) for p in list_problems]
    if args.test:
        try:
            check_address(args.test)
        except ValueError as exc:
            problems.append(f"--test: {exc}")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return fail("send", "nothing was sent; fix the above and run the command again")
    catalog, issue, code = load_issue(project, args.number, "send")
    if issue is None:
        return code
    compose = Composer(project, catalog, issue, base, smtp.secret)
    from_address = project.settings.email.from_address
    if args.test:
        return _send_test(compose, smtp, options, from_address, args.test, args.dry_run)
    return _send_list(compose, smtp, options, from_address, subscribers, Path(args.to), args.dry_run)


def _send_test(compose: Composer, smtp: SmtpSettings, options: SendOptions, sender_address: str,
               address: str, dry_run: bool) -> int:
    message = compose(Subscriber(address, 0), test=True)
    if dry_run:
        print(f"dry run, nothing sent: would send one test copy “{message['Subject']}” to {address} "
              f"via {smtp.describe()}")
        return 0
    with StopRequest().installed() as stop:
        failure = deliver(Connection(smtp, options.timeout), message, sender_address, address, options, stop)
    if failure:
        return fail("send", f"test copy to {address} not accepted: {failure}")
    print(f"sent a test copy to {address} (not logged): {message['Subject']}")
    return 0


def _send_list(compose: Composer, smtp: SmtpSettings, options: SendOptions, sender_address: str,
               subscribers: list[Subscriber], list_path: Path, dry_run: bool) -> int:
    log_file = log_path(list_path, compose.issue)
    logged = read_log(log_file)
    report = SendReport()
    pending = []
    for subscriber in subscribers:
        entry = logged.get(fold(subscriber.email))
        if entry is None:
            pending.append(subscriber)
        elif entry.status == ACCEPTED:
            report.already.append(subscriber)
        else:
            report.rejected_earlier.append((subscriber, entry))
    subject = compose.digest.subject
    if dry_run:
        print(f"dry run, nothing sent: “{subject}” from {sender_address} via {smtp.describe()}\n"
              f"{list_path}: {len(subscribers)} address(es): {len(pending)} to send, "
              f"{len(report.already)} accepted earlier, {len(report.rejected_earlier)} rejected earlier "
              f"(log {log_file})")
        for subscriber in pending[:10]:
            print(f"  would send to {subscriber.email}")
        if len(pending) > 10:
            print(f"  … and {len(pending) - 10} more")
        return 0
    try:
        log = SendLog(log_file)
    except (LockedError, OSError) as exc:
        return fail("send", str(exc))
    print(f"sending “{subject}” to {len(pending)} address(es) via {smtp.describe()}", flush=True)
    try:
        with StopRequest().installed() as stop:
            send_all(pending, compose, sender_address, Connection(smtp, options.timeout), log, options, stop,
                     report, lambda line: print(line, flush=True))
    except KeyboardInterrupt:  # a second Ctrl-C: whatever was answered is in the log
        done = {s.email for s in report.accepted} | {s.email for s, _ in report.rejected + report.deferred}
        report.unsent, report.stopped = [s for s in pending if s.email not in done], "interrupted at once"
    finally:
        log.close()
    print(summary(report, list_path, log_file))
    return 0 if report.complete else 1


def summary(report: SendReport, list_path: Path, log_file: Path) -> str:
    rate = f", {len(report.accepted) / report.seconds:.1f} messages/s" if report.seconds and report.accepted else ""
    lines = [f"{len(report.accepted)} accepted now, {len(report.already)} accepted earlier, "
             f"{len(report.rejected) + len(report.rejected_earlier)} rejected, {len(report.deferred)} deferred, "
             f"{len(report.unsent)} not sent yet ({report.seconds:.1f} s{rate}); log: {log_file}"]
    for subscriber, failure in report.rejected:
        lines.append(f"rejected: {list_path}:{subscriber.line}: {subscriber.email}: {failure} (not retried)")
    for subscriber, entry in report.rejected_earlier:
        lines.append(f"rejected earlier: {list_path}:{subscriber.line}: {subscriber.email}: {entry.code} "
                     f"{entry.reply} (correct or remove the address)")
    for subscriber, failure in report.deferred:
        lines.append(f"deferred: {list_path}:{subscriber.line}: {subscriber.email}: {failure} "
                     "(temporary; the next run tries again)")
    if report.stopped:
        lines.append(f"stopped: {report.stopped}; run the same command again to send to the "
                     f"{len(report.unsent)} not sent yet (nobody in the log gets it twice)")
    return "\n".join(lines)
