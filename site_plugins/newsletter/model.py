"""The newsletter's domain model: frozen dataclasses, no I/O, no MkDocs."""

from __future__ import annotations

import datetime as dt
import posixpath
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    order: int

    @property
    def banner(self) -> str:
        return f"【{self.title}】"


DEFAULT_SECTIONS: tuple[Section, ...] = (
    Section("market", "市场热点", 0),
    Section("policy", "政策聚焦", 1),
    Section("domestic", "国内资讯", 2),
    Section("international", "国际资讯", 3),
    Section("reading", "推荐阅读", 4),
    Section("announcements", "行业公告", 5),
)

DEFAULT_MASTHEAD = "节能减排信息动态"

# Sections whose articles need no `source` (an announcement is the publisher's own).
SOURCELESS_SECTIONS = frozenset({"announcements"})


@dataclass(frozen=True)
class EmailSettings:
    """The email edition's sender and unsubscribe link (plugin option ``email:``); SMTP comes from the environment."""

    enabled: bool = True  # site build writes each issue's email files (when site_url is set)
    from_name: str = DEFAULT_MASTHEAD
    from_address: str = ""
    reply_to: str = ""
    # A URL or mailto: with {token} (HMAC of the address) and/or {email} placeholders, or "" for none.
    unsubscribe: str = ""


@dataclass(frozen=True)
class Settings:
    """Everything the model-side code needs from the site configuration (no MkDocs types)."""

    sections: tuple[Section, ...] = DEFAULT_SECTIONS
    issues_dir: str = "issues"
    tags_file: str = "issues/tags.yml"
    synonyms_file: str = "issues/synonyms.yml"
    allow_raw_html: bool = False
    max_file_bytes: int = 1_000_000
    max_asset_bytes: int = 20_000_000  # a file an article links (image, DOCX, PDF…)
    show_drafts: bool = False  # the preview (serve) shows drafts, marked; builds never do
    recent_issues: int = 5
    per_page: int = 20
    pdf_enabled: bool = True  # site build writes each issue's PDF (NEWSLETTER_PDF=0 turns it off)
    pdf_timeout: int = 120  # seconds one issue's PDF may take to render
    email: EmailSettings = field(default_factory=EmailSettings)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    @property
    def section_keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.sections)


# Images wider or taller than this are published as a copy scaled to fit (the PDF embeds the original).
WEB_IMAGE_MAX = 1600
IMAGE_FORMATS = frozenset({"png", "jpg", "jpeg", "gif", "webp"})


@dataclass(frozen=True)
class Asset:
    """A file in an issue folder that an article links: published next to the article's page."""

    name: str  # path inside the issue folder, as linked and as published beside the article: "chart.png"
    path: str  # relative to the project root, for messages and reading
    kind: str  # "image" (shown with ![…](…)) or "attachment" (linked with […](…))
    size: int  # bytes
    digest: str  # SHA-256 of the content: what every cache derived from the file is keyed by
    width: int | None = None  # images: pixels, as displayed (EXIF rotation applied)
    height: int | None = None

    @property
    def format(self) -> str:
        """The file type as readers know it: DOCX, PDF, PNG."""
        return posixpath.splitext(self.name)[1].lstrip(".").upper() or "FILE"

    @property
    def web_size(self) -> tuple[int, int] | None:
        """Pixel size of the published image: the original's, or scaled so the longest side is WEB_IMAGE_MAX."""
        if self.width is None or self.height is None:
            return None
        longest = max(self.width, self.height)
        if longest <= WEB_IMAGE_MAX or self.format.lower() not in WEB_SCALED_FORMATS:
            return self.width, self.height
        scale = WEB_IMAGE_MAX / longest
        return max(1, round(self.width * scale)), max(1, round(self.height * scale))

    @property
    def scaled_for_web(self) -> bool:
        return self.web_size is not None and self.web_size != (self.width, self.height)


WEB_SCALED_FORMATS = frozenset({"png", "jpg", "jpeg", "webp"})  # GIFs (maybe animated) are published as they are


@dataclass(frozen=True)
class Article:
    issue_number: int
    slug: str
    path: str  # relative to the project root, for messages
    title: str
    section: Section
    date: dt.date
    source: str | None
    body: str  # Markdown
    source_url: str | None = None
    tags: tuple[str, ...] = ()
    doc_number: str | None = None
    authors: tuple[str, ...] = ()
    order: int | None = None
    draft: bool = False
    body_line: int = 1  # file line where the body starts
    assets: tuple[Asset, ...] = ()  # the issue folder's files this article links, in order of first link
    field_lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)  # for later messages

    @property
    def url(self) -> str:
        return f"issues/{self.issue_number}/{self.slug}/"

    @property
    def key(self) -> str:
        return f"{self.issue_number}/{self.slug}"


@dataclass(frozen=True)
class Issue:
    number: int
    date: dt.date
    path: str  # folder, relative to the project root
    title: str = DEFAULT_MASTHEAD
    publisher: str | None = None
    period: str | None = None
    note: str | None = None
    articles: tuple[Article, ...] = ()

    @property
    def url(self) -> str:
        return f"issues/{self.number}/"

    @property
    def label(self) -> str:
        return f"总第 {self.number} 期"

    def by_section(self, sections: tuple[Section, ...]) -> list[tuple[Section, list[Article]]]:
        """Articles grouped by section in configured order; empty sections left out."""
        groups = []
        for section in sorted(sections, key=lambda s: s.order):
            articles = [a for a in self.articles if a.section.key == section.key]
            if articles:
                groups.append((section, articles))
        return groups


@dataclass(frozen=True)
class Catalog:
    """Every published (non-draft) issue, oldest first."""

    issues: tuple[Issue, ...] = ()
    settings: Settings = field(default_factory=Settings)
    synonyms: tuple[tuple[str, ...], ...] = ()  # search synonym groups (issues/synonyms.yml)

    @property
    def latest(self) -> Issue | None:
        return self.issues[-1] if self.issues else None

    @property
    def articles(self) -> list[Article]:
        return [a for issue in self.issues for a in issue.articles]

    def issue(self, number: int) -> Issue | None:
        return next((i for i in self.issues if i.number == number), None)
