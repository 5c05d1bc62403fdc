"""Files next to articles: which files of an issue folder an article links, checked, as :class:`Asset` values.

Layout: an article links a file in its issue folder (or a subfolder of it) by a relative path,
``![碳价走势](chart.png)`` or ``[名单](附件/名单.docx)``; the site publishes the file beside the article's
page, so the same link works on the page and in the PDF (which reads the issue folder). Only files an
article links are published; nothing outside the issue folder is ever read. Links in raw HTML are not
files of the article (they are published as written). Called by the loader (content.py).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlsplit

from . import images, markup
from .model import IMAGE_FORMATS, Asset, Settings
from .problems import Problem

# Files the site would serve as pages or scripts from its own origin: never published.
ACTIVE_FORMATS = frozenset({"html", "htm", "xhtml", "shtml", "svg", "svgz", "js", "mjs", "xml", "xsl", "php"})
CONTENT_FORMATS = frozenset({"md", "markdown", "yml", "yaml"})


def _line_of(target: str, body: str, body_line: int, start: int) -> int:
    """The file line where ``target`` is written (searching from body line ``start``), else the body's first."""
    lines = body.split("\n")
    for index in [*range(start, len(lines)), *range(0, start)]:
        if target in lines[index]:
            return body_line + index
    return body_line


def article_assets(body: str, body_line: int, rel: str, folder: Path, settings: Settings,
                   ) -> tuple[tuple[Asset, ...], list[Problem]]:
    """The files ``body`` links in its issue ``folder``, and a problem for each link that cannot be published."""
    assets: dict[str, Asset] = {}
    problems: list[Problem] = []
    first_line = body_line - body[: len(body) - len(body.lstrip())].count("\n")  # the line of body[0]
    cursor = 0
    for reference in markup.references(body):
        line = _line_of(reference.target, body, first_line, cursor)
        cursor = line - first_line
        if reference.kind == "image" and not reference.text.strip():
            problems.append(Problem(rel, line, "body", f"image {reference.target} has no alt text; describe it "
                                    f"for readers who cannot see it: ![碳价走势图]({reference.target})", "warning"))
        message = _refusal(reference.target)
        if message:
            problems.append(Problem(rel, line, "body", message))
            continue
        name = markup.file_name(reference.target)
        if name is None:
            continue  # another site, an anchor or a page of the site
        if name in assets:
            continue
        asset, message = _asset(name, reference.kind, folder, rel, settings)
        if message:
            problems.append(Problem(rel, line, "body", f"{reference.target}: {message}"))
        else:
            assets[name] = asset
    return tuple(assets.values()), problems


def _refusal(target: str) -> str | None:
    """Why a link that points outside its issue folder cannot be published, or None."""
    parts = urlsplit(target)
    scheme = parts.scheme.lower()
    where = "put the file in the issue folder and link it by its name, e.g. chart.png"
    if scheme == "file" or (len(scheme) == 1 and target[1:2] == ":"):  # file:///… or C:\…
        return f"{target}: links a file on this computer; {where}"
    if scheme or parts.netloc or not parts.path or parts.path.endswith("/"):
        return None  # other sites (the sanitizer keeps http, https, mailto), anchors, pages of the site
    if parts.path.startswith("/") or parts.path.startswith("\\"):
        return f"{target}: absolute path; {where}"
    if markup.file_name(target) is None:
        return f"{target}: leaves the issue folder; {where}"
    return None


def _asset(name: str, kind: str, folder: Path, rel: str, settings: Settings) -> tuple[Asset | None, str | None]:
    issue_rel = rel.rpartition("/")[0]
    path = folder / name
    fmt = name.rpartition(".")[2].lower() if "." in name else ""
    if not path.resolve().is_relative_to(folder.resolve()):
        return None, "leaves the issue folder (through a symbolic link); copy the file into the folder"
    if not path.is_file():
        return None, f"no such file in {issue_rel}/ (file names are case-sensitive)"
    if fmt in CONTENT_FORMATS:
        return None, "is an article or issue file, not published as a file; link an article by its page, e.g. ../02-beijing/"
    if fmt in ACTIVE_FORMATS:
        return None, f"{fmt.upper()} files could run scripts on the site and are not published; attach a PDF instead"
    size = path.stat().st_size
    if size > settings.max_asset_bytes:
        return None, (f"is {size:,} bytes; the limit is {settings.max_asset_bytes:,} "
                      "(make it smaller, or raise max_asset_bytes under the newsletter plugin in mkdocs.yml)")
    if kind == "image" and fmt not in IMAGE_FORMATS:
        return None, f"is not an image the site can show ({', '.join(sorted(IMAGE_FORMATS))}); link it as [附件](…) instead"
    width = height = None
    if fmt in IMAGE_FORMATS:
        try:
            width, height = images.image_size(path)
        except images.ImageError as exc:
            return None, str(exc)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return Asset(name, f"{issue_rel}/{name}", "image" if fmt in IMAGE_FORMATS else "attachment",
                 size, digest, width, height), None


def issue_files(folder: Path, article_suffixes: tuple[str, ...], issue_file: str) -> list[tuple[str, Path]]:
    """(name inside the folder, path) of every file of an issue folder besides its articles and issue file;
    names starting with "." or "_" are left out, as the loader leaves them out."""
    files = []
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if not path.is_file() or any(part.startswith((".", "_")) for part in name.split("/")):
            continue
        if name == issue_file or (path.parent == folder and path.suffix.lower() in article_suffixes):
            continue
        files.append((name, path))
    return files


def files_state(files: list[tuple[str, Path]]) -> tuple:
    """What an article's parse depends on besides its own file: the issue folder's other files as they are now
    (the preview's parse cache keys on it, so a replaced or added image is seen at once)."""
    state = []
    for name, path in files:
        st = path.stat()
        state.append((name, st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino))
    return tuple(state)


def unlinked_files(files: list[tuple[str, Path]], rel: str, linked: set[str]) -> list[Problem]:
    """A warning for each file in an issue folder that no article links (it is not published)."""
    return [Problem(f"{rel}/{name}", 1, "file", "no article links this file, so it is not published; "
                    f"link it, e.g. ![说明]({name}) or [附件]({name}), or delete it", "warning")
            for name, _ in files if name not in linked]
