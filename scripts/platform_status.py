"""Are the parts the site is built on still alive? `make platform-status` (reads PyPI's JSON API).

For each distribution of README "Platform": its newest release, the release date and age, and whether our
pin in pyproject.toml admits it. Exits 1 when a fork we would move to (ProperDocs, MaterialX) has had no
release for longer than its QUIET_DAYS, or when a newer release falls outside our pin (test it, then widen
the pin).
Meant for a monthly look (or a scheduled job), not for `make test`: a test run must not need the network.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import tomllib
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
WATCHED = {
    "properdocs": "host, maintained fork of MkDocs 1.x",
    "mkdocs-materialx": "theme, maintained fork of Material 9.7",
    "mkdocs": "host, default (unmaintained; 2.0 breaks plugins)",
    "mkdocs-material": "theme, default (end of life 2027-05-05)",
}
# Days without a release after which a fork counts as quiet: ProperDocs keeps a finished 1.x alive and
# releases only fixes (MkDocs 1.x itself went a year between releases); MaterialX released every few weeks.
QUIET_DAYS = {"properdocs": 365, "mkdocs-materialx": 120}


@dataclass(frozen=True)
class Release:
    name: str
    version: str
    date: dt.date


def pins(pyproject: Path = ROOT / "pyproject.toml") -> dict[str, SpecifierSet]:
    """Distribution name -> our version specifier, from the dependencies and every extra."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    lines = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        lines += extra
    return {Requirement(line).name.lower(): Requirement(line).specifier for line in lines}


def newest(name: str, data: dict) -> Release:
    """The newest release in a PyPI JSON document (https://pypi.org/pypi/<name>/json) and its first upload."""
    version = data["info"]["version"]
    uploads = [f["upload_time_iso_8601"][:10] for f in data["releases"].get(version, [])]
    return Release(name, version, dt.date.fromisoformat(min(uploads)))


def problems(release: Release, pin: SpecifierSet | None, today: dt.date) -> list[str]:
    found = []
    age = (today - release.date).days
    if age > QUIET_DAYS.get(release.name, age):
        found.append(f"quiet: no release for {age} days (more than {QUIET_DAYS[release.name]})")
    if pin is not None and Version(release.version) not in pin:
        found.append(f"{release.version} is outside our pin {pin}: build and test it, then widen the pin")
    return found


def fetch(name: str) -> dict:
    with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json", timeout=30) as response:
        return json.load(response)


def main() -> int:
    today = dt.date.today()
    ours = pins()
    failed = False
    for name, role in WATCHED.items():
        release = newest(name, fetch(name))
        found = problems(release, ours.get(name), today)
        failed |= bool(found)
        status = "; ".join(found) or "ok"
        print(f"{name:18} {release.version:10} {release.date}  ({(today - release.date).days:4} days)  {role}: {status}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
