"""The send loop: one message per recipient over one SMTP session, each answer written to the send
log before the next message, temporary failures retried with back-off, permanent ones recorded.

What a failure means depends on where it happens:

- the connection, the login, ``MAIL FROM`` or any ``421`` concern the server: retried (4xx, drops),
  then the run stops and says how many are left (a rerun continues); a 5xx there stops it at once;
- ``RCPT TO`` and ``DATA`` answers concern one address: 5xx is recorded as rejected and not retried,
  4xx is retried and then reported as deferred (not logged, so a rerun tries it again).
"""

from __future__ import annotations

import signal
import smtplib
import ssl
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Callable, Iterator

from .sendlog import ACCEPTED, REJECTED, Entry, SendLog
from .smtpenv import SmtpSettings
from .subscribers import Subscriber

SERVER, RECIPIENT = "server", "recipient"


@dataclass(frozen=True)
class SendOptions:
    rate: float | None = None  # messages per minute; None: as fast as the server answers
    retries: int = 3  # further attempts after a temporary failure
    retry_delay: float = 5.0  # seconds before the first retry, doubled for each further one
    timeout: float = 60.0  # seconds the server may take to answer


@dataclass(frozen=True)
class Failure(Exception):
    code: int  # 0: no answer (refused or dropped connection)
    reply: str
    scope: str  # SERVER or RECIPIENT

    @property
    def permanent(self) -> bool:
        return 500 <= self.code < 600

    def __str__(self) -> str:
        return f"{self.code} {self.reply}" if self.code else self.reply


@dataclass
class SendReport:
    accepted: list[Subscriber] = field(default_factory=list)
    already: list[Subscriber] = field(default_factory=list)  # accepted in an earlier run (the log)
    rejected: list[tuple[Subscriber, Failure]] = field(default_factory=list)
    rejected_earlier: list[tuple[Subscriber, Entry]] = field(default_factory=list)
    deferred: list[tuple[Subscriber, Failure]] = field(default_factory=list)
    unsent: list[Subscriber] = field(default_factory=list)
    stopped: str | None = None  # why the run ended before the end of the list
    seconds: float = 0.0

    @property
    def complete(self) -> bool:
        return not (self.rejected or self.rejected_earlier or self.deferred or self.unsent)


def _text(reply) -> str:
    return (reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)).strip()


class Connection:
    """One SMTP session, opened when first needed and again after the server dropped it."""

    def __init__(self, settings: SmtpSettings, timeout: float):
        self.settings, self.timeout = settings, timeout
        self.smtp: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        if s.tls == "tls":
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
            if s.tls == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if s.login:
            smtp.login(s.user, s.password)
        return smtp

    def send(self, message: EmailMessage, sender: str, recipient: str) -> None:
        """Hand one message to the server; :class:`Failure` says what went wrong and whose problem it is."""
        try:
            if self.smtp is None:
                self.smtp = self._open()
            self.smtp.send_message(message, sender, [recipient])
            return
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = exc.recipients.get(recipient, (0, b"refused"))
            failure = Failure(code, _text(reply), SERVER if code == 421 else RECIPIENT)
        except smtplib.SMTPDataError as exc:
            failure = Failure(exc.smtp_code, _text(exc.smtp_error), SERVER if exc.smtp_code == 421 else RECIPIENT)
        except smtplib.SMTPNotSupportedError as exc:  # a non-ASCII address and a server without SMTPUTF8
            failure = Failure(553, f"the server does not accept this address ({exc})", RECIPIENT)
        except smtplib.SMTPResponseException as exc:  # MAIL FROM, login, greeting
            failure = Failure(exc.smtp_code, _text(exc.smtp_error), SERVER)
        except (smtplib.SMTPException, OSError) as exc:  # refused, dropped, timed out, TLS failed
            failure = Failure(0, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__, SERVER)
        if failure.scope == SERVER:
            self.close()
        raise failure

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


class StopRequest:
    """Ctrl-C (or SIGTERM) asks the loop to stop after the current message is answered and logged;
    a second Ctrl-C stops at once."""

    def __init__(self) -> None:
        self.requested = False

    def _handle(self, signum, frame) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        print("stopping after the current message (Ctrl-C again to stop at once)", flush=True)

    @contextmanager
    def installed(self) -> Iterator["StopRequest"]:
        previous = {sig: signal.signal(sig, self._handle) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield self
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self.requested and time.monotonic() < end:
            time.sleep(min(0.05, max(0.0, end - time.monotonic())))


def deliver(connection: Connection, message: EmailMessage, sender: str, recipient: str,
            options: SendOptions, stop: StopRequest) -> Failure | None:
    """Send with retries; None when the server accepted the message, else the last failure."""
    for attempt in range(options.retries + 1):
        try:
            connection.send(message, sender, recipient)
            return None
        except Failure as failure:
            if failure.permanent or attempt == options.retries or stop.requested:
                return failure
            stop.sleep(options.retry_delay * 2 ** attempt)
    raise AssertionError("unreachable")


def send_all(pending: list[Subscriber], compose: Callable[[Subscriber], EmailMessage], sender: str,
             connection: Connection, log: SendLog, options: SendOptions, stop: StopRequest,
             report: SendReport, progress: Callable[[str], None] = print) -> SendReport:
    """Send to every pending subscriber in order, logging each answer before going on."""
    started = time.monotonic()
    interval = 60.0 / options.rate if options.rate else 0.0
    next_at = started
    for i, subscriber in enumerate(pending):
        if stop.requested:
            report.unsent, report.stopped = pending[i:], "interrupted"
            break
        stop.sleep(next_at - time.monotonic())
        next_at = max(next_at + interval, time.monotonic())
        failure = deliver(connection, compose(subscriber), sender, subscriber.email, options, stop)
        if failure is None:
            log.record(subscriber.email, ACCEPTED, 250, "")
            report.accepted.append(subscriber)
            if len(report.accepted) % 100 == 0:
                progress(f"{len(report.accepted)} accepted so far")
        elif failure.scope == RECIPIENT and failure.permanent:
            log.record(subscriber.email, REJECTED, failure.code, failure.reply)
            report.rejected.append((subscriber, failure))
            progress(f"rejected: {subscriber.email}: {failure}")
        elif failure.scope == RECIPIENT:
            report.deferred.append((subscriber, failure))
            progress(f"deferred: {subscriber.email}: {failure}")
        else:
            report.unsent = pending[i:]
            report.stopped = "interrupted" if stop.requested else f"the server failed: {failure}"
            break
    connection.close()
    report.seconds = time.monotonic() - started
    return report
