"""Read ``issues/`` into the model, validating everything on the way.

The one loader for ``newsletter check``, ``mkdocs build``/``serve``, ``newsletter pdf`` and the
importer's output. It never raises on bad content: every problem becomes a :class:`Problem`
(``path:line: field: message``), collected and returned together with what could be loaded.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import frontmatter

from . import assets, furniture, markup, vocabulary
from .search import synonyms
from .model import DEFAULT_MASTHEAD, SOURCELESS_SECTIONS, Article, Catalog, Issue, Settings
from .parsecache import ParseCache
from .problems import Problem
from .strictyaml import Document, read_mapping

ISSUE_FOLDER = re.compile(r"[0-9]{3,}\Z")
ISSUE_FILE = "issue.yml"
ARTICLE_SUFFIXES = (".md", ".markdown")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_SLUG_PREFIX = re.compile(r"[^0-9A-Za-z_-]")


# ---------------------------------------------------------------- reading files

def read_text(path: Path, rel: str, settings: Settings) -> tuple[str | None, list[Problem]]:
    """UTF-8 text of a content file (a BOM is fine), or a problem saying what is wrong with it."""
    try:
        size = path.stat().st_size
        if size > settings.max_file_bytes:
            return None, [Problem(rel, 1, "file", f"file is {size:,} bytes; the limit is "
                                  f"{settings.max_file_bytes:,} (split the article or move images out)")]
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(rel, 1, "file", f"cannot be read: {exc.strerror or exc}")]
    try:
        # Old Mac (CR) and Windows (CRLF) line endings read as LF, so front matter and lines are found.
        return raw.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n"), []
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        guess = _guess_encoding(raw)
        hint = (f"it looks like {guess}; convert it with: iconv -f {guess} -t UTF-8 '{rel}' -o '{rel}.utf8' "
                f"&& mv '{rel}.utf8' '{rel}'") if guess else "save it as UTF-8"
        return None, [Problem(rel, line, "encoding", f"file is not UTF-8; {hint}")]


def _guess_encoding(raw: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        return None
    name = best.encoding.upper().replace("_", "")
    return "GBK" if name in {"GB2312", "GB18030", "GBK"} else name


# ---------------------------------------------------------------- field rules

@dataclass(frozen=True)
class FieldRule:
    kind: str  # what a valid value looks like, for messages
    check: Callable[[Any], Any]  # normalises a value or raises ValueError(message)
    required: bool = False


def _text(value: Any) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
        raise ValueError("must be text")
    text = str(value).strip()
    if not text:
        raise ValueError("must not be empty")
    return text


def _date(value: Any) -> dt.date:
    if isinstance(value, str) and _DATE.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"'{value}' is not a date that exists; write a real date as YYYY-MM-DD") from None
    raise ValueError(f"'{value}' is not a date; write YYYY-MM-DD, e.g. 2014-10-30")


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"'{value}' is not a whole number")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"'{value}' is not true or false")
    return value


def _text_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        raise ValueError("must be a list, e.g. [碳交易, 碳汇] or one '- item' per line")
    if not isinstance(value, list):
        raise ValueError("must be a list of text")
    items = []
    for i, item in enumerate(value):
        try:
            items.append(_text(item))
        except ValueError as exc:
            raise ValueError(f"item at index {i} {exc}") from None
    if len(set(items)) != len(items):
        raise ValueError("lists the same item twice")
    return tuple(items)


def _url(value: Any) -> str:
    text = _text(value)
    if not re.match(r"https?://[^\s]+\Z", text):
        raise ValueError(f"'{text}' is not an http(s) URL")
    return text


ISSUE_FIELDS: dict[str, FieldRule] = {
    "number": FieldRule("a whole number matching the folder, e.g. 34 in issues/034/", _int, True),
    "date": FieldRule("the publication date as YYYY-MM-DD", _date, True),
    "title": FieldRule("the masthead text", _text),
    "period": FieldRule("text, the dates the issue covers", _text),
    "publisher": FieldRule("text", _text),
    "note": FieldRule("text, the editor's note", _text),
}

ARTICLE_FIELDS: dict[str, FieldRule] = {
    "title": FieldRule("text", _text, True),
    "section": FieldRule("a section key", _text, True),
    "date": FieldRule("YYYY-MM-DD", _date, True),
    "source": FieldRule("text, where the article was first published", _text),
    "source_url": FieldRule("an http(s) URL", _url),
    "tags": FieldRule("a list of tags", _text_list),
    "doc_number": FieldRule("text, e.g. 宁政发〔2014〕251号", _text),
    "authors": FieldRule("a list of names", _text_list),
    "order": FieldRule("a whole number", _int),
    "draft": FieldRule("true or false", _bool),
}


DRAFT_TITLE = "（未命名草稿）"  # what the preview shows for a draft without a title
_DRAFT_NOTE = " (a warning while the article is a draft; an error once draft is false)"


def validate_fields(doc: Document, rules: dict[str, FieldRule], rel: str,
                    draft: bool = False) -> tuple[dict[str, Any], list[Problem]]:
    """Values by field name, and problems. In a draft a missing required field is only a warning."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, rule in rules.items():
        if name not in doc.data or doc.data[name] is None:
            if rule.required:
                problems.append(_missing(rel, doc.start_line, name, f"add '{name}: ' with {rule.kind}", draft))
            continue
        try:
            values[name] = rule.check(doc.data[name])
        except ValueError as exc:
            message = str(exc) if rule.kind in str(exc) else f"{exc} (expected {rule.kind})"
            problems.append(Problem(rel, doc.line(name), name, message))
    for name in doc.data:
        if name not in rules:
            problems.append(Problem(rel, doc.line(name), name,
                                    f"unknown field; valid fields are: {', '.join(rules)}", "warning"))
    return values, problems


def _missing(rel: str, line: int, name: str, hint: str, draft: bool) -> Problem:
    return Problem(rel, line, name, f"missing required field; {hint}" + (_DRAFT_NOTE if draft else ""),
                   "warning" if draft else "error")


# ---------------------------------------------------------------- articles

def split_front_matter(text: str, rel: str) -> tuple[Document | None, str, int, list[Problem]]:
    """Front matter (parsed strictly), body and the body's first line."""
    handler = frontmatter.YAMLHandler()
    if not handler.detect(text):
        return None, text, 1, [Problem(rel, 1, "front matter",
                                       "missing; start the file with a '---' line, the fields, and another '---' line")]
    try:
        fm_text, body = handler.split(text)
    except ValueError:
        return None, text, 1, [Problem(rel, 1, "front matter", "is not closed; add a '---' line after the fields")]
    closing_line = 1 + fm_text.count("\n")  # the first '---' is line 1; fm_text runs up to the closing one
    if body.strip():
        first_text = len(text) - len(body) + (len(body) - len(body.lstrip()))
        body_line = text[:first_text].count("\n") + 1
    else:
        body_line = closing_line + 1
    doc, problems = read_mapping(fm_text, rel, line_offset=0)
    return doc, body, body_line, problems


def load_article(path: Path, rel: str, issue_number: int, settings: Settings,
                 tags: vocabulary.Vocabulary, issue_date: dt.date | None = None) -> tuple[Article | None, list[Problem]]:
    """An article file -> Article (its linked files checked and described), or None and the problems."""
    text, problems = read_text(path, rel, settings)
    if text is None:
        return None, problems
    doc, body, body_line, problems = split_front_matter(text, rel)
    if doc is None:
        return None, problems
    draft = doc.data.get("draft") is True
    values, field_problems = validate_fields(doc, ARTICLE_FIELDS, rel, draft)
    problems += field_problems
    section = None
    if "section" in values:
        section = settings.section(values["section"])
        if section is None:
            problems.append(Problem(rel, doc.line("section"), "section",
                                    f"unknown section '{values['section']}'; valid keys are: {', '.join(settings.section_keys)}"))
    if section is not None and "source" not in values and section.key not in SOURCELESS_SECTIONS:
        problems.append(_missing(rel, doc.start_line, "source", "add 'source: ' with where the article was first "
                                 f"published (only {', '.join(sorted(SOURCELESS_SECTIONS))} articles may leave it out)", draft))
    for tag in values.get("tags", ()):
        problems += tags.check(tag, rel, doc.line("tags"))
    files: tuple = ()
    if not body.strip():
        problems.append(Problem(rel, body_line, "body", "is empty; write the article text below the front matter"
                                + (_DRAFT_NOTE if draft else ""), "warning" if draft else "error"))
    else:
        problems += [Problem(rel, body_line, "body", msg, "warning")
                     for msg in markup.audit(body, allow_raw_html=settings.allow_raw_html)]
        files, file_problems = assets.article_assets(body, body_line, rel, path.parent, settings)
        problems += file_problems
    if any(p.severity == "error" for p in problems):
        return None, problems
    if draft:  # what the preview shows until the editor fills the fields in
        values.setdefault("title", DRAFT_TITLE)
        values.setdefault("date", issue_date or dt.date.today())
        section = section or settings.sections[0]
    values["section"] = section
    values.setdefault("source", None)  # announcements may have none
    for name in ("tags", "authors"):
        values[name] = tuple(values.get(name, ()))
    article = Article(issue_number=issue_number, slug=article_slug(path), path=rel, body=body,
                      body_line=body_line, assets=files, field_lines=dict(doc.lines), **values)
    return article, problems


def article_slug(path: Path) -> str:
    return path.stem.lower()


# ---------------------------------------------------------------- issues

def load_issue(folder: Path, rel: str, settings: Settings, tags: vocabulary.Vocabulary,
               parsed: ParseCache | None = None) -> tuple[Issue | None, list[Problem]]:
    problems: list[Problem] = []
    issue_file = folder / ISSUE_FILE
    issue_rel = f"{rel}/{ISSUE_FILE}"
    values: dict[str, Any] = {}
    if not issue_file.is_file():
        problems.append(Problem(issue_rel, 1, "file", f"missing; every issue folder needs {ISSUE_FILE} with number and date "
                                "(newsletter new-issue writes one)"))
    else:
        text, read_problems = read_text(issue_file, issue_rel, settings)
        problems += read_problems
        if text is not None:
            doc, yaml_problems = read_mapping(text, issue_rel, what=ISSUE_FILE)
            problems += yaml_problems
            if doc is not None:
                values, field_problems = validate_fields(doc, ISSUE_FIELDS, issue_rel)
                problems += field_problems
                folder_number = int(folder.name)
                if "number" in values and values["number"] != folder_number:
                    problems.append(Problem(issue_rel, doc.line("number"), "number",
                                            f"is {values['number']} but the folder is {folder.name}; "
                                            f"write number: {folder_number} or rename the folder"))
    articles: list[Article] = []
    slugs: dict[str, str] = {}
    number = values.get("number", int(folder.name))
    files = assets.issue_files(folder, ARTICLE_SUFFIXES, ISSUE_FILE)  # what articles may link (assets.py)
    files_state = assets.files_state(files) if parsed is not None else None
    for path in sorted(folder.iterdir()):
        if path.name.startswith((".", "_")) or path.name == ISSUE_FILE:
            continue
        path_rel = f"{rel}/{path.name}"
        if path.is_dir() or path.suffix.lower() not in ARTICLE_SUFFIXES:
            continue
        if parsed is None:
            article, article_problems = load_article(path, path_rel, number, settings, tags, values.get("date"))
        else:  # the preview's rebuilds: unchanged files are not read again
            context = (path_rel, number, settings, tags.tags, tags.path, values.get("date"), files_state)
            article, article_problems = parsed.article(
                path, context, lambda: load_article(path, path_rel, number, settings, tags, values.get("date")))
        problems += article_problems
        slug = article_slug(path)
        if slug in slugs:
            problems.append(Problem(path_rel, 1, "file", f"article slug '{slug}' is already used by {slugs[slug]}; rename one file"))
            continue
        slugs[slug] = path_rel
        if article is not None:
            articles.append(article)
    linked = {asset.name for article in articles for asset in article.assets}
    problems += assets.unlinked_files(files, rel, linked)
    if any(p.severity == "error" for p in problems) or not values:
        return None, problems
    published = [a for a in articles if settings.show_drafts or not a.draft]
    issue = Issue(
        number=values["number"],
        date=values["date"],
        path=rel,
        title=values.get("title", DEFAULT_MASTHEAD),
        publisher=values.get("publisher"),
        period=values.get("period"),
        note=values.get("note"),
        articles=tuple(sort_articles(published, settings)),
    )
    problems += completeness_warnings(issue, settings)
    if parsed is None:
        problems += furniture.issue_warnings(issue)
    else:  # the preview: checked again only for changed articles
        problems += [p for a in issue.articles for p in parsed.derived(furniture.article_warnings, a, issue.publisher)]
    return issue, problems


def sort_articles(articles: list[Article], settings: Settings) -> list[Article]:
    """Configured section order, then `order`, then file name."""
    section_rank = {s.key: s.order for s in settings.sections}

    def key(a: Article):
        return (section_rank[a.section.key], a.order if a.order is not None else 10**9, a.path)

    return sorted(articles, key=key)


def completeness_warnings(issue: Issue, settings: Settings) -> list[Problem]:
    issue_rel = f"{issue.path}/{ISSUE_FILE}"
    problems = []
    used = {a.section.key for a in issue.articles}
    for section in settings.sections:
        if section.key not in used:
            problems.append(Problem(issue_rel, 1, "sections",
                                    f"no article in section {section.key} ({section.title})", "warning"))
    for article in issue.articles:
        if article.date > issue.date:
            problems.append(Problem(article.path, article.field_lines.get("date", 1), "date",
                                    f"{article.date} is after the issue date {issue.date}", "warning"))
    return problems


# ---------------------------------------------------------------- catalog

def load_catalog(root: Path, settings: Settings, parsed: ParseCache | None = None) -> tuple[Catalog, list[Problem]]:
    """Load every issue under ``root/settings.issues_dir``. Returns what loaded and every problem.
    ``parsed`` keeps parsed articles and issues between loads, see parsecache.py."""
    issues_dir = root / settings.issues_dir
    base = settings.issues_dir.rstrip("/")
    problems: list[Problem] = []
    if not issues_dir.is_dir():
        return Catalog(settings=settings), [Problem(base, 1, "folder", "missing; create it with newsletter new-issue")]
    tags, tag_problems = vocabulary.load(root / settings.tags_file, settings.tags_file, settings)
    synonym_groups, synonym_problems = synonyms.load(root / settings.synonyms_file, settings.synonyms_file, settings)
    problems += tag_problems + synonym_problems
    issues: list[Issue] = []
    numbers: dict[int, str] = {}
    for entry in sorted(issues_dir.iterdir()):
        rel = f"{base}/{entry.name}"
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_dir() and ISSUE_FOLDER.match(entry.name):
            if parsed is None:
                issue, issue_problems = load_issue(entry, rel, settings, tags)
            else:  # read again only when a file under the folder changed
                issue, issue_problems = parsed.issue(entry, (rel, settings, tags.tags, tags.path),
                                                     lambda: load_issue(entry, rel, settings, tags, parsed))
            problems += issue_problems
            number = int(entry.name)
            if number in numbers:
                problems.append(Problem(f"{rel}/{ISSUE_FILE}", 1, "number",
                                        f"issue {number} is also {numbers[number]}; each issue number once"))
                continue
            numbers[number] = rel
            if issue is not None:
                issues.append(issue)
        elif entry.is_dir():
            problems += _stray_articles(entry, rel)
        elif entry.suffix.lower() in ARTICLE_SUFFIXES:
            problems.append(Problem(rel, 1, "file", "article outside an issue folder; move it into issues/NNN/ "
                                    "(three digits, e.g. issues/034/)"))
    issues.sort(key=lambda i: i.number)
    problems += _number_gaps(issues, base)
    return Catalog(issues=tuple(issues), settings=settings,
                   synonyms=tuple(tuple(group) for group in synonym_groups)), problems


def _stray_articles(folder: Path, rel: str) -> list[Problem]:
    return [Problem(f"{rel}/{p.relative_to(folder).as_posix()}", 1, "file",
                    f"article outside an issue folder: '{folder.name}' is not an issue number; "
                    "issue folders are three digits, e.g. issues/034/")
            for p in sorted(folder.rglob("*")) if p.suffix.lower() in ARTICLE_SUFFIXES]


def _number_gaps(issues: list[Issue], base: str) -> list[Problem]:
    problems = []
    for before, after in zip(issues, issues[1:]):
        if after.number - before.number > 1:
            missing = f"{before.number + 1}" if after.number - before.number == 2 else f"{before.number + 1}–{after.number - 1}"
            problems.append(Problem(f"{after.path}/{ISSUE_FILE}", 1, "number",
                                    f"gap in issue numbers: {missing} missing between {before.number} and {after.number}", "warning"))
    return problems
