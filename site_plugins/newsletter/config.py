"""Typed options of the ``newsletter`` MkDocs plugin (mkdocs.yml ``plugins: - newsletter: …``).

MkDocs' config machinery validates them and names the option in its messages; :meth:`settings`
turns them into the MkDocs-free :class:`~newsletter.model.Settings` the rest of the code uses.
"""

from __future__ import annotations

import os

from mkdocs.config import base
from mkdocs.config import config_options as c

from .problems import Problem
from .mail.addresses import check_address, check_unsubscribe
from .model import DEFAULT_MASTHEAD, DEFAULT_SECTIONS, EmailSettings, Section, Settings


class SectionConfig(base.Config):
    key = c.Type(str)
    title = c.Type(str)


class ArchiveConfig(base.Config):
    per_page = c.Type(int, default=20)
    recent_issues = c.Type(int, default=5)


class PdfConfig(base.Config):
    enabled = c.Type(bool, default=True)
    timeout = c.Type(int, default=120)


def pdf_enabled(configured: bool) -> bool:
    """The ``pdf: enabled`` option, unless the environment says NEWSLETTER_PDF=0 (benchmarks, quick builds)."""
    return configured and os.environ.get("NEWSLETTER_PDF", "1").strip().lower() not in {"0", "false", "no", "off"}


def drafts_shown(command: str | None) -> bool:
    """Drafts appear (marked 草稿) in the preview only: `mkdocs serve`, or a preview that sets NEWSLETTER_DRAFTS=1
    (`newsletter serve` does). `mkdocs build`, feeds, search, sitemap, PDF and email never hold them."""
    return command == "serve" or os.environ.get("NEWSLETTER_DRAFTS", "").strip().lower() in {"1", "true", "yes", "on"}


class _CheckedText(c.Type):
    """Text normalised and checked by a MkDocs-free rule (``check`` raises ValueError with the message)."""

    def __init__(self, check, default: str = ""):
        super().__init__(str, default=default)
        self.check = check

    def run_validation(self, value):
        value = super().run_validation(value)
        try:
            return self.check(value) if value else value
        except ValueError as exc:
            raise c.ValidationError(str(exc)) from None


class EmailConfig(base.Config):
    enabled = c.Type(bool, default=True)
    from_name = c.Type(str, default=DEFAULT_MASTHEAD)
    from_address = _CheckedText(check_address)
    reply_to = _CheckedText(check_address)
    unsubscribe = _CheckedText(check_unsubscribe)

    def settings(self) -> EmailSettings:
        return EmailSettings(enabled=self.enabled, from_name=self.from_name, from_address=self.from_address,
                             reply_to=self.reply_to, unsubscribe=self.unsubscribe)


def site_url_problems(config_file: str, site_url: str | None) -> list[Problem]:
    """The one warning about an unset site_url: what the site and the email edition lose without it."""
    if site_url:
        return []
    return [Problem(config_file, 1, "site_url", "not set, so feed links are relative, sitemap.xml is empty and "
                    "the build writes no email edition; set site_url: https://… in mkdocs.yml "
                    "(newsletter email also takes --site-url)", "warning")]


class NewsletterConfig(base.Config):
    issues_dir = c.Type(str, default="issues")
    templates_dir = c.Type(str, default="templates")
    tags_file = c.Type(str, default="issues/tags.yml")
    synonyms_file = c.Type(str, default="issues/synonyms.yml")
    allow_raw_html = c.Type(bool, default=False)
    max_file_bytes = c.Type(int, default=1_000_000)
    max_asset_bytes = c.Type(int, default=20_000_000)  # an image or attachment an article links
    sections = c.ListOfItems(c.SubConfig(SectionConfig), default=[])
    archive = c.SubConfig(ArchiveConfig)
    pdf = c.SubConfig(PdfConfig)
    email = c.SubConfig(EmailConfig)

    def settings(self, show_drafts: bool = False) -> Settings:
        sections = tuple(Section(s.key, s.title, i) for i, s in enumerate(self.sections)) or DEFAULT_SECTIONS
        keys = [s.key for s in sections]
        if len(set(keys)) != len(keys):
            raise ValueError(f"section keys must be unique, got {keys}")
        return Settings(
            sections=sections,
            issues_dir=self.issues_dir,
            tags_file=self.tags_file,
            synonyms_file=self.synonyms_file,
            allow_raw_html=self.allow_raw_html,
            max_file_bytes=self.max_file_bytes,
            max_asset_bytes=self.max_asset_bytes,
            show_drafts=show_drafts,
            recent_issues=self.archive.recent_issues,
            per_page=self.archive.per_page,
            pdf_enabled=pdf_enabled(self.pdf.enabled),
            pdf_timeout=self.pdf.timeout,
            email=self.email.settings(),
        )
