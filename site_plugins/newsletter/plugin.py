"""MkDocs glue: load and validate issues before anything is written, hand the model to the views,
and give MkDocs the pages they produce. No rules live here."""

from __future__ import annotations

import logging
from pathlib import Path

from markupsafe import escape
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel

from . import buildcache, content, feeds, markup, pages
from .config import NewsletterConfig
from .model import Catalog
from .problems import errors, format_problems, warnings
from .render import Renderer

log = logging.getLogger("mkdocs.plugins.newsletter")


class NewsletterPlugin(BasePlugin[NewsletterConfig]):
    supports_multiple_instances = False
    dirty = False  # `mkdocs build --dirty` / `serve --dirty`: only pages whose fingerprint changed are rendered

    def on_startup(self, *, command, dirty):
        self.dirty = dirty

    def on_config(self, config):
        try:
            self.settings = self.config.settings()
        except ValueError as exc:
            raise PluginError(f"Plugin 'newsletter' option 'sections': {exc}") from None
        self.root = Path(config.config_file_path).resolve().parent
        self.renderer = Renderer(self.root / self.config.templates_dir, {"site_name": config.site_name})
        self.catalog = Catalog(settings=self.settings)
        self.specs: dict[str, pages.PageSpec] = {}
        self.cache_dir = self.root / ".cache" / "newsletter"
        # Any change to our code, the templates or mkdocs.yml invalidates what earlier builds kept.
        self.code = buildcache.digest(str(buildcache.CACHE_VERSION),
                                      buildcache.files_digest(sorted(Path(__file__).parent.rglob("*.py"))))
        self.salt = buildcache.digest(self.code, buildcache.files_digest(
            [self.root / self.config.templates_dir, Path(config.config_file_path)]))
        return config

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
            raise PluginError("content has errors; nothing was written:\n" + format_problems(errors(problems)))
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
        return self.renderer.render(spec)

    def on_post_build(self, config):
        self.html_cache.save()
        buildcache.Fingerprints(self.cache_dir / "pages.json").save(self.fingerprints)
