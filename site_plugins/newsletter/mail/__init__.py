"""The email edition of an issue: a digest (not the full text) as HTML and plain text, a complete
``multipart/alternative`` message, and a resumable send over SMTP. No MkDocs here.

Data flows one way: model -> ``digest`` (what the email shows) -> ``render`` (Jinja templates in
templates/email/, CSS inlined with css-inline) -> ``message`` (EmailMessage) -> ``build`` (files,
cached) or ``send`` (SMTP, one message per recipient, logged for resuming). Modules:

- ``addresses``: email addresses, the site's base URL, the unsubscribe link and its token;
- ``digest``: the email view of an issue;
- ``render``: the HTML and text parts;
- ``message``: the MIME message with its headers;
- ``build``: writing the files of each issue into the site or a folder, cached by content;
- ``subscribers``: the recipient list (CSV), validated before anything is sent;
- ``smtpenv``: SMTP settings from the environment;
- ``sendlog``: the send log that makes a rerun skip whoever already accepted the message;
- ``send``: the send loop (retries, back-off, rate limit);
- ``command``: ``newsletter email``; ``send_command``: ``newsletter send``.
"""

from __future__ import annotations

from ..model import Issue

HTML_FILE = "email.html"
TEXT_FILE = "email.txt"


def eml_filename(issue: Issue) -> str:
    return f"newsletter-{issue.number:03d}.eml"


def email_files(issue: Issue) -> tuple[str, str, str]:
    """The names of the files the email edition of ``issue`` consists of."""
    return HTML_FILE, TEXT_FILE, eml_filename(issue)
