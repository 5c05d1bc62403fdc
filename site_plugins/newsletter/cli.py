"""The editors' command ``newsletter``: thin wrappers over the modules that own each job."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from . import content, platforms
from .model import Settings
from .problems import errors, format_problems


def load_mkdocs(config_file: Path):
    """mkdocs.yml and its newsletter plugin (the one place the site is configured)."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    logger = logging.getLogger("mkdocs")
    logger.setLevel(logging.ERROR)
    collected = _Collected()
    logger.addHandler(collected)
    try:
        config = load_config(str(config_file))
    except MkDocsException as exc:  # mkdocs logs each bad option, then raises Abort (a silent SystemExit)
        raise SystemExit("\n".join(f"{config_file.name}: {m}" for m in collected.messages) or f"{config_file}: {exc}")
    finally:
        logger.removeHandler(collected)
    plugin = config.plugins.get("newsletter")
    if plugin is None:
        raise SystemExit(f"{config_file}: plugins: the newsletter plugin is not configured")
    return config, plugin


class _Collected(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def load_settings(config_file: Path) -> Settings:
    return load_mkdocs(config_file)[1].config.settings()


def _config_file(args) -> Path:
    """The config to load for ``args.config`` on the chosen host and theme (platforms.py)."""
    config_file = Path(args.config).resolve()
    if not config_file.is_file():
        raise SystemExit(f"{args.config}: not found; run from the project folder or pass -f path/to/mkdocs.yml")
    return platforms.site_config(config_file, args.theme)


def _project(args) -> tuple[Path, Settings]:
    config_file = _config_file(args)
    return config_file.parent, load_settings(config_file)


def cmd_check(args) -> int:
    from .config import site_url_problems

    config_file = _config_file(args)
    config, plugin = load_mkdocs(config_file)
    catalog, problems = content.load_catalog(config_file.parent, plugin.config.settings())
    if problems:
        print(format_problems(problems), file=sys.stderr)
    # About the site's configuration, not the content: on stdout, so the content report stays the one
    # every command prints.
    for problem in site_url_problems(args.config, config.site_url):
        print(problem)
    if errors(problems):
        return 1
    print(f"ok: {len(catalog.issues)} issue(s), {len(catalog.articles)} article(s)")
    return 0


def _write_new(path: Path, text: str) -> int:
    try:
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        print(f"{path}: already exists; nothing was overwritten", file=sys.stderr)
        return 1
    print(f"wrote {path}")
    return 0


def _write_scaffold(scaffold) -> int:
    scaffold.path.parent.mkdir(parents=True, exist_ok=True)
    written = _write_new(scaffold.path, scaffold.text)
    if written == 0:
        print(f"  {scaffold.fill_in}")
    return written


def cmd_new_issue(args) -> int:
    from . import scaffold

    root, settings = _project(args)
    return _write_scaffold(scaffold.new_issue(root, settings, args.number, args.date))


def cmd_new_article(args) -> int:
    from . import scaffold

    root, settings = _project(args)
    try:
        made = scaffold.new_article(root, settings, args.issue, args.slug, args.section)
    except scaffold.ScaffoldError as exc:
        print(exc, file=sys.stderr)
        return 1
    return _write_scaffold(made)


def cmd_pdf(args) -> int:
    from .pdf.command import make_pdfs

    config_file = _config_file(args)
    config, plugin = load_mkdocs(config_file)
    return make_pdfs(config_file.parent, plugin.config.settings(), Path(config.site_dir),
                     config_file.parent / plugin.config.templates_dir, args)


def _mail_project(args):
    from .mail.command import Project

    config_file = _config_file(args)
    config, plugin = load_mkdocs(config_file)
    return Project(config_file.parent, plugin.config.settings(), Path(config.site_dir),
                   config_file.parent / plugin.config.templates_dir, config.site_url or None)


def cmd_email(args) -> int:
    from .mail.command import make_email

    return make_email(_mail_project(args), args)


def cmd_send(args) -> int:
    from .mail.send_command import send_issue

    return send_issue(_mail_project(args), args, os.environ)


def cmd_import(args) -> int:
    from . import importer

    config_file = Path(args.config).resolve()
    root, settings = _project(args) if config_file.is_file() else (Path.cwd(), Settings())
    return importer.import_command(args.files, args.out, settings, root, number=args.number, force=args.force)


def _run_host(args, verb: str, *extra: str, **env_vars: str) -> int:
    """Become the host's build or serve (exec, not a child): a signal to this process (Ctrl-C, a service
    manager's SIGTERM) reaches the server itself, and no orphaned server is left behind."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", **env_vars)
    command = platforms.host_command(args.host, verb, _config_file(args), *extra)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(command[0], command, env)


def cmd_build(args) -> int:
    return _run_host(args, "build", *(["--strict"] if args.strict else []),
                     *(["--site-dir", args.site_dir] if args.site_dir else []))


def cmd_serve(args) -> int:
    # --dirty: after the first build a save re-renders only what it changed (plugin.py, buildcache.py);
    # NEWSLETTER_DRAFTS: the preview shows drafts (config.py)
    return _run_host(args, "serve", "-a", args.addr, "--dirty", NEWSLETTER_DRAFTS="1")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsletter", description="Write, check and publish the newsletter.")
    parser.add_argument("-f", "--config", default="mkdocs.yml", help="the site's mkdocs.yml (default: ./mkdocs.yml)")
    parser.add_argument("--host", choices=platforms.HOSTS, default=os.environ.get("NEWSLETTER_HOST", platforms.DEFAULT_HOST),
                        help="build with MkDocs or ProperDocs (default: $NEWSLETTER_HOST, else mkdocs)")
    parser.add_argument("--theme", choices=platforms.THEMES, default=platforms.installed_theme(),
                        help="the theme, when mkdocs.yml's is not the one installed (default: the installed one)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("check", help="validate every issue and article; list every problem as path:line: field: message")
    p.set_defaults(run=cmd_check)

    p = sub.add_parser("new-issue", help="create issues/NNN/issue.yml (masthead and publisher from the issue before)")
    p.add_argument("number", type=int, nargs="?", help="issue number (default: the one after the latest)")
    p.add_argument("--date", help="publication date, YYYY-MM-DD (default: today)")
    p.set_defaults(run=cmd_new_issue)

    p = sub.add_parser("new-article", help="write an article file with every front matter field to fill in")
    p.add_argument("issue", type=int, help="issue number")
    p.add_argument("slug", nargs="?", help="file name without .md (default: NN-<section>, after the issue's last file)")
    p.add_argument("--section")
    p.set_defaults(run=cmd_new_article)

    p = sub.add_parser("import", aliases=["import-text"],
                       help="import printed issues (PDF or extracted text), each into its own issues/NNN/")
    p.add_argument("files", nargs="+", metavar="FILE", help="a printed issue: .pdf, or the text extracted from one")
    p.add_argument("--out", required=True,
                   help="the issues folder (each issue goes to OUT/NNN/, NNN from 总第 N 期), or one issue's folder")
    p.add_argument("--number", type=int, help="the issue number, for a single file without a running header")
    p.add_argument("--force", action="store_true", help="replace an existing issue folder as a whole")
    p.set_defaults(run=cmd_import)

    p = sub.add_parser("pdf", help="write the printable PDF of an issue (default: into the site, next to its page)")
    p.add_argument("number", nargs="?", type=int, help="issue number, e.g. 34")
    p.add_argument("--all", action="store_true", help="every issue")
    p.add_argument("--out", help="PDF file (one issue) or folder (--all); default: site/issues/N/")
    p.add_argument("--timeout", type=float, help="seconds per issue (default: plugin option pdf: timeout)")
    p.add_argument("--no-cache", action="store_true", help="render even if an unchanged PDF is cached")
    p.set_defaults(run=cmd_pdf)

    p = sub.add_parser("email", help="write the email edition of an issue (HTML, text and .eml; default: into the site)")
    p.add_argument("number", type=int, help="issue number, e.g. 34")
    p.add_argument("--site-url", help="the site's address for the links (default: site_url in mkdocs.yml)")
    p.add_argument("--out", help="folder to write into (default: site/issues/N/)")
    p.add_argument("--no-cache", action="store_true", help="render even if an unchanged edition is cached")
    p.set_defaults(run=cmd_email)

    p = sub.add_parser("send", help="send the email edition of an issue over SMTP (NEWSLETTER_SMTP_* settings)")
    p.add_argument("number", type=int, help="issue number, e.g. 34")
    p.add_argument("--to", help="the list: UTF-8 CSV with an email column")
    p.add_argument("--test", metavar="ADDRESS", help="send one copy marked 【测试】 to ADDRESS (not logged)")
    p.add_argument("--dry-run", action="store_true", help="check the list and settings, show what would be sent")
    p.add_argument("--rate", type=float, help="at most N messages per minute (default: no limit)")
    p.add_argument("--retries", type=int, default=3, help="attempts after a temporary failure (default 3)")
    p.add_argument("--retry-delay", type=float, default=5.0,
                   help="seconds before the first retry, doubled each time (default 5)")
    p.add_argument("--site-url", help="the site's address for the links (default: site_url in mkdocs.yml)")
    p.set_defaults(run=cmd_send)

    p = sub.add_parser("build", help="build the site (mkdocs build, or properdocs build with --host properdocs)")
    p.add_argument("--strict", action="store_true")
    p.add_argument("-d", "--site-dir", help="build into this folder instead of mkdocs.yml's site_dir")
    p.set_defaults(run=cmd_build)

    p = sub.add_parser("serve", help="preview the site with live reload (mkdocs serve, or properdocs serve)")
    p.add_argument("--addr", default="127.0.0.1:8000")
    p.set_defaults(run=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    platforms.use_host(args.host)  # before anything imports mkdocs.*
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
