"""What `newsletter new-issue` and `new-article` write: files that pass `check` as they are.

A new issue takes the next number, and the masthead and publisher of the issue before it. A new
article is a draft dated with its issue, named so it comes after the last article of its section.
No MkDocs here; cli.py prints what these return.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from . import content
from .model import DEFAULT_MASTHEAD, SOURCELESS_SECTIONS, Issue, Settings

_PREFIX = re.compile(r"([0-9]+)")


@dataclass(frozen=True)
class Scaffold:
    path: Path
    text: str
    fill_in: str  # what the editor still has to write, printed after the path


def _catalog(root: Path, settings: Settings):
    from dataclasses import replace

    catalog, _ = content.load_catalog(root, replace(settings, show_drafts=True))  # drafts count for the order
    return catalog


def _numbers(root: Path, settings: Settings) -> list[int]:
    folder = root / settings.issues_dir
    return sorted(int(p.name) for p in folder.iterdir() if p.is_dir() and content.ISSUE_FOLDER.match(p.name)) \
        if folder.is_dir() else []


def new_issue(root: Path, settings: Settings, number: int | None, date: str | None) -> Scaffold:
    numbers = _numbers(root, settings)
    number = number if number is not None else (numbers[-1] + 1 if numbers else 1)
    earlier = [i for i in _catalog(root, settings).issues if i.number < number]
    previous: Issue | None = earlier[-1] if earlier else None
    title = previous.title if previous else DEFAULT_MASTHEAD
    publisher = previous.publisher if previous and previous.publisher else None
    lines = [f"number: {number}", f"date: {date or dt.date.today().isoformat()}", f"title: {title}",
             f"publisher: {publisher}" if publisher else "# publisher: 出版单位", "# period: 2014-10-24 至 2014-10-30",
             "# note: 编者按（可选）"]
    todo = ["date (the publication date)" + ("" if date else ", today for now"), "period and note (optional)"]
    if not publisher:
        todo.insert(1, "publisher")
    fill_in = "; ".join(todo) + f". Next: newsletter new-article {number} --section {settings.sections[0].key}"
    return Scaffold(root / settings.issues_dir / f"{number:03d}" / content.ISSUE_FILE, "\n".join(lines) + "\n", fill_in)


class ScaffoldError(ValueError):
    """Nothing was written; the message says why."""


def new_article(root: Path, settings: Settings, number: int, slug: str | None, section_key: str | None) -> Scaffold:
    folder = root / settings.issues_dir / f"{number:03d}"
    if not (folder / content.ISSUE_FILE).is_file():
        raise ScaffoldError(f"{folder}: no such issue; create it first with: newsletter new-issue {number}")
    section = settings.section(section_key) if section_key else None
    if section_key and section is None:
        raise ScaffoldError(f"--section {section_key}: unknown section; valid keys are: {', '.join(settings.section_keys)}")
    issue = _catalog(root, settings).issue(number)
    if issue is None:
        raise ScaffoldError(f"{folder}/{content.ISSUE_FILE}: the issue has errors; run newsletter check and fix them first")
    names = sorted(p.stem for p in folder.iterdir() if p.suffix.lower() in content.ARTICLE_SUFFIXES)
    prefixes = [int(m[1]) for m in map(_PREFIX.match, names) if m]
    slug = slug or f"{max(prefixes, default=0) + 1:02d}-{section.key if section else 'article'}"
    keys = ", ".join(settings.section_keys)
    text = ("---\n"
            "title: \n"
            f"section: {section.key if section else ''}  # one of: {keys}\n"
            f"date: {issue.date.isoformat()}  # the issue's date; write the article's own\n"
            "source: \n"
            "source_url: \n"
            "tags: []\n"
            "doc_number: \n"
            "authors: []\n"
            "draft: true  # shown only in the preview (newsletter serve), marked 草稿; false publishes it\n"
            "---\n\n"
            "正文从这里开始。\n")
    todo = ["title"] + ([] if section else ["section"]) + (
        [] if section and section.key in SOURCELESS_SECTIONS else ["source"]) + ["the article's date", "tags", "the text"]
    fill_in = (", ".join(todo) + "; then set draft: false to publish. Images and attachments go in the issue "
               "folder, linked by name: ![图 1 说明](chart.png \"图 1 标题\"), [附件名称](附件.docx). "
               "Preview while you write: newsletter serve")
    placed = _placement(issue, section, f"{settings.issues_dir}/{number:03d}/{slug}.md")
    return Scaffold(folder / f"{slug}.md", text, (placed + ". " if placed else "") + "Fill in: " + fill_in)


def _placement(issue: Issue, section, path: str) -> str:
    """Where the new article comes in its section (file-name order among articles without `order:`)."""
    if section is None:
        return ""
    others = [a for a in issue.articles if a.section.key == section.key]
    if not others:
        return f"the first article of {section.title}"
    later = [a for a in others if a.order is None and a.path > path]
    if later:
        return (f"note: it sorts before {later[0].path} (file names set the order); rename it to come after, "
                "or give the articles order: numbers")
    return f"after 「{others[-1].title}」, the last article of {section.title}"
