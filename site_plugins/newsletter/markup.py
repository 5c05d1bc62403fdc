"""Article Markdown -> safe HTML, plain text and character counts. Used by the site, search and PDF.

Raw HTML in Markdown is sanitized *after* rendering with nh3 (the Ammonia sanitizer) against one
allow-list, kept here; :func:`audit` reports what that allow-list drops so ``check`` can warn.

Links and images written in Markdown are collected while converting (:func:`references`, for the
loader's file checks). An image alone in its paragraph with a title, ``![alt](x.png "图 1 …")``, becomes
a ``<figure>`` with the title as its ``<figcaption>``. Given the article's files (:func:`render`),
images get their pixel size and ``loading="lazy"``, and links to attachments their type and size.
"""

from __future__ import annotations

import posixpath
import re
import threading
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from typing import Mapping, Sequence
from urllib.parse import quote, unquote, urlsplit

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .model import Asset

MARKDOWN_EXTENSIONS = [
    "tables",
    "footnotes",
    "attr_list",
    "sane_lists",
    "pymdownx.tilde",
    "pymdownx.caret",
]
MARKDOWN_CONFIG = {
    "footnotes": {"BACKLINK_TITLE": "返回正文", "SUPERSCRIPT_TEXT": "{}"},
}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "div", "dl", "dt",
    "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "li", "mark", "ol", "p",
    "pre", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "title", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"colspan", "rowspan", "align", "style"},
    "th": {"colspan", "rowspan", "align", "style", "scope"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
URL_ATTRIBUTES = {"href", "src"}
# Elements removed with their content (everything else not allowed is unwrapped, keeping its text).
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript", "textarea", "select"}
_TEXT_ALIGN = re.compile(r"\s*text-align:\s*(left|right|center);?\s*\Z")


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    if attribute == "style":  # Markdown tables align cells with style="text-align: …"; nothing else passes
        return value if _TEXT_ALIGN.match(value) else None
    return value


@dataclass(frozen=True)
class Reference:
    """A link or image as written in an article's Markdown."""

    kind: str  # "image" or "link"
    target: str  # the URL or path as written
    text: str  # alt text of an image, text of a link


def file_name(target: str) -> str | None:
    """The path inside the issue folder that a relative link names ("./img/a.png" -> "img/a.png"), or None
    for anything else: other sites, in-page anchors, page links ending in "/", absolute paths, "../" escapes."""
    parts = urlsplit(target)
    path = parts.path
    if parts.scheme or parts.netloc or not path or path.startswith("/") or path.endswith("/"):
        return None
    name = posixpath.normpath(unquote(path))
    if name in (".", "..") or name.startswith("../"):
        return None
    return name


def file_label(asset: Asset) -> str:
    """What follows a link to an attachment: （附件 · DOCX · 45 KB）."""
    return f"（附件 · {asset.format} · {human_size(asset.size)}）"


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / 1024 / 1024:.1f} MB"


class _FileLinks(Treeprocessor):
    """Collects references, makes captioned images figures and, given the article's files, decorates them."""

    def run(self, root: etree.Element) -> None:
        md = self.md
        files: Mapping[str, Asset] = getattr(md, "nl_files", None) or {}
        base: str = getattr(md, "nl_base", "")
        md.nl_references = []
        for parent in list(root.iter()):
            for child in list(parent):
                if child.tag == "img":
                    md.nl_references.append(Reference("image", child.get("src", ""), child.get("alt", "")))
                    self._image(child, files, base)
                elif child.tag == "a" and child.get("href") is not None:
                    md.nl_references.append(Reference("link", child.get("href"), "".join(child.itertext())))
                    self._link(parent, child, files, base)
            if parent.tag == "p" and _is_captioned_image(parent):
                image = parent[0]
                parent.tag = "figure"
                etree.SubElement(parent, "figcaption").text = image.attrib.pop("title")

    @staticmethod
    def _image(image: etree.Element, files: Mapping[str, Asset], base: str) -> None:
        asset = files.get(file_name(image.get("src", "")) or "")
        if asset is None:
            return
        if asset.web_size:
            image.set("width", str(asset.web_size[0]))
            image.set("height", str(asset.web_size[1]))
        image.set("loading", "lazy")
        if base:
            image.set("src", base + quote(asset.name))

    @staticmethod
    def _link(parent: etree.Element, link: etree.Element, files: Mapping[str, Asset], base: str) -> None:
        asset = files.get(file_name(link.get("href", "")) or "")
        if asset is None:
            return
        if base:
            link.set("href", base + quote(asset.name))
        label = etree.Element("span", {"class": "nl-file"})
        label.text = file_label(asset)
        label.tail, link.tail = link.tail, None
        parent.insert(list(parent).index(link) + 1, label)


def _is_captioned_image(paragraph: etree.Element) -> bool:
    return (len(paragraph) == 1 and paragraph[0].tag == "img" and bool(paragraph[0].get("title"))
            and not (paragraph.text or "").strip() and not (paragraph[0].tail or "").strip())


class _FilesExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_FileLinks(md), "newsletter_files", 15)  # after inline (20): links exist


_per_thread = threading.local()


def _markdown() -> markdown.Markdown:
    """This thread's Markdown instance. Building one costs as much as converting an article, so each
    thread makes one and resets it; it is not shared, because a conversion keeps its state in it (the
    preview typesets PDFs in a background thread while pages render)."""
    md = getattr(_per_thread, "md", None)
    if md is None:
        md = _per_thread.md = markdown.Markdown(extensions=[*MARKDOWN_EXTENSIONS, _FilesExtension()],
                                                extension_configs=MARKDOWN_CONFIG, output_format="html")
    return md


def _convert(body: str, files: Mapping[str, Asset] | None = None, base: str = "") -> tuple[str, tuple[Reference, ...]]:
    md = _markdown().reset()
    md.nl_files, md.nl_base = files or {}, base
    try:
        html = md.convert(body)
    finally:
        md.nl_files, md.nl_base = {}, ""
    return html, tuple(md.nl_references)


# What is derived from bodies, kept across builds (a buildcache.DiskCache the plugin sets), or None.
_store = None


def use_store(store) -> None:
    global _store
    _store = store
    _converted.cache_clear()


def stored(kind: str, body: str, make):
    """``make(body)``, or what the store kept for the same kind and body from an earlier build."""
    return _store.get(kind, body, make) if _store is not None else make(body)


def cache_salt() -> str:
    """What the stored HTML depends on besides the body: the Markdown library and our settings of it."""
    return f"{markdown.__version__}|{MARKDOWN_EXTENSIONS}|{MARKDOWN_CONFIG}|files 1"


@lru_cache(maxsize=4096)
def _converted(body: str) -> tuple[str, tuple[Reference, ...]]:
    """Markdown -> unsanitized HTML and its references. Cached: the loader and the page render convert
    each body once, and with a store, once across builds."""
    return stored("converted", body, _convert)


def to_html(body: str) -> str:
    return _converted(body)[0]


def references(body: str) -> tuple[Reference, ...]:
    """Every link and image written in Markdown (not in raw HTML), in document order."""
    return _converted(body)[1]


def render(body: str, *, allow_raw_html: bool = False, files: Sequence[Asset] = (), base: str = "") -> str:
    """Markdown body -> HTML fragment. Sanitized unless the site turned raw HTML on. ``files``: the
    article's assets (sizes, labels); ``base``: what links to them start with ("" on the article's own
    page, where they are published, and in the PDF, which reads the issue folder; the article's
    absolute URL in feeds)."""
    html = _convert(body, {asset.name: asset for asset in files}, base)[0] if files else to_html(body)
    if allow_raw_html:
        return html
    return sanitize(html)


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )


class _Auditor(HTMLParser):
    """Names what :func:`sanitize` would drop from rendered HTML, in words an editor understands."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.dropped: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.dropped.append(f"<{tag}> element")
            return
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ALLOWED_ATTRIBUTES["*"]
        for name, value in attrs:
            value = value or ""
            if name not in allowed or _filter_attribute(tag, name, value) is None:
                self.dropped.append(f"'{name}' attribute on <{tag}>")
            elif name in URL_ATTRIBUTES:
                scheme = re.match(r"\s*([A-Za-z][A-Za-z0-9+.-]*):", value)
                if scheme and scheme.group(1).lower() not in URL_SCHEMES:
                    self.dropped.append(f"{scheme.group(1)}: URL in <{tag} {name}>")

    def handle_comment(self, data: str) -> None:
        self.dropped.append("HTML comment")


def audit(body: str, *, allow_raw_html: bool = False) -> list[str]:
    """Messages for each thing the sanitizer removes from this body (empty when raw HTML is allowed)."""
    if allow_raw_html:
        return []
    return stored("audit", body, _audit)


def _audit(body: str) -> list[str]:
    auditor = _Auditor()
    auditor.feed(to_html(body))
    return [f"raw HTML removed when published: {what} (only {', '.join(sorted(URL_SCHEMES))} links, "
            "tables, footnotes, images and basic formatting are kept)" for what in dict.fromkeys(auditor.dropped)]


class _TextExtractor(HTMLParser):
    BLOCKS = {"p", "li", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "div", "table", "br"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.in_label = False

    def handle_starttag(self, tag, attrs):
        if tag in ("sup", "a") and self._is_footnote_link(tag, dict(attrs)):
            self.skip += 1
        if tag == "span" and dict(attrs).get("class") == "nl-file":  # （附件 · DOCX · 45 KB） is not text
            self.skip += 1
            self.in_label = True
        if tag in self.BLOCKS:
            self.parts.append("\n")

    @staticmethod
    def _is_footnote_link(tag: str, attrs: dict) -> bool:
        return (attrs.get("id") or "").startswith("fnref") or "footnote-backref" in (attrs.get("class") or "")

    def handle_endtag(self, tag):
        if tag == "span" and self.in_label:
            self.skip -= 1
            self.in_label = False
        if tag in ("sup", "a") and self.skip:
            self.skip -= 1
        if tag in self.BLOCKS or tag in ("td", "th"):
            self.parts.append("\n" if tag in self.BLOCKS else " ")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def plain_text(html: str) -> str:
    """Readable text of an HTML fragment: one line per block, footnote markers left out."""
    extractor = _TextExtractor()
    extractor.feed(html)
    text = "".join(extractor.parts)
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_COUNTED = re.compile(rf"[{_CJK}]|[A-Za-z0-9]+(?:[.'’-][A-Za-z0-9]+)*")
CHARS_PER_MINUTE = 400  # typical silent reading speed for Chinese prose


def char_count(text: str) -> int:
    """字数 as Chinese editors count it: each Han character is one, each Latin word or number is one,
    punctuation and spaces are not counted."""
    return len(_COUNTED.findall(text))


def reading_minutes(count: int) -> int:
    return max(1, round(count / CHARS_PER_MINUTE))
