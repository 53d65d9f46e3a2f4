"""The house keeps its shape (issue 13): who may do what is asked of the policy, statuses are named only where the
workflows are declared, and no module grows past what a newcomer can hold in their head.

- No role in app code: outside the policy (`*/permissions.py`, `accounts/predicates.py`), the Role enum's own
  module and the demo/admin, no `Role.X`, no `.role ==`/`!=`/`in`, no role tuple; templates never test a role.
- No status literal: outside `*/models.py` (the enums) and `*/workflows.py`, no string equal to a status value is
  compared with, or passed as a `status`-named argument; templates compare no status with a string.
- No module over 400 lines outside migrations and bench."""

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]
APPS = ["core", "catalog", "accounts", "institutions", "trainees", "training", "subsidies", "indicators", "config"]
MAX_LINES = 400


def app_modules(*, allowed=()) -> list[Path]:
    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" not in rel and not any(re.search(pattern, rel) for pattern in allowed):
                found.append(path)
    return sorted(found)


def templates() -> list[Path]:
    return sorted((ROOT / "templates").rglob("*.html"))


# --- roles --------------------------------------------------------------------------------------------------

ROLE_HOMES = (
    r"/permissions\.py$",
    r"^accounts/predicates\.py$",
    r"^accounts/models\.py$",
    r"/demo\.py$",
    r"/admin\.py$",
)
ROLE_IN_CODE = re.compile(r"\bRole\.[A-Z]+\b|\.role\s*(==|!=|\bin\b|\bnot in\b)|\brole\s+(not\s+)?in\s*[(\[{]")
ROLE_IN_TEMPLATE = re.compile(r"\.role\s*(==|!=|\bin\b)|\brole\s*==")


def role_checks() -> list[str]:
    hits = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in app_modules(allowed=ROLE_HOMES)
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if ROLE_IN_CODE.search(line)
    ]
    hits += [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()[:120]}"
        for path in templates()
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if ROLE_IN_TEMPLATE.search(line)
    ]
    return hits


def test_no_role_is_tested_outside_the_policy():
    assert role_checks() == []


# --- statuses -----------------------------------------------------------------------------------------------

STATUS_HOMES = (r"/models\.py$", r"/models/[^/]+\.py$", r"/workflows\.py$")


def status_values() -> set[str]:
    """Every value a workflow status can take: the choices of each model's `status` field."""
    values = set()
    for model in apps.get_models():
        if model._meta.app_label in APPS and any(f.name == "status" for f in model._meta.fields):
            values |= {value for value, _label in model._meta.get_field("status").choices or ()}
    return values


def _strings(node) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [s for element in node.elts for s in _strings(element)]
    return []


def status_literals_in(source: str, values: set[str]) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            about_status = any("status" in ast.unparse(operand) for operand in operands)
            if about_status and any(s in values for operand in operands for s in _strings(operand)):
                lines.append(node.lineno)
        elif (
            isinstance(node, ast.keyword)
            and "status" in (node.arg or "")
            and any(s in values for s in _strings(node.value))
        ):
            lines.append(node.value.lineno)
    return lines


STATUS_IN_TEMPLATE = re.compile(r"status\w*\s*(==|!=)\s*['\"]|['\"]\w+['\"]\s+in\s+\S*status")


def status_literals() -> list[str]:
    values = status_values()
    hits = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in app_modules(allowed=STATUS_HOMES)
        for n in status_literals_in(path.read_text(), values)
    ]
    hits += [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()[:120]}"
        for path in templates()
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if STATUS_IN_TEMPLATE.search(line)
    ]
    return hits


def test_no_status_literal_outside_the_workflow_declarations():
    assert status_literals() == []


def test_the_status_check_sees_a_literal():
    values = {"approved"}
    assert status_literals_in("if claim.status == 'approved':\n    pass\n", values) == [1]
    assert status_literals_in("qs.filter(status__in=['x', 'approved'])\n", values) == [1]
    assert status_literals_in("qs.filter(status=S.APPROVED)\nprint('approved')\n", values) == []
    assert status_literals_in("if show == 'approved':\n    pass\n", values) == []  # a filter choice, not a status


# --- sizes --------------------------------------------------------------------------------------------------


def long_modules() -> list[str]:
    tree = [p for p in ROOT.rglob("*.py") if not ({".venv", "node_modules", "migrations", "bench"} & set(p.parts))]
    return sorted(f"{p.relative_to(ROOT)}: {n}" for p in tree if (n := len(p.read_text().splitlines())) > MAX_LINES)


@pytest.mark.django_db(databases=[])
def test_no_module_is_over_400_lines_outside_migrations_and_bench():
    assert long_modules() == []
