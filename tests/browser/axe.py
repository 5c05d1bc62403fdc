"""axe-core (npm package in node_modules/, installed by scripts/setup.sh --test) run inside a page."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@lru_cache(maxsize=1)
def axe_source() -> str:
    if not AXE.is_file():
        raise FileNotFoundError(f"{AXE} is missing: run scripts/setup.sh --test (npm ci installs axe-core)")
    return AXE.read_text(encoding="utf-8")


def axe_violations(page) -> list[dict]:
    """Violations of WCAG 2.1 A/AA rules on the page: [{id, impact, help, nodes: [selector, …]}]."""
    page.add_script_tag(content=axe_source())
    return page.evaluate("""async (tags) => {
        const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                           nodes: v.nodes.map(n => n.target.join(' '))}));
    }""", WCAG_AA)
