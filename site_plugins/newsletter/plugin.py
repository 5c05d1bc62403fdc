"""MkDocs glue: load and validate issues before anything is written, hand the model to the views,
and give MkDocs the pages they produce. No rules live here."""

from __future__ import annotations

import atexit
import gc
import json
import logging
import os
import re
from collections.abc import Mapping
from pathlib import Path

import jinja2
from markupsafe import Markup, escape
from mkdocs.exceptions import Abort, BuildError, PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel

from . import buildcache, content, feeds, markup, pages, platforms, publish, reuse
from .search import site as search_site, tokenizer
from .config import NewsletterConfig, drafts_shown
from .model import Catalog
from .parsecache import ParseCache
from .preview import PdfJob, PdfQueue, set_aside_first_build
from .pdf import pdf_path
from .problems import errors, format_problems, warnings
from .render import CompiledTemplates, Renderer, template_location
from .staging import StagedDirectory, UndoJournal

log = logging.getLogger("mkdocs.plugins.newsletter")
# The running host's logger ("mkdocs", or "properdocs", whose modules stand in for mkdocs.* under its command).
HOST_LOGGER = BasePlugin.__module__.partition(".")[0]
KEPT = "nothing was published: the site directory keeps the previous build"


class NewsletterPlugin(BasePlugin[NewsletterConfig]):
    """Having on_startup, this object lives as long as the command: during `serve` it keeps parsed
    articles, rendered bodies and each site directory's state between rebuilds."""

    supports_multiple_instances = False
    dirty = False  # `mkdocs build --dirty` / `serve --dirty`: only pages whose fingerprint changed are rendered
    command = None  # "build", "serve" or "gh-deploy": the preview (serve) shows drafts
    serving = False
    pdf_batch = None  # PDFs being typeset in worker processes during a full build (pdf/build.py)

    def on_startup(self, *, command, dirty):
        self.dirty = dirty
        self.serving = command == "serve"
        self.command = command
        self.parsed, self.parsed_salt = ParseCache(), None
        self.signer = buildcache.Signer()
        self.views = buildcache.Memo()  # the preview's page specs, kept for pages whose inputs did not change
        self.page_files = _KeptFiles()
        self.issue_digests = buildcache.Memo()  # what each issue's PDF and email are made from (_issue_digest)
        self.compiled = CompiledTemplates()
        self.site_states: dict[str, buildcache.SiteState] = {}  # the preview's, by site directory
        self.html_cache = None
        self.pdf_queue = PdfQueue(self._render_pdfs)

    # First, so that every plugin's on_config sees (and writes to) the staging site_dir.
    @event_priority(100)
    def on_config(self, config):
        self.root = Path(config.config_file_path).resolve().parent
        self.cache_dir = self.root / ".cache" / "newsletter"
        if not hasattr(self, "parsed"):  # used without on_startup (MkDocs' API called directly)
            self.on_startup(command="build", dirty=False)
        if self.serving:
            self.pdf_queue.rebuilding(True)  # background PDFs wait for the preview to be idle again
        self._stage_site(config)
        try:
            settings = self.config.settings(show_drafts=drafts_shown(self.command))
        except ValueError as exc:
            raise PluginError(f"Plugin 'newsletter' option 'sections': {exc}") from None
        if getattr(self, "settings", None) != settings:  # else the same object: what is kept keys on it
            self.settings = settings
        self.renderer = Renderer(self.root / self.config.templates_dir, {"site_name": config.site_name}, self.compiled)
        self.catalog = Catalog(settings=self.settings)
        self.specs: dict[str, pages.PageSpec] = {}
        # Any change to our code, the templates, docs/, mkdocs.yml (and what it INHERITs), the site URL or
        # the host's and theme's versions invalidates what earlier builds kept.
        self.code = buildcache.digest(str(buildcache.CACHE_VERSION),
                                      buildcache.files_digest(sorted(Path(__file__).parent.rglob("*.py"))))
        host = buildcache.versions(*platforms.HOSTS, *platforms.THEME_DISTRIBUTIONS.values())
        self.compiled.load(self.cache_dir / "templates.pickle", buildcache.digest(self.code, jinja2.__version__, host))
        tokenizer.keep_fold_table(self.cache_dir / "fold-table.json", self.code)
        self.salt = buildcache.digest(self.code, buildcache.files_digest(
            [self.root / self.config.templates_dir, *platforms.config_files(Path(config.config_file_path)),
             Path(config.docs_dir), *([Path(config.theme.custom_dir)] if config.theme.custom_dir else [])]),
            str(config.site_url), str(self.serving), host)
        return config

    def _stage_site(self, config) -> None:
        """A full build goes into a staging directory beside site_dir that on_post_build swaps in.
        A dirty build, when this plugin knows what the last build put into site_dir, writes in place
        only what changed, through an undo journal (staging.py): pages whose fingerprint changed, the
        search files and PDFs of what changed, files the build no longer has deleted."""
        self.published_site_dir = config.site_dir
        self.stage = StagedDirectory(config.site_dir)
        self.site_key = str(self.stage.target)
        self.previous = self._site_state() if self.dirty else None
        if self.previous is not None and not self.stage.target.is_dir():
            self.previous = None
        self.journal = None
        self.published = None  # a full build: what the last build put into site_dir, to reuse (reuse.py)
        if self.previous is not None:
            self.journal = UndoJournal(self.stage.target)
            self.journal.begin()
        else:
            self.published = self._site_state() if self.stage.target.is_dir() else None
            config.site_dir = str(self.stage.begin())
        self.page_digests: dict[str, str] = {}  # src_uri -> SHA-1 of the page file this build wrote or kept
        self.reused: dict[str, str] = {}  # src_uri -> the theme template a page would otherwise be rendered with
        self.strict_warnings = _WarningCounter() if config.strict else None
        if self.strict_warnings:
            logging.getLogger(HOST_LOGGER).addHandler(self.strict_warnings)

    def _release(self, path) -> None:
        """``path`` in the site is about to be written: an in-place build keeps the old one to undo."""
        if self.journal is not None:
            self.journal.release(path)

    def _site_state(self) -> buildcache.SiteState | None:
        if self.serving:
            return self.site_states.get(self.site_key)
        return buildcache.SiteState.load(self.cache_dir / "site.json", self.site_key)

    def _save_site_state(self, state: buildcache.SiteState) -> None:
        if self.serving:
            self.site_states = {self.site_key: state}
        else:
            state.save(self.cache_dir / "site.json")

    # Runs before MkDocs cleans site_dir: invalid content stops the build with the old site intact.
    @event_priority(100)
    def on_pre_build(self, config):
        salt = buildcache.digest(self.code, markup.cache_salt())
        path = self.cache_dir / "bodies.pickle"
        if self.html_cache is None or (self.html_cache.path, self.html_cache.salt) != (path, salt):
            self.html_cache = buildcache.DiskCache(path, salt)  # the preview keeps one across rebuilds
            markup.use_store(self.html_cache)
        if self.parsed_salt != (self.cache_dir, salt):  # a new process: what the last one parsed
            self.parsed, self.parsed_salt = ParseCache(), (self.cache_dir, salt)
            self.parsed.load(self.cache_dir / "parsed.pickle", salt)
        self.parsed.begin()
        catalog, problems = content.load_catalog(self.root, self.settings, self.parsed)
        self.parsed.sweep()
        for problem in warnings(problems):
            log.warning(str(problem))
        if errors(problems):
            raise PluginError(f"content has errors; {KEPT}\n" + format_problems(errors(problems)))
        self.catalog = catalog
        self.pdf_batch = self._start_pdfs()

    def on_files(self, files: Files, config) -> Files:
        self.specs = {}
        specs = pages.site_pages(self.catalog, self.views)
        self.fingerprints = buildcache.page_fingerprints(specs, self._page_salt(config, specs), self.signer)
        for file in files.documentation_pages():  # hand-written pages in docs/: few, and they show the
            file.is_modified = lambda: True       # nav and templates, which MkDocs' mtime check does not see
        taken = set(files.src_uris)  # (a dict lookup: get_file_from_path makes a PurePath of each)
        self.page_files.begin(config)
        for spec in specs:
            if spec.src_uri in taken:
                continue  # a hand-written page in docs/ wins
            inclusion = InclusionLevel.INCLUDED if spec.in_nav else InclusionLevel.NOT_IN_NAV
            file = self.page_files.get(spec.src_uri, inclusion)
            # MkDocs' --dirty skips a page whose file says it is unmodified (a generated one says modified)
            unchanged = self.previous is not None and self.previous.unchanged(spec.src_uri, self.fingerprints[spec.src_uri]) \
                and os.path.isfile(file.abs_dest_path)
            file.is_modified = _UNMODIFIED if unchanged else _MODIFIED
            files.append(file)
            self.specs[spec.src_uri] = spec
        for feed in feeds.site_feeds(self.catalog, config.site_name, config.site_url):
            files.append(File.generated(config, feed.path, content=feed.xml))
        for item in publish.published_files(self.catalog, self.root, self.cache_dir / "images"):
            if files.get_file_from_path(item.site_path) is None:
                files.append(File.generated(config, item.site_path, abs_src_path=str(item.source)))
        return files

    def _page_salt(self, config, specs) -> str:
        """The salt of every page's fingerprint: besides self.salt, what the theme shows on every page and
        is known only once every plugin has seen the configuration: the site-wide settings as loaded
        (command-line flags, !ENV values, other plugins' changes) and the nav's pages and titles."""
        shown = {key: value for key, value in config.items() if key not in _CONFIG_NOT_SHOWN}
        shown["theme"] = {"name": config.theme.name, "dirs": config.theme.dirs, **config.theme}
        titled = _titled_in_nav(config.nav or [])  # the nav shows these pages under the config's titles
        nav = [(spec.src_uri, None if spec.src_uri in titled else spec.title) for spec in specs if spec.in_nav]
        return buildcache.digest(self.salt, json.dumps(shown, sort_keys=True, ensure_ascii=False, default=_plain),
                                 repr(nav))

    # Last: the other plugins' files are known, nothing is written yet.
    @event_priority(-100)
    def on_env(self, env, config, files):
        """An in-place build: keep (to undo) what MkDocs is about to write besides pages (which
        on_post_page releases), and delete the files this build no longer has."""
        self.outputs = sorted({file.dest_uri for file in files} | set(self._made_paths(config.site_url)))
        if env.bytecode_cache is None:  # the theme's templates, compiled once per preview
            env.bytecode_cache = self.compiled
        env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({reuse.TEMPLATE: reuse.TEMPLATE_SOURCE}), env.loader])
        if self.previous is None:
            return env
        site_dir = Path(config.site_dir)
        self.journal.remove(set(self.previous.outputs) - set(self.outputs))
        for file in files:
            if not file.is_documentation_page() and file.is_modified():
                self._release(file.abs_dest_path)
        for name in [*config.theme.static_templates, "sitemap.xml.gz", *config.extra_templates]:
            self._release(site_dir / name)
        return env

    def _made_paths(self, site_url: str | None) -> list[str]:
        """Site paths of the files made from each issue besides its page: PDF and email edition."""
        paths = [pdf_path(issue) for issue in self.catalog.issues] if self.settings.pdf_enabled else []
        if self.settings.email.enabled and site_url:  # mail/build.py writes editions only then
            paths += [f"{issue.url}{name}" for issue in self.catalog.issues for name in self._email_files(issue)]
        return paths

    @staticmethod
    def _email_files(issue) -> tuple[str, ...]:
        from .mail import email_files

        return email_files(issue)

    def on_page_markdown(self, markdown, page, config, files):
        spec = self.specs.get(page.file.src_uri)
        if spec is None:
            return markdown
        # Material prints page.meta.title and description unescaped: hand it escaped markup.
        page.meta["title"] = escape(spec.title)
        if spec.description:
            page.meta["description"] = escape(spec.description)
        page.meta["hide"] = list(spec.hide)
        page.meta["feeds"] = [{"title": title, "path": path} for title, path in spec.feeds]
        if reuse.may_reuse(self.published, spec.src_uri, self.fingerprints[spec.src_uri]):
            self.reused[spec.src_uri] = page.meta.get("template", "main.html")
            page.meta["template"] = reuse.TEMPLATE  # on_page_context decides: the published bytes or a render
        return ""

    def on_page_content(self, html, page, config, files):
        spec = self.specs.get(page.file.src_uri)
        if spec is None or spec.src_uri in self.reused:
            return html
        return self._render(spec)

    def _render(self, spec: pages.PageSpec) -> str:
        try:
            return self.renderer.render(spec)
        except jinja2.TemplateError as exc:
            where = template_location(exc, spec.template).removeprefix(f"{self.root}/")
            raise PluginError(f"{where}: template: {exc} (rendering /{spec.url}); {KEPT}") from None

    # Last: the context is complete, for the theme's template when the published file is not trusted.
    @event_priority(-100)
    def on_page_context(self, context, page, config, nav):
        template = self.reused.get(page.file.src_uri)
        if template is None:
            return context
        text = reuse.published_output(self.published, page.file.src_uri, self.stage.target / page.file.dest_uri)
        if text is None:  # edited, truncated or gone since: rendered as without reuse
            del self.reused[page.file.src_uri]
            page.content = self._render(self.specs[page.file.src_uri])
        context["newsletter_output"] = None if text is None else Markup(text)
        context["newsletter_template"] = template
        return context

    # Last: the output is final (its digest is what MkDocs writes).
    @event_priority(-100)
    def on_post_page(self, output, page, config):
        self._release(page.file.abs_dest_path)  # MkDocs writes it next
        uri = page.file.src_uri
        if uri in self.reused:
            self.page_digests[uri] = self.published.page_digests[uri]
        elif uri in self.specs:
            self.page_digests[uri] = reuse.output_digest(output.encode("utf-8", errors="xmlcharrefreplace"))
        return output

    # Last of all post_build handlers: everything is written into the staging site, then it is swapped in.
    @event_priority(-100)
    def on_post_build(self, config):
        if self.strict_warnings and self.strict_warnings.count:
            return  # MkDocs aborts this strict build right after post_build; on_build_error discards it
        if not self.serving:  # the preview saves these when it stops
            self.html_cache.save()
            self.compiled.save()
            self.parsed.save(self.cache_dir / "parsed.pickle", self.parsed_salt[1])
        site_dir = Path(config.site_dir)
        self.made: dict[str, str] = {}  # site path of a file made from an issue -> digest of its sources
        self.issue_digests.begin()
        self._write_search_index(site_dir)
        self._write_pdfs(site_dir)
        self._write_emails(site_dir, config.site_url)
        if self.reused:
            log.info(f"{len(self.reused)} unchanged page(s) copied from the published site, not rendered again")
        self._publish_staged_site(config)
        for job in self.pdf_jobs:  # the preview: after the pages are served
            self.pdf_queue.want(job)
        if self.serving:
            self.pdf_queue.rebuilding(False)
        kept = self.previous.page_digests if self.previous is not None else {}  # pages a dirty build left alone
        digests = {uri: self.page_digests.get(uri) or kept[uri] for uri in self.specs
                   if uri in self.page_digests or uri in kept}
        self._save_site_state(buildcache.SiteState(self.site_key, self.fingerprints, self.outputs, self.made,
                                                     self.search_keys, digests, self.search_files))

    def on_shutdown(self):
        if not self.serving:
            # The process ends next. Python's shutdown would walk every object this build made in one last
            # cycle collection (a tenth of a second at 1,000 articles, a seventh of a --dirty build); the
            # system frees the memory anyway, and what needs closing was closed by the build itself.
            atexit.register(gc.freeze)
        self.pdf_queue.stop()
        if self.html_cache is not None:
            self.html_cache.save()
        self.compiled.save()
        if self.parsed_salt is not None:
            self.parsed.save(self.cache_dir / "parsed.pickle", self.parsed_salt[1])

    def _publish_staged_site(self, config) -> None:
        """Swap the fully built staging directory in for site_dir, or keep what an in-place build
        wrote (the last step of a build)."""
        self._forget_counter()
        if self.journal is not None:
            self.journal.commit(background=self.serving)
            log.info(f"Updated {len(self.journal.released)} file(s) of {self.published_site_dir} in place")
            return
        self.stage.commit()
        config.site_dir = self.published_site_dir
        log.info(f"Published the new site to {self.published_site_dir}")

    def _write_search_index(self, site_dir: Path) -> None:
        """The whole index for a full build; search.site.update with the articles whose page changed (its
        fingerprint covers everything the search keeps of an article) for an in-place one, and for a full
        one whose staging directory got hard links to the published index (reuse.link_trusted)."""
        self.search_keys = {article.key: self.fingerprints.get(f"{article.url}index.md", "")
                            for article in self.catalog.articles}
        cache_file = self.cache_dir / "search-tokens.sqlite"
        data = site_dir / search_site.DATA_DIR
        # A full build starts from the published index when its files are as the last build wrote them.
        start = self.previous or (self.published if self.published is not None and reuse.link_trusted(
            self.stage.target / search_site.DATA_DIR, data, self.published.search_files) else None)
        if start is None:
            stats = search_site.write(self.catalog, site_dir, cache_file=cache_file)
        else:
            if self.journal is not None:
                self.journal.keep_tree(data)  # its files are replaced by rename
                self.journal.keep_tree(site_dir / search_site.ASSETS_DIR)
            old = start.search
            changed = sorted(k for k in old.keys() | self.search_keys.keys() if old.get(k) != self.search_keys.get(k))
            stats = search_site.update(self.catalog, site_dir, changed, cache_file=cache_file)
        self.search_files = reuse.file_digests(data, start.search_files if start is not None else {})
        log.info(f"search index: {stats.documents} articles, {stats.shards} shards, {stats.files} files, {stats.bytes} bytes, "
                 f"{stats.rewritten} rewritten "
                 f"({stats.tokenized} tokenized, the rest from the cache)")

    def _write_pdfs(self, site_dir: Path) -> None:
        """Each issue's PDF goes next to its issue page (cached, see pdf/build.py). A dirty build
        writes only those whose issue changed (its page's fingerprint and its folder's files); the
        preview leaves them to a background thread (preview.py), after the pages are served."""
        self.pdf_jobs: list[PdfJob] = []
        if not self.settings.pdf_enabled:
            return
        from .pdf.build import finish_rendering, in_cache, site_targets, write_pdfs
        from .pdf.typeset import PdfError

        early = finish_rendering(self.pdf_batch, self._pdf_setup())  # what _start_pdfs began is now in the cache
        self.pdf_batch = None
        targets, placed = [], []
        for issue, target in site_targets(self.catalog, site_dir):
            path = pdf_path(issue)
            digest = self.made[path] = self._issue_digest(issue)
            if self.serving:
                published = Path(self.published_site_dir) / path
                if self.pdf_queue.current(published) == digest:
                    continue
                if self.previous is None and in_cache(issue, self.catalog, self._pdf_setup()):
                    targets.append((issue, target))  # the preview's first build: a copy now, not a job for later
                    placed.append((published, digest))
                else:
                    self.pdf_jobs.append(PdfJob(self.catalog, issue, published, digest, self.stage.target.parent))
            elif self.previous is None or self.previous.made.get(path) != digest or not target.is_file():
                self._release(target)
                targets.append((issue, target))
        try:
            report = write_pdfs(self.catalog, self._pdf_setup(), targets)
        except PdfError as exc:
            raise PluginError(f"PDF of an issue failed (set NEWSLETTER_PDF=0 to build without PDFs):\n{exc}") from None
        for published, digest in placed:
            self.pdf_queue.set_current(published, digest)
        for warning in report.warnings:  # e.g. a character no font has; --strict then fails the build
            log.warning(str(warning))
        if report.warnings and self.strict_warnings:
            raise PluginError("PDF warnings in strict mode; nothing was published")
        log.info(f"PDF: {len(report.rendered) + early} rendered ({early} while the pages were built), "
                 f"{len(report.reused) - early} from the cache, "
                 f"{len(self.catalog.issues) - len(targets) - len(self.pdf_jobs)} kept from the last build"
                 + (f", {len(self.pdf_jobs)} to render in the background" if self.pdf_jobs else ""))

    def _start_pdfs(self):
        """A full build typesets the PDFs missing from the cache in worker processes while MkDocs renders
        the pages; _write_pdfs collects them. (Dirty builds and the preview decide later what to render.)"""
        if not self.settings.pdf_enabled or self.serving or self.previous is not None:
            return None
        from .pdf.build import start_rendering

        return start_rendering(self.catalog, self._pdf_setup())

    def _issue_digest(self, issue) -> str:
        """What an issue's PDF and email edition are made from, cheaply: its page's fingerprint (every
        article of it, the templates, the code, the settings) and its folder's files (images)."""
        # The folder is read once per Issue object (the memo keys on its identity): the parse cache hands
        # out the same one again only while no file under its folder changed (parsecache.py).
        return self.issue_digests(_issue_sources_digest, self.fingerprints.get(f"{issue.url}index.md", ""),
                                  issue, self.root)

    def _pdf_setup(self):
        from .pdf.build import PdfSetup

        return PdfSetup(self.root, self.root / self.config.templates_dir, self.settings.pdf_timeout)

    def _render_pdfs(self, catalog: Catalog, targets: list) -> None:
        from .pdf.build import write_pdfs

        write_pdfs(catalog, self._pdf_setup(), targets)

    def _write_emails(self, site_dir: Path, site_url: str | None) -> None:
        """Each issue's email edition next to its issue page (cached, see mail/build.py); a dirty build
        writes those of the issues that changed."""
        from .mail.build import write_site_editions

        changed = set()
        for issue in self.catalog.issues:
            path = f"{issue.url}email"
            digest = self.made[path] = self._issue_digest(issue)
            if self.previous is None or self.previous.made.get(path) != digest:
                changed.add(issue.number)
                for name in self._email_files(issue):
                    self._release(site_dir / issue.url / name)

        try:
            log.info(write_site_editions(self.catalog, self.root, self.root / self.config.templates_dir,
                                         site_dir, site_url, changed))
        except ValueError as exc:
            raise PluginError(f"email edition: {exc}") from None

    def on_build_error(self, error):
        self._forget_counter()
        if self.serving:
            self.pdf_queue.rebuilding(False)
        if self.pdf_batch is not None:
            self.pdf_batch.stop()
        if self.journal is not None:
            self.journal.rollback()
        else:
            self.stage.abort()
        if not isinstance(error, BuildError):  # MkDocs logs a BuildError (ours say so) after this event
            log.error(KEPT.capitalize())

    def _forget_counter(self) -> None:
        if self.strict_warnings:
            logging.getLogger(HOST_LOGGER).removeHandler(self.strict_warnings)
            self.strict_warnings = None

    def on_serve(self, server, config, builder):
        """A broken edit during `mkdocs serve` prints its problems and keeps the last good site served;
        the next save that fixes it rebuilds as usual (no restart, no traceback)."""

        def build_keeping_last_good_site():
            try:
                builder()
            except Abort:
                log.error("The preview keeps showing the last good build; fix the problem above and save again.")

        server.builder = build_keeping_last_good_site
        _notified_at_once(server)
        for folder in (self.config.issues_dir, self.config.templates_dir):  # content lives outside docs_dir
            if (self.root / folder).is_dir():
                server.watch(str(self.root / folder))
        for inherited in platforms.config_files(Path(config.config_file_path))[1:]:  # mkdocs.yml under MaterialX
            server.watch(str(inherited))
        set_aside_first_build()  # on_serve comes once, right after the first build
        return server


def _issue_sources_digest(fingerprint: str, issue, root: Path) -> str:
    return buildcache.digest(fingerprint, buildcache.folder_stat_digest(root / issue.path))


def _notified_at_once(server) -> None:
    """MkDocs' server looks for changes by polling every 0.5 s (scanning every file of the archive each
    time); the system's file notification (inotify) tells at once, for free. Paths watched so far move
    to the new observer; where there is none, or the server's layout is not the one known, polling stays."""
    try:
        from watchdog.events import EVENT_TYPE_CLOSED_NO_WRITE, EVENT_TYPE_OPENED, FileSystemEventHandler
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver
    except ImportError:
        return
    reads = {EVENT_TYPE_OPENED, EVENT_TYPE_CLOSED_NO_WRITE, "attrib"}  # a build reading files is no change

    class ChangesOnly(Observer):
        def schedule(self, handler, path, recursive=False, **options):
            changes = FileSystemEventHandler()
            changes.on_any_event = lambda event: None if event.event_type in reads else handler.on_any_event(event)
            return super().schedule(changes, path, recursive=recursive, **options)

    watched = list(getattr(server, "_watched_paths", None) or {})
    if Observer is PollingObserver or not isinstance(getattr(server, "observer", None), PollingObserver):
        return
    for path in watched:
        server.unwatch(path)
    server.observer = ChangesOnly()
    for path in watched:
        server.watch(path)


# Configuration no page shows (or that differs from build to build without changing a page: site_dir is
# the staging directory).
_CONFIG_NOT_SHOWN = frozenset({"config_file_path", "site_dir", "plugins", "dev_addr", "strict", "remote_branch",
                               "remote_name", "watch", "validation", "theme"})


def _titled_in_nav(nav) -> set[str]:
    """Pages the configured nav gives a title of its own (``- 首页: index.md``)."""
    found = set()
    for item in nav if isinstance(nav, list) else [nav]:
        for value in item.values() if isinstance(item, dict) else []:
            if isinstance(value, str):
                found.add(value)
            else:
                found |= _titled_in_nav(value)
    return found


def _plain(value):
    """JSON for a configuration value json does not know (theme, sub-configs, locales): its items, or its
    text without memory addresses."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (set, frozenset)):
        return sorted(map(str, value))
    return re.sub(r" at 0x[0-9a-fA-F]+", "", str(value))


def _UNMODIFIED() -> bool:
    return False


def _MODIFIED() -> bool:
    return True


class _KeptFiles:
    """The generated pages' File objects, kept from one build of the preview to the next: making 6,000
    of them again (paths normalised, destinations and URLs worked out) is a large part of a rebuild.
    A File is a function of what it is made from (the key); MkDocs gives it a new Page every build
    (it makes one for a file whose ``page`` is None), and the plugin sets ``is_modified`` every build."""

    def __init__(self) -> None:
        self.kept: dict[tuple, File] = {}
        self.used: dict[tuple, File] = {}

    def begin(self, config) -> None:
        """A new build with ``config``: the files made for another site_dir or URL style are dropped."""
        self.config = config
        made_with = (config.site_dir, config.use_directory_urls, config.plugins._current_plugin)
        if made_with != getattr(self, "made_with", None):
            self.kept, self.used = {}, {}
        self.made_with = made_with
        self.kept, self.used = self.used or self.kept, {}

    def get(self, src_uri: str, inclusion: InclusionLevel) -> File:
        key = (src_uri, inclusion)
        file = self.kept.get(key)
        if file is None:
            file = File.generated(self.config, src_uri, content="", inclusion=inclusion)
        file.page = None
        self.used[key] = file
        return file


class _WarningCounter(logging.Handler):
    """Counts warnings during a strict build (MkDocs checks its own count only after post_build)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
