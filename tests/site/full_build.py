"""Clean full builds of a project, the reference for tests/site/test_incremental.py:

    python tests/site/full_build.py PROJECT SERVE_URL

writes PROJECT/full-serve (what `mkdocs serve` builds first, at SERVE_URL) and PROJECT/site (`mkdocs
build`), each in a fresh plugin object and with no .cache/.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config


def main(project: Path, url: str) -> None:
    os.chdir(project)
    for serving in (True, False):
        shutil.rmtree(project / ".cache", ignore_errors=True)
        site_dir = project / ("full-serve" if serving else "site")
        config = load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(site_dir))
        config.plugins.on_startup(command="serve" if serving else "build", dirty=False)
        if serving:
            config.site_url = url
        build(config, serve_url=url if serving else None, dirty=False)
    shutil.rmtree(project / ".cache", ignore_errors=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
