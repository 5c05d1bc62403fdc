"""scripts/platform_status.py decides from PyPI's JSON whether a fork went quiet or outgrew our pin
(canned documents here: the test run needs no network)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys

from packaging.specifiers import SpecifierSet

from conftest import ROOT

spec = importlib.util.spec_from_file_location("platform_status", ROOT / "scripts" / "platform_status.py")
status = sys.modules.setdefault("platform_status", importlib.util.module_from_spec(spec))  # dataclasses look it up
spec.loader.exec_module(status)

TODAY = dt.date(2026, 11, 29)


def pypi(version: str, *uploads: str) -> dict:
    return {"info": {"version": version},
            "releases": {"0.1": [{"upload_time_iso_8601": "2020-01-01T00:00:00Z"}],
                         version: [{"upload_time_iso_8601": u} for u in uploads]}}


def test_newest_release_dated_by_its_first_upload():
    release = status.newest("properdocs", pypi("1.6.7", "2026-03-21T09:00:00Z", "2026-03-20T08:00:00Z"))
    assert release == status.Release("properdocs", "1.6.7", dt.date(2026, 3, 20))


def test_a_fork_without_a_release_for_too_long_is_quiet():
    fresh = status.Release("mkdocs-materialx", "10.2.2", dt.date(2026, 10, 24))
    stale = status.Release("mkdocs-materialx", "10.2.2", dt.date(2026, 7, 1))
    pin = SpecifierSet(">=10.2,<11")
    assert status.problems(fresh, pin, TODAY) == []
    assert status.problems(stale, pin, TODAY) == ["quiet: no release for 151 days (more than 120)"]
    # ProperDocs releases only fixes: a year is its bar; the unmaintained default host is not judged by age
    assert status.problems(status.Release("properdocs", "1.6.7", dt.date(2026, 3, 20)), None, TODAY) == []
    assert status.problems(status.Release("mkdocs", "1.6.1", dt.date(2024, 8, 30)), None, TODAY) == []


def test_a_release_outside_our_pin_is_reported():
    release = status.Release("properdocs", "1.7.0", dt.date(2026, 11, 1))
    assert status.problems(release, SpecifierSet(">=1.6.7,<1.7"), TODAY) == [
        "1.7.0 is outside our pin <1.7,>=1.6.7: build and test it, then widen the pin"]


def test_pins_come_from_pyproject_extras():
    pins = status.pins()
    assert "1.6.9" in pins["properdocs"] and "1.7.0" not in pins["properdocs"]
    assert "10.9" in pins["mkdocs-materialx"] and "11.0" not in pins["mkdocs-materialx"]
    assert "9.8.2" in pins["mkdocs-material"]
