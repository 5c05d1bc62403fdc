"""Typed options of the ``newsletter`` MkDocs plugin (mkdocs.yml ``plugins: - newsletter: …``).

MkDocs' config machinery validates them and names the option in its messages; :meth:`settings`
turns them into the MkDocs-free :class:`~newsletter.model.Settings` the rest of the code uses.
"""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c

from .model import DEFAULT_SECTIONS, Section, Settings


class SectionConfig(base.Config):
    key = c.Type(str)
    title = c.Type(str)


class ArchiveConfig(base.Config):
    per_page = c.Type(int, default=20)
    recent_issues = c.Type(int, default=5)


class NewsletterConfig(base.Config):
    issues_dir = c.Type(str, default="issues")
    templates_dir = c.Type(str, default="templates")
    tags_file = c.Type(str, default="issues/tags.yml")
    synonyms_file = c.Type(str, default="issues/synonyms.yml")
    allow_raw_html = c.Type(bool, default=False)
    max_file_bytes = c.Type(int, default=1_000_000)
    sections = c.ListOfItems(c.SubConfig(SectionConfig), default=[])
    archive = c.SubConfig(ArchiveConfig)

    def settings(self) -> Settings:
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
            recent_issues=self.archive.recent_issues,
            per_page=self.archive.per_page,
        )
