"""A real SMTP server on loopback (aiosmtpd) that keeps what it accepts and can be told to misbehave:
reject an address (550) or put it off (450), become unavailable (421) after N messages, drop the
connection during a message, or hold a message until the test releases it."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections import Counter
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """The aiosmtpd handler: what the server was sent, and the faults the test scripts."""

    def __init__(self) -> None:
        self.received: list[tuple[str, bytes]] = []  # (recipient, message as sent)
        self.reject: set[str] = set()  # answered 550 at RCPT TO
        self.busy: set[str] = set()  # answered 450 (mailbox busy, try later) at RCPT TO
        self.attempts: list[str] = []  # every RCPT TO, in order
        self.unavailable_after: int | None = None  # then 421 to every MAIL FROM
        self.drop_at: int | None = None  # the n-th message's connection drops before the reply
        self.hold_at: int | None = None  # the n-th message waits for `release` before its reply
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.unavailable_after is not None and len(self.received) >= self.unavailable_after:
            return "421 4.3.2 Service not available, closing transmission channel"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.attempts.append(address)
        if address in self.busy:
            return f"450 4.2.1 <{address}>: Mailbox busy, try again later"
        if address in self.reject:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        number = len(self.received) + 1
        if self.drop_at == number:
            self.drop_at = None
            server.transport.close()  # gone before the reply: the message was not taken
            return "421 4.4.2 connection dropped"
        if self.hold_at == number:
            self.hold_at = None
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)
            if server.transport is None or server.transport.is_closing():
                return "421 4.4.2 client gone before the reply: message discarded"
        self.received.append((envelope.rcpt_tos[0], envelope.original_content))
        return "250 2.0.0 Ok: queued"

    def copies(self) -> Counter:
        return Counter(recipient for recipient, _ in self.received)

    def messages(self) -> list[EmailMessage]:
        return [BytesParser(policy=policy.default).parsebytes(data) for _, data in self.received]


class SmtpServer:
    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> "SmtpServer":
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def env(self, **extra: str) -> dict[str, str]:
        return {"NEWSLETTER_SMTP_HOST": "127.0.0.1", "NEWSLETTER_SMTP_PORT": str(self.port),
                "NEWSLETTER_SMTP_TLS": "none", **extra}
