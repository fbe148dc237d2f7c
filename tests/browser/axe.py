"""Accessibility checks with axe-core (vendored: tests/browser/vendor/axe-core, MPL-2.0) run
in the real browser on the page it shows: WCAG 2.0/2.1 A and AA rules and axe's best
practices. A test fails on any violation of impact "serious" or "critical" (contrast, labels,
names, landmarks, keyboard traps...), naming the rule, its help and the elements."""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE_VERSION = "4.11.0"
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = ("serious", "critical")


def axe_violations(driver: Any) -> list[dict[str, Any]]:
    """Every violation axe finds on the current page (all impacts)."""
    if not driver.execute_script("return !!window.axe"):
        driver.execute_script(AXE.read_text(encoding="utf-8"))
    version = driver.execute_script("return axe.version")
    assert version == AXE_VERSION, f"axe-core {version} loaded, {AXE_VERSION} expected"
    driver.set_script_timeout(60)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: "
        "['violations']}).then(r => done(r.violations), e => done([{id: 'axe-error', "
        "impact: 'critical', help: String(e), nodes: []}]));", TAGS)
    return list(result)


def blocking(violations: list[dict[str, Any]]) -> list[str]:
    """The serious and critical ones, one readable line each."""
    return [f"{v['id']} ({v['impact']}): {v['help']} - "
            + "; ".join(" ".join(n.get("target", [])) for n in v.get("nodes", [])[:5])
            for v in violations if v.get("impact") in BLOCKING]
