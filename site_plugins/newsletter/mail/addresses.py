"""Email addresses, the site's base URL and the personal unsubscribe link: the rules in one place."""

from __future__ import annotations

import hashlib
import hmac
import re
from email.errors import HeaderParseError
from email.headerregistry import Address
from urllib.parse import quote, urlsplit

PLACEHOLDERS = ("{token}", "{email}")
_DOMAIN = re.compile(r"[^\s@.]+(\.[^\s@.]+)+\Z")


def check_address(text: str) -> str:
    """``text`` as an address (surrounding spaces removed), or ValueError saying what is wrong."""
    address = text.strip()
    if not address:
        raise ValueError("is empty; write an address such as name@example.org")
    try:
        parsed = Address(addr_spec=address)
    except (ValueError, HeaderParseError, IndexError):
        raise ValueError(f"'{address}' is not an email address; write one such as name@example.org") from None
    if not parsed.username or not _DOMAIN.match(parsed.domain) or parsed.addr_spec != address:
        raise ValueError(f"'{address}' is not an email address; write one such as name@example.org")
    return address


def fold(address: str) -> str:
    """The form under which two addresses are the same recipient (case differences only)."""
    return address.strip().lower()


def site_base(url: str) -> str:
    """The site's address with a trailing slash, or ValueError: every link in an email is absolute."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"'{url}' is not an http(s) address; write it like https://example.org/")
    return url.strip() if url.strip().endswith("/") else url.strip() + "/"


def check_unsubscribe(pattern: str) -> str:
    """An unsubscribe URL (https, http) or mailto: link, possibly with {token} and {email}."""
    pattern = pattern.strip()
    if not pattern:
        return ""
    scheme = urlsplit(pattern).scheme
    if scheme not in ("https", "http", "mailto"):
        raise ValueError(f"'{pattern}' must start with https://, http:// or mailto: "
                         "(e.g. https://example.org/unsubscribe?email={email}&token={token})")
    unknown = set(re.findall(r"\{[^}]*\}", pattern)) - set(PLACEHOLDERS)
    if unknown:
        raise ValueError(f"unknown placeholder {', '.join(sorted(unknown))}; use {{token}} and/or {{email}}")
    return pattern


def needs_secret(pattern: str) -> bool:
    return "{token}" in pattern


def unsubscribe_token(secret: str, address: str) -> str:
    """The personal token: an HMAC-SHA256 of the folded address, keyed by NEWSLETTER_SECRET."""
    return hmac.new(secret.encode(), fold(address).encode(), hashlib.sha256).hexdigest()[:32]


def unsubscribe_link(pattern: str, address: str | None, secret: str | None) -> str | None:
    """The unsubscribe link for ``address`` (None for a copy addressed to nobody in particular, such as
    the published one, when the pattern is personal)."""
    if not pattern:
        return None
    personal = any(p in pattern for p in PLACEHOLDERS)
    if personal and address is None:
        return None
    link = pattern
    if "{token}" in link:
        if not secret:
            raise ValueError("NEWSLETTER_SECRET is needed for the {token} of the unsubscribe link")
        link = link.replace("{token}", unsubscribe_token(secret, address))
    return link.replace("{email}", quote(fold(address), safe="@")) if "{email}" in link else link
