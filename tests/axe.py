"""axe-core in a Playwright page: the accessibility check the browser tests share.

axe-core (tests/data/axe/axe.min.js, from npm; see tests/data/NOTICE) is injected as a script
and run on the page; only serious and critical violations count.
"""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parent / "data" / "axe" / "axe.min.js"
SERIOUS = ("serious", "critical")


def axe_violations(page, within: str | None = None) -> list[dict]:
    """axe-core's serious and critical violations on the page, or within the element the CSS
    selector ``within`` names (axe is injected first)."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async (sel) => (await axe.run(sel ? document.querySelector(sel) "
                          ": document)).violations.map(v => ({id: v.id, impact: v.impact, "
                          "help: v.help, nodes: v.nodes.slice(0, 3).map(n => "
                          "n.target.join(' '))}))", within)
    return [v for v in found if v["impact"] in SERIOUS]
