"""An article body as data for the Typst template: a tree of blocks and inlines (JSON-ready dicts).

The input is the body as the site publishes it (``markup.render``: Markdown, then the sanitizer's
allow-list), so the PDF shows exactly what the page shows and nothing the sanitizer drops. The output
holds text only as string values: the template places them as text, never evaluates them, so ``#``,
``$``, ``*``, ``_``, ``@``, ``<``, ``\\`` and backticks in an article print as written.

Blocks: ``{"t": "p"|"h"|"list"|"table"|"quote"|"figure"|"pre"|"hr"|"terms", ...}``.
Inlines: a plain string, or ``{"t": "strong"|"em"|"sub"|"sup"|"code"|"link"|"note"|"image"|"br"|
"strike"|"underline"|"mark"|"small", ...}``. A footnote reference becomes ``{"t": "note", "c": [blocks]}``
where it is referenced (the template makes it a footnote at the foot of that page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

Inline = str | dict
Block = dict

_VOID = {"br", "hr", "img", "col"}
_INLINE_STYLES = {"strong": "strong", "b": "strong", "em": "em", "i": "em", "sub": "sub", "sup": "sup",
                  "del": "strike", "s": "strike", "ins": "underline", "u": "underline", "mark": "mark",
                  "small": "small"}
_BLOCK_TAGS = {"p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote", "figure", "pre", "hr", "dl",
               "div", "img"}
_ALIGN = re.compile(r"text-align:\s*(left|right|center)")
_SPACE = re.compile(r"[ \t\r\n]+")
_HAN = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
# A line break inside a Chinese sentence is no space (a browser shows one; print must not).
_CJK_BREAK = re.compile(rf"(?<=[{_HAN}])[ \t]*\r?\n[ \t]*(?=[{_HAN}])")


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list["Node | str"] = field(default_factory=list)

    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("body", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_html(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


@dataclass(frozen=True)
class ImageRef:
    """An image the body shows, as written in the Markdown (``src``), for the document to resolve."""

    src: str
    alt: str


class BodyConverter:
    """One article body -> blocks. ``image_path(src)`` turns an image's src into the path the template
    reads (or None to leave the image out); the document decides what is allowed."""

    def __init__(self, image_path) -> None:
        self.image_path = image_path
        self.notes: dict[str, list[Block]] = {}

    def convert(self, html: str) -> list[Block]:
        root = parse_html(html)
        self._take_footnotes(root)
        return self.blocks(root.children)

    # -------------------------------------------------------------- footnotes

    def _take_footnotes(self, root: Node) -> None:
        """Remove Markdown's footnote list from the end of the body and keep each note by id."""
        for child in list(root.children):
            if isinstance(child, Node) and child.tag == "div" and "footnote" in child.classes():
                root.children.remove(child)
                for item in _descendants(child, "li"):
                    _drop_backrefs(item)
                    self.notes[item.attrs.get("id", "")] = self.blocks(item.children)

    def _note_ref(self, node: Node) -> Inline | None:
        """The footnote a ``<sup><a class="footnote-ref" href="#fn:1">`` stands for, or None."""
        links = [c for c in node.children if isinstance(c, Node) and c.tag == "a" and "footnote-ref" in c.classes()]
        if len(links) != 1:
            return None
        note = self.notes.get(links[0].attrs.get("href", "").lstrip("#"))
        if note is None:
            return None
        if len(note) == 1 and note[0]["t"] == "p":  # one paragraph: its text follows the note number
            return {"t": "note", "c": note[0]["c"]}
        return {"t": "note", "c": note}

    # -------------------------------------------------------------- blocks

    def blocks(self, children: list[Node | str]) -> list[Block]:
        """Block-level content; runs of inline content between blocks become paragraphs."""
        out: list[Block] = []
        run: list[Node | str] = []

        def flush():
            inlines = _trim(self.inlines(run))
            if inlines:
                out.append({"t": "p", "c": inlines})
            run.clear()

        for child in children:
            if isinstance(child, Node) and child.tag in _BLOCK_TAGS:
                flush()
                out.extend(self.block(child))
            else:
                run.append(child)
        flush()
        return out

    def block(self, node: Node) -> list[Block]:
        tag = node.tag
        if tag == "p":
            image = _lone_image(node)
            if image is not None:
                title = image.attrs.get("title", "").strip()
                figure = self._image_figure(image, caption=[title] if title else None)
                return [figure] if figure else []
            inlines = _trim(self.inlines(node.children))
            return [{"t": "p", "c": inlines}] if inlines else []
        if tag in ("h2", "h3", "h4", "h5", "h6"):
            return [{"t": "h", "level": int(tag[1]), "c": _trim(self.inlines(node.children))}]
        if tag in ("ul", "ol"):
            items = [self.blocks(li.children) for li in node.children if isinstance(li, Node) and li.tag == "li"]
            start = int(node.attrs["start"]) if node.attrs.get("start", "").isdigit() else 1
            return [{"t": "list", "ordered": tag == "ol", "start": start, "items": items}]
        if tag == "blockquote":
            return [{"t": "quote", "c": self.blocks(node.children)}]
        if tag == "table":
            return [self._table(node)]
        if tag == "figure":
            return self._figure(node)
        if tag == "img":
            figure = self._image_figure(node, caption=None)
            return [figure] if figure else []
        if tag == "pre":
            return [{"t": "pre", "s": node.text().rstrip("\n")}]
        if tag == "hr":
            return [{"t": "hr"}]
        if tag == "dl":
            return [self._terms(node)]
        return self.blocks(node.children)  # div and anything else: its content

    def _figure(self, node: Node) -> list[Block]:
        captions = [c for c in node.children if isinstance(c, Node) and c.tag == "figcaption"]
        images = _descendants(node, "img")
        caption = _trim(self.inlines(captions[0].children)) if captions else None
        if len(images) == 1:
            figure = self._image_figure(images[0], caption=caption)
            return [figure] if figure else []
        rest = [c for c in node.children if c not in captions]
        return self.blocks(rest) + ([{"t": "p", "c": caption}] if caption else [])

    def _image_figure(self, image: Node, caption: list[Inline] | None) -> Block | None:
        path = self.image_path(ImageRef(image.attrs.get("src", ""), image.attrs.get("alt", "")))
        if path is None:
            return None
        return {"t": "figure", "src": path, "alt": image.attrs.get("alt", ""), "caption": caption}

    def _table(self, node: Node) -> Block:
        header: list[list[dict]] = []
        rows: list[list[dict]] = []
        for part in node.children:
            if not isinstance(part, Node):
                continue
            if part.tag == "caption":
                continue
            trs = [part] if part.tag == "tr" else [r for r in part.children if isinstance(r, Node) and r.tag == "tr"]
            for tr in trs:
                cells = [self._cell(c) for c in tr.children if isinstance(c, Node) and c.tag in ("td", "th")]
                (header if part.tag == "thead" else rows).append(cells)
        if not header and rows and rows[0] and all(c["head"] for c in rows[0]):
            header, rows = rows[:1], rows[1:]
        columns = max([sum(c["colspan"] for c in r) for r in header + rows] or [1])
        captions = [c for c in node.children if isinstance(c, Node) and c.tag == "caption"]
        caption = _trim(self.inlines(captions[0].children)) if captions else None
        return {"t": "table", "columns": columns, "header": header, "rows": rows, "caption": caption}

    def _cell(self, cell: Node) -> dict:
        align = _ALIGN.search(cell.attrs.get("style", "")) or re.match(r"(left|right|center)$", cell.attrs.get("align", ""))
        return {"c": self.blocks(cell.children), "head": cell.tag == "th",
                "colspan": _positive(cell.attrs.get("colspan")), "rowspan": _positive(cell.attrs.get("rowspan")),
                "align": align.group(1) if align else "auto"}

    def _terms(self, node: Node) -> Block:
        items, term = [], None
        for child in node.children:
            if isinstance(child, Node) and child.tag == "dt":
                term = _trim(self.inlines(child.children))
            elif isinstance(child, Node) and child.tag == "dd":
                items.append({"term": term or [], "c": self.blocks(child.children)})
                term = None
        return {"t": "terms", "items": items}

    # -------------------------------------------------------------- inlines

    def inlines(self, children: list[Node | str]) -> list[Inline]:
        out: list[Inline] = []
        for child in children:
            if isinstance(child, str):
                text = _SPACE.sub(" ", _CJK_BREAK.sub("", child))
                if text:
                    if out and isinstance(out[-1], str):
                        out[-1] += text
                    else:
                        out.append(text)
            else:
                out.extend(self.inline(child))
        return out

    def inline(self, node: Node) -> list[Inline]:
        tag = node.tag
        if tag == "sup":
            note = self._note_ref(node)
            if note is not None:
                return [note]
        if tag in _INLINE_STYLES:
            return [{"t": _INLINE_STYLES[tag], "c": self.inlines(node.children)}]
        if tag == "code":
            return [{"t": "code", "s": node.text()}]
        if tag == "br":
            return [{"t": "br"}]
        if tag == "a":
            href = node.attrs.get("href", "")
            content = self.inlines(node.children)
            if re.match(r"(https?|mailto):", href, re.I):
                return [{"t": "link", "url": href, "c": content}]
            return content
        if tag == "img":
            path = self.image_path(ImageRef(node.attrs.get("src", ""), node.attrs.get("alt", "")))
            return [{"t": "image", "src": path, "alt": node.attrs.get("alt", "")}] if path else []
        if tag in _BLOCK_TAGS or tag in ("li", "dt", "dd", "tr", "td", "th"):
            return self.inlines(node.children)  # block markup where only text fits: keep its text
        return self.inlines(node.children)  # span, abbr and anything else: its content


def _lone_image(node: Node) -> Node | None:
    """The image of a paragraph that holds one image and nothing else: a figure, its Markdown title the caption."""
    content = [c for c in node.children if not (isinstance(c, str) and not c.strip())]
    if len(content) == 1 and isinstance(content[0], Node) and content[0].tag == "img":
        return content[0]
    return None


def _descendants(node: Node, tag: str) -> list[Node]:
    found = []
    for child in node.children:
        if isinstance(child, Node):
            if child.tag == tag:
                found.append(child)
            else:
                found.extend(_descendants(child, tag))
    return found


def _drop_backrefs(node: Node) -> None:
    node.children = [c for c in node.children if not (isinstance(c, Node) and "footnote-backref" in c.classes())]
    for child in node.children:
        if isinstance(child, Node):
            _drop_backrefs(child)


def _trim(inlines: list[Inline]) -> list[Inline]:
    """Inline content without leading/trailing white space (a no-break space before a backlink included)."""
    inlines = list(inlines)
    while inlines and isinstance(inlines[0], str) and not inlines[0].strip():
        inlines.pop(0)
    while inlines and isinstance(inlines[-1], str) and not inlines[-1].strip():
        inlines.pop()
    if inlines and isinstance(inlines[0], str):
        inlines[0] = inlines[0].lstrip()
    if inlines and isinstance(inlines[-1], str):
        inlines[-1] = inlines[-1].rstrip(" \t\n\u00a0")
    return inlines


def _positive(value: str | None) -> int:
    return int(value) if value and value.isdigit() and int(value) > 0 else 1
