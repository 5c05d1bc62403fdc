"""The email as a complete MIME message: ``multipart/alternative`` (text, then HTML) with its headers."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from ..model import EmailSettings, Issue
from .addresses import fold
from .render import EmailParts

TEST_MARK = "【测试】"
CHINA_TIME = dt.timezone(dt.timedelta(hours=8))


def sender(settings: EmailSettings) -> Address:
    """The From address, or ValueError saying where to configure it."""
    if not settings.from_address:
        raise ValueError("the sender is not configured: set email: from_address (and from_name) under the "
                         "newsletter plugin in mkdocs.yml")
    user, _, domain = settings.from_address.partition("@")
    return Address(display_name=settings.from_name, username=user, domain=domain)


def message_id(issue: Issue, settings: EmailSettings, to: str | None, test: bool = False) -> str:
    """One id per issue and recipient, the same on every attempt, so a receiving server can tell a repeat;
    a test copy gets a fresh one (Gmail drops a message whose id it has already delivered)."""
    if test:
        who = f"test-{uuid.uuid4().hex[:16]}"
    else:
        who = hashlib.sha256(fold(to).encode()).hexdigest()[:16] if to else "edition"
    return f"<newsletter-{issue.number:03d}.{who}@{sender(settings).domain}>"


def edition_date(issue: Issue) -> dt.datetime:
    """The Date of the published .eml: the issue's date (morning, China time), so rebuilding changes nothing."""
    return dt.datetime.combine(issue.date, dt.time(8, 0), tzinfo=CHINA_TIME)


def build_message(issue: Issue, parts: EmailParts, settings: EmailSettings, *, date: dt.datetime,
                  to: str | None = None, unsubscribe_url: str | None = None, test: bool = False) -> EmailMessage:
    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = f"{TEST_MARK}{parts.subject}" if test else parts.subject
    msg["From"] = sender(settings)
    if to:
        msg["To"] = to
    if settings.reply_to:
        msg["Reply-To"] = settings.reply_to
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id(issue, settings, to, test)
    if unsubscribe_url:
        msg["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        if unsubscribe_url.startswith("https://"):  # RFC 8058: one-click only for an HTTPS URI
            msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(parts.text, subtype="plain", charset="utf-8", cte="base64")
    msg.add_alternative(parts.html, subtype="html", charset="utf-8", cte="base64")
    # A boundary derived from the content ("=_" never occurs in base64), so equal input gives equal bytes.
    body = hashlib.sha256((parts.text + parts.html).encode()).hexdigest()[:24]
    msg.set_boundary(f"=_newsletter-{issue.number:03d}-{body}")
    return msg
