#!/usr/bin/env python3
"""CPU seconds of one MkDocs command, by phase: where a short build (`--dirty`) spends its time.

    cd PROJECT && NEWSLETTER_PDF=0 /path/to/.venv/bin/python /path/to/scripts/build_phases.py build -q --dirty

Prints to stderr, after the command: the imports before MkDocs' command line runs, load_config (which
imports the plugins), MkDocs' listing of the theme's files, each plugin event (all plugins together)
and MkDocs' per-page steps, then the process total. CPU time (user + system of this process), so a
busy machine changes the figures less than wall time would.
"""

import atexit
import sys
import time

_START = time.process_time()

import mkdocs.plugins  # noqa: E402
from mkdocs.commands import build as _build  # noqa: E402
import mkdocs.config as _config  # noqa: E402
from mkdocs.structure import files as _files  # noqa: E402

_totals: dict[str, float] = {}


def _timed(name: str, function):
    def timed(*args, **kwargs):
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            _totals[name] = _totals.get(name, 0.0) + time.process_time() - start
    return timed


_run_event = mkdocs.plugins.PluginCollection.run_event
mkdocs.plugins.PluginCollection.run_event = lambda self, name, item=None, **kw: _timed(
    f"on_{name}", _run_event)(self, name, item, **kw)
for _name in ("_populate_page", "_build_page", "_build_theme_template"):
    setattr(_build, _name, _timed(_name, getattr(_build, _name)))
_files.Files.add_files_from_theme = _timed("theme files listed", _files.Files.add_files_from_theme)
_config.load_config = _timed("load_config", _config.load_config)
_IMPORTS = time.process_time() - _START


@atexit.register
def _report() -> None:
    print(f"{'imports before the command':28s} {_IMPORTS:.3f}", file=sys.stderr)
    for name, seconds in sorted(_totals.items(), key=lambda item: -item[1]):
        if seconds >= 0.005:
            print(f"{name:28s} {seconds:.3f}", file=sys.stderr)
    print(f"{'process total':28s} {time.process_time():.3f}", file=sys.stderr)


if __name__ == "__main__":
    from mkdocs.__main__ import cli

    sys.argv = ["mkdocs", *sys.argv[1:]]
    cli()
