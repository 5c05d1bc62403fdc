"""Jinja rendering of page specs with our templates (autoescape on: content is never trusted)."""

from __future__ import annotations

import datetime as dt
import posixpath
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache

from .buildcache import load_salted, save_salted
from .pages import PageSpec


def relative_url(target: str, current: str) -> str:
    """Link from the page at directory URL ``current`` to site path ``target`` (works on any static host)."""
    path, hash_, fragment = target.partition("#")
    if not path:
        return target
    # posixpath.relpath, without its normalisation: site paths here are already clean ("a/b/", "a/f.xml")
    here = [part for part in current.split("/") if part]
    there = path.split("/")
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    rel = "../" * (len(here) - common) + "/".join(there[common:])
    return (rel or "./") + hash_ + fragment


def date_zh(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def environment(templates_dir: Path, autoescape: Any = True) -> jinja2.Environment:
    """Our Jinja set-up: escaping on (``autoescape`` may narrow it to HTML templates), strict undefined."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date_zh"] = date_zh
    return env


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory across the preview's rebuilds (MkDocs and this plugin make a
    new Jinja environment for every build), and in ``.cache/`` for the next process (:meth:`load`,
    :meth:`save`: compiling the theme's templates is a good part of starting a ``--dirty`` build). Jinja
    keys each entry by the template's name and file and checks the checksum of its source, so an edited
    template is compiled again; the salt (our code, Jinja's and the host's versions) drops the file
    when anything else that shapes the compiled code changes."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}
        self.loaded: tuple[Path, str] | None = None  # (file, salt) of the last load
        self.changed = False

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()
        self.changed = True

    def load(self, path: Path, salt: str) -> None:
        """What a process with the same salt compiled (once per file and salt)."""
        if self.loaded == (path, salt):
            return
        self.loaded, self.changed = (path, salt), False
        self.store.update(load_salted(path, salt) or {})  # none yet, or unreadable: compile

    def save(self) -> None:
        if not self.changed or self.loaded is None:
            return
        save_salted(*self.loaded, self.store)
        self.changed = False


class Renderer:
    def __init__(self, templates_dir: Path, site_globals: dict[str, Any] | None = None,
                 compiled: CompiledTemplates | None = None):
        self.env = environment(templates_dir)
        self.env.bytecode_cache = compiled
        self.env.globals.update(site_globals or {})

    def render(self, spec: PageSpec, **extra: Any) -> str:
        template = self.env.get_template(spec.template)

        def url(target: str) -> str:
            return relative_url(target, spec.url)

        return template.render(page=spec, url=url, **spec.context, **extra)


def template_location(exc: jinja2.TemplateError, template: str) -> str:
    """``templates_file:line`` of a template error, for a message without a traceback."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.lineno:
        return f"{exc.filename or exc.name or template}:{exc.lineno}"
    where = template
    tb = exc.__traceback__
    while tb is not None:  # Jinja maps frames of compiled templates back to template files and lines
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt")):
            where = f"{filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where
