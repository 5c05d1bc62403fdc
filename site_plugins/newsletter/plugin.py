"""MkDocs glue: load and validate issues before anything is written, hand the model to the views,
and give MkDocs the pages they produce. No rules live here."""

from __future__ import annotations

import logging
from pathlib import Path

import jinja2
from markupsafe import escape
from mkdocs.exceptions import Abort, BuildError, PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel

from . import buildcache, content, feeds, markup, pages, platforms, publish
from .search import site as search_site
from .config import NewsletterConfig, drafts_shown
from .model import Catalog
from .problems import errors, format_problems, warnings
from .render import Renderer, template_location
from .staging import StagedDirectory

log = logging.getLogger("mkdocs.plugins.newsletter")
# The running host's logger ("mkdocs", or "properdocs", whose modules stand in for mkdocs.* under its command).
HOST_LOGGER = BasePlugin.__module__.partition(".")[0]
KEPT = "nothing was published: the site directory keeps the previous build"


class NewsletterPlugin(BasePlugin[NewsletterConfig]):
    supports_multiple_instances = False
    dirty = False  # `mkdocs build --dirty` / `serve --dirty`: only pages whose fingerprint changed are rendered
    command = None  # "build", "serve" or "gh-deploy": the preview (serve) shows drafts

    def on_startup(self, *, command, dirty):
        self.dirty = dirty
        self.command = command

    # First, so that every plugin's on_config sees (and writes to) the staging site_dir.
    @event_priority(100)
    def on_config(self, config):
        self._stage_site(config)
        try:
            self.settings = self.config.settings(show_drafts=drafts_shown(self.command))
        except ValueError as exc:
            raise PluginError(f"Plugin 'newsletter' option 'sections': {exc}") from None
        self.root = Path(config.config_file_path).resolve().parent
        self.renderer = Renderer(self.root / self.config.templates_dir, {"site_name": config.site_name})
        self.catalog = Catalog(settings=self.settings)
        self.specs: dict[str, pages.PageSpec] = {}
        self.cache_dir = self.root / ".cache" / "newsletter"
        # Any change to our code, the templates or mkdocs.yml (and what it INHERITs) invalidates what earlier builds kept.
        self.code = buildcache.digest(str(buildcache.CACHE_VERSION),
                                      buildcache.files_digest(sorted(Path(__file__).parent.rglob("*.py"))))
        self.salt = buildcache.digest(self.code, buildcache.files_digest(
            [self.root / self.config.templates_dir, *platforms.config_files(Path(config.config_file_path))]))
        return config

    def _stage_site(self, config) -> None:
        """Build into a staging directory beside site_dir; on_post_build swaps it in (staging.py).
        A --dirty build starts from a copy of the published site and re-renders only changed pages."""
        self.published_site_dir = config.site_dir
        self.stage = StagedDirectory(config.site_dir)
        config.site_dir = str(self.stage.begin(copy_published=self.dirty))
        self.strict_warnings = _WarningCounter() if config.strict else None
        if self.strict_warnings:
            logging.getLogger(HOST_LOGGER).addHandler(self.strict_warnings)

    # Runs before MkDocs cleans site_dir: invalid content stops the build with the old site intact.
    @event_priority(100)
    def on_pre_build(self, config):
        self.html_cache = buildcache.DiskCache(self.cache_dir / "bodies.pickle",
                                               buildcache.digest(self.code, markup.cache_salt()))
        markup.use_store(self.html_cache)
        catalog, problems = content.load_catalog(self.root, self.settings)
        for problem in warnings(problems):
            log.warning(str(problem))
        if errors(problems):
            raise PluginError(f"content has errors; {KEPT}\n" + format_problems(errors(problems)))
        self.catalog = catalog

    def on_files(self, files: Files, config) -> Files:
        self.specs = {}
        specs = pages.site_pages(self.catalog)
        self.fingerprints = buildcache.page_fingerprints(specs, self.salt)
        previous = buildcache.Fingerprints(self.cache_dir / "pages.json")
        for spec in specs:
            if files.get_file_from_path(spec.src_uri) is not None:
                continue  # a hand-written page in docs/ wins
            inclusion = InclusionLevel.INCLUDED if spec.in_nav else InclusionLevel.NOT_IN_NAV
            file = File.generated(config, spec.src_uri, content="", inclusion=inclusion)
            if self.dirty and previous.unchanged(spec.src_uri, self.fingerprints[spec.src_uri]) \
                    and Path(file.abs_dest_path).is_file():
                file.is_modified = lambda: False  # MkDocs' --dirty then skips it; generated files say True
            files.append(file)
            self.specs[spec.src_uri] = spec
        for feed in feeds.site_feeds(self.catalog, config.site_name, config.site_url):
            files.append(File.generated(config, feed.path, content=feed.xml))
        for item in publish.published_files(self.catalog, self.root, self.cache_dir / "images"):
            if files.get_file_from_path(item.site_path) is None:
                files.append(File.generated(config, item.site_path, abs_src_path=str(item.source)))
        return files

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
        return ""

    def on_page_content(self, html, page, config, files):
        spec = self.specs.get(page.file.src_uri)
        if spec is None:
            return html
        try:
            return self.renderer.render(spec)
        except jinja2.TemplateError as exc:
            where = template_location(exc, spec.template).removeprefix(f"{self.root}/")
            raise PluginError(f"{where}: template: {exc} (rendering /{spec.url}); {KEPT}") from None

    # Last of all post_build handlers: everything is written into the staging site, then it is swapped in.
    @event_priority(-100)
    def on_post_build(self, config):
        if self.strict_warnings and self.strict_warnings.count:
            return  # MkDocs aborts this strict build right after post_build; on_build_error discards it
        self.html_cache.save()
        buildcache.Fingerprints(self.cache_dir / "pages.json").save(self.fingerprints)
        site_dir = Path(config.site_dir)
        self._write_search_index(site_dir)
        self._write_pdfs(site_dir)
        self._write_emails(site_dir, config.site_url)
        self._publish_staged_site(config)

    def _publish_staged_site(self, config) -> None:
        """Swap the fully built staging directory in for site_dir (the last step of a build)."""
        self._forget_counter()
        self.stage.commit()
        config.site_dir = self.published_site_dir
        log.info(f"Published the new site to {self.published_site_dir}")

    def _write_search_index(self, site_dir: Path) -> None:
        stats = search_site.write(self.catalog, site_dir,
                                  cache_file=self.cache_dir / "search-tokens.sqlite")
        log.info(f"search index: {stats.documents} articles, {stats.shards} shards, {stats.files} files, {stats.bytes} bytes, "
                 f"{stats.rewritten} rewritten "
                 f"({stats.tokenized} tokenized, the rest from the cache)")

    def _write_pdfs(self, site_dir: Path) -> None:
        """Each issue's PDF goes next to its issue page (cached, see pdf/build.py)."""
        if not self.settings.pdf_enabled:
            return
        from .pdf.build import PdfSetup, site_targets, write_pdfs
        from .pdf.typeset import PdfError

        setup = PdfSetup(self.root, self.root / self.config.templates_dir, self.settings.pdf_timeout)
        try:
            report = write_pdfs(self.catalog, setup, site_targets(self.catalog, site_dir))
        except PdfError as exc:
            raise PluginError(f"PDF of an issue failed (set NEWSLETTER_PDF=0 to build without PDFs):\n{exc}") from None
        for warning in report.warnings:  # e.g. a character no font has; --strict then fails the build
            log.warning(str(warning))
        if report.warnings and self.strict_warnings:
            raise PluginError("PDF warnings in strict mode; nothing was published")
        log.info(f"PDF: {len(report.rendered)} rendered, {len(report.reused)} unchanged (cache {setup.cache_dir})")

    def _write_emails(self, site_dir: Path, site_url: str | None) -> None:
        """Each issue's email edition next to its issue page (cached, see mail/build.py)."""
        from .mail.build import write_site_editions

        try:
            log.info(write_site_editions(self.catalog, self.root, self.root / self.config.templates_dir,
                                         site_dir, site_url))
        except ValueError as exc:
            raise PluginError(f"email edition: {exc}") from None

    def on_build_error(self, error):
        self._forget_counter()
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
        for folder in (self.config.issues_dir, self.config.templates_dir):  # content lives outside docs_dir
            if (self.root / folder).is_dir():
                server.watch(str(self.root / folder))
        for inherited in platforms.config_files(Path(config.config_file_path))[1:]:  # mkdocs.yml under MaterialX
            server.watch(str(inherited))
        return server


class _WarningCounter(logging.Handler):
    """Counts warnings during a strict build (MkDocs checks its own count only after post_build)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
