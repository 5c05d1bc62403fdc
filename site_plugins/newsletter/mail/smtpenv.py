"""SMTP settings from the environment (never from a committed file), checked all at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

TLS_MODES = ("starttls", "tls", "none")
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    tls: str = "starttls"  # starttls | tls (implicit, usually port 465) | none
    user: str | None = None
    password: str | None = None
    secret: str | None = None  # NEWSLETTER_SECRET: keys the unsubscribe token

    @property
    def login(self) -> bool:
        return bool(self.user and self.password)

    def describe(self) -> str:
        who = f", login as {self.user}" if self.login else ", no login"
        return f"{self.host}:{self.port} ({self.tls}{who})"


def smtp_settings(env: Mapping[str, str], *, need_secret: bool) -> tuple[SmtpSettings | None, list[str]]:
    """The settings, or every message about what is missing or wrong (each naming its variable)."""
    problems = []
    host = env.get("NEWSLETTER_SMTP_HOST", "").strip()
    if not host:
        problems.append("NEWSLETTER_SMTP_HOST: not set; export the mail server or relay's name, "
                        "e.g. NEWSLETTER_SMTP_HOST=smtp.example.org")
    tls = env.get("NEWSLETTER_SMTP_TLS", "starttls").strip().lower() or "starttls"
    if tls not in TLS_MODES:
        problems.append(f"NEWSLETTER_SMTP_TLS: '{tls}' is not one of {', '.join(TLS_MODES)} (default starttls)")
    port_text = env.get("NEWSLETTER_SMTP_PORT", "").strip() or ("465" if tls == "tls" else "587")
    port = int(port_text) if port_text.isdigit() else 0
    if not 0 < port < 65536:
        problems.append(f"NEWSLETTER_SMTP_PORT: '{port_text}' is not a port number; write e.g. 587 (starttls), "
                        "465 (tls) or 25")
    user = env.get("NEWSLETTER_SMTP_USER") or None
    password = env.get("NEWSLETTER_SMTP_PASSWORD") or None
    if user and password and tls == "none" and host not in _LOOPBACK:
        problems.append("NEWSLETTER_SMTP_TLS: 'none' would send the password in clear to "
                        f"{host}; use starttls or tls")
    secret = env.get("NEWSLETTER_SECRET") or None
    if need_secret and not secret:
        problems.append("NEWSLETTER_SECRET: not set, and the unsubscribe link has a {token}; export a long "
                        "random value (e.g. from: openssl rand -hex 32) and keep it: the tokens depend on it")
    if problems:
        return None, problems
    return SmtpSettings(host, port, tls, user, password, secret), []
