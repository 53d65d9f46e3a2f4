"""axe-core in the page (node_modules/axe-core, an npm dev package): the serious and critical violations."""

from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")
RULES = "{'target-size': {enabled: true}}"


def violations(page) -> list[str]:
    """One line per serious or critical violation: rule, impact and the first elements it names. axe is
    evaluated through the DevTools protocol: the page's Content-Security-Policy forbids inline scripts. The
    target-size rule (WCAG 2.2 AA, 24 px) is off by default in axe-core 4.x; Lighthouse runs it, so do we."""
    page.evaluate(AXE.read_text())
    run = f"async () => (await axe.run(document, {{resultTypes: ['violations'], rules: {RULES}}})).violations"
    found = page.evaluate(run)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}" for v in found if v["impact"] in SERIOUS
    ]
