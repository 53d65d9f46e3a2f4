"""The house's one rule of imports (DESIGN.md): they run one way, down the list of apps. A module of an app may
import its own app and the apps below it, never one above; `core` imports no app at all. Checked over the
source's syntax trees, so an import inside a function counts as much as one at the top."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ["core", "catalog", "accounts", "institutions", "trainees", "training", "subsidies", "indicators"]


def imported_apps(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {name.split(".")[0] for name in names} & set(LAYERS)
    return found


def modules(app: str) -> list[Path]:
    return sorted(p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts)


def upward_imports(app: str) -> list[str]:
    allowed = set(LAYERS[: LAYERS.index(app) + 1])
    return [
        f"{path.relative_to(ROOT)} imports {other}"
        for path in modules(app)
        for other in sorted(imported_apps(path) - allowed)
    ]


@pytest.mark.parametrize("app", LAYERS)
def test_no_app_imports_one_above_it(app):
    assert upward_imports(app) == []


def test_the_check_sees_an_upward_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from subsidies.models import SubsidyClaim\n")
    assert imported_apps(module) == {"subsidies"}
