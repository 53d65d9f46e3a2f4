"""Access matrix: every URL pattern of the URLconf and every operation of the OpenAPI schema, for every role, against
real objects of the demo world in 北林区 (231202).

The two tables are the specification (PAGES in access_cases.py, API in access_api.py). A URL pattern or API
operation missing from them fails
`test_every_url_pattern_is_in_the_table` / `test_every_api_operation_is_in_the_table`: a new page or endpoint must
be added here with its expected outcome for each role.

Each row is one request; its expectation is nine tokens, one per role, in this order:

    anonymous  province  city  county  county_other  finance  institution  institution_other  admin

county = 北林区 (231202, where every object of the rows lives); county_other = 安达市 (231281, same city, objects
out of scope); institution = 绥化市公共实训基地 (owns the classes and claims); institution_other = 绥化技师学院.

Tokens: a status code ("200", "403", "404", "405", "400", "401"), "302" (a redirect that is not to the login page),
"login" (a redirect to the login page); "a/b" allows either; a trailing "!" (e.g. "302!") means the request is
answered that way but must change nothing (a page that redirects back with an error message). Writes are sent with
a minimal (often invalid) body; for every request, a role whose expected outcome is not a success (2xx, or a
redirect other than to login), or is marked "!", must not cause any AuditEvent: a refused or out-of-scope request
changes nothing.
"""

import re

import pytest
from django.urls import resolve

from accounts.models import AuditEvent
from core.policy import can, permission_for

from .access import (
    _last_audit,
    _schema_url_names,
    api_operations,
    api_url,
    check_cell,
    page_url,
    request,
    resolve_value,
    url_patterns,
)
from .access_api import API
from .access_cases import PAGES, Case
from .conftest import ROLES


def test_every_url_pattern_is_in_the_table():
    names = {name for name, _ in url_patterns()}
    required = names - _schema_url_names()
    missing = sorted(required - set(PAGES))
    stale = sorted(set(PAGES) - names)
    assert not missing, f"URL patterns without a row in PAGES (add their expected outcome per role): {missing}"
    assert not stale, f"rows in PAGES for URL names that no longer exist: {stale}"


def test_every_api_operation_is_in_the_table():
    ops = set(api_operations())
    missing = sorted(ops - set(API))
    stale = sorted(set(API) - ops)
    assert not missing, f"API operations without a row in API (add their expected outcome per role): {missing}"
    assert not stale, f"rows in API for operations no longer in the schema: {stale}"


def test_every_api_url_pattern_is_documented_or_in_the_table():
    """An endpoint left out of the schema would escape the API table: it must then be a row of PAGES."""
    api_names = {name for name, route in url_patterns() if route.startswith("api/")}
    assert api_names <= _schema_url_names() | set(PAGES), sorted(api_names - _schema_url_names() - set(PAGES))


def _cells(table):
    return [
        pytest.param(name, i, role, id=f"{name}#{i}-{role}")
        for name, cases in table.items()
        for i, _ in enumerate(cases)
        for role in ROLES
    ]


PAGE_CELLS = _cells(PAGES)
API_CELLS = _cells(API)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "index", "role"), PAGE_CELLS)
def test_page(world, name, index, role):
    case = PAGES[name][index]
    check_cell(world, role, case.method, page_url(world, name, case), case, api=False)


@pytest.mark.django_db
@pytest.mark.parametrize(("op_id", "index", "role"), API_CELLS)
def test_api(world, op_id, index, role):
    case = API[op_id][index]
    method, _ = api_operations()[op_id]
    assert case.method == method, f"{op_id} is a {method.upper()} operation"
    check_cell(world, role, method, api_url(world, op_id, case), case, api=True)


def _undeclared():
    """(path, method) pairs of the schema's paths for methods the schema does not declare."""
    ops = api_operations()
    declared: dict[str, set[str]] = {}
    for method, path in ops.values():
        declared.setdefault(path, set()).add(method)
    return sorted((path, m) for path, ms in declared.items() for m in ("post", "put", "patch", "delete") if m not in ms)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_undeclared_method(world, role):
    """No hidden write: a method the schema does not list is refused on every path, for every role."""
    params = {
        "id": "institution",
        "code": "=231202",
        "line_id": "line",
    }
    ids_for_path = {
        "/api/claims/": "claim",
        "/api/classes/": "class",
        "/api/certificates/": "certificate",
        "/api/enrollments/": "enrollment",
        "/api/import-jobs/": "import_job",
        "/api/monthly-reports/": "monthly_report",
        "/api/programs/": "program",
        "/api/standards/": "standard",
        "/api/targets/": "target",
        "/api/trainees/": "trainee",
        "/api/urgent-lists/": "urgent_list",
        "/api/public/notices/": "notice",
    }
    problems = []
    client = world.client(role)
    for path, method in _undeclared():
        prefix = next((p for p in ids_for_path if path.startswith(p)), None)
        values = {**params, "id": ids_for_path[prefix] if prefix else "institution"}
        if path.startswith("/api/occupations/"):
            values["code"] = "=4-10-01-05"
        url = re.sub(r"\{([^}]+)\}", lambda m, v=values: str(resolve_value(world, v[m.group(1)])), path)
        last = _last_audit()
        response = request(world, role, method, url, Case(method, ""), api=True, client=client)
        if response.status_code not in (401, 403, 405) or AuditEvent.objects.filter(pk__gt=last).exists():
            problems.append(f"{method.upper()} {url}: {response.status_code}")
    assert not problems, problems


def pytest_coverage_numbers() -> dict:
    """The size of the matrix (printed in the terminal summary by conftest)."""
    return {
        "url_patterns": len(url_patterns()),
        "page_rows": sum(len(c) for c in PAGES.values()),
        "api_operations": len(api_operations()),
        "api_rows": sum(len(c) for c in API.values()),
        "roles": len(ROLES),
        "page_cells": len(PAGE_CELLS),
        "api_cells": len(API_CELLS),
        "undeclared_methods": len(_undeclared()),
    }


# --------------------------------------------------------------------------------------------------------------
# the table and the policy cannot drift
# --------------------------------------------------------------------------------------------------------------


def _view_permission(view, method: str) -> str | None:
    """The named permission a page or API view asks before anything else (core.policy), if it declares one."""
    cls = getattr(view, "view_class", None) or getattr(view, "cls", None)
    if cls is None:
        return getattr(view, "permission", None)  # a function view (core.policy.permission_required)
    if not getattr(cls, "permission", None):
        return None
    return permission_for(cls, (getattr(view, "actions", None) or {}).get(method), method)


def policy_disagreements(world, table: dict, url_of) -> list[str]:
    """Rows where the policy and the table disagree for a signed-in role: the policy refuses the view's permission
    but the table expects the role in; or the policy lets the role in at the door but the table expects a 403 on a
    request about no object (a 403 for a request naming an object in its path, query or body is that object's own
    check)."""
    problems = []
    for name, cases in table.items():
        for case in cases:
            url = url_of(world, name, case)
            permission = _view_permission(resolve(url.split("?")[0]).func, case.method)
            if permission is None:
                continue
            for role in ROLES[1:]:
                allowed, expected = can(world.users[role], permission), case.expected(role)
                if not allowed and expected != {"403"}:
                    problems.append(
                        f"{case.method.upper()} {name} as {role}: policy refuses {permission}, table {expected}"
                    )
                if allowed and expected == {"403"} and not (case.params or case.query or case.data):
                    problems.append(f"{case.method.upper()} {name} as {role}: policy allows {permission}, table 403")
    return problems


@pytest.mark.django_db
def test_the_page_table_agrees_with_the_policy(world):
    problems = policy_disagreements(world, PAGES, page_url)
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_the_api_table_agrees_with_the_policy(world):
    problems = policy_disagreements(world, API, api_url)
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_every_page_and_api_view_asks_the_policy(world):
    """No view decides who may enter by a role list of its own: each signed-in page and API view names a
    permission of the policy (public pages, sign-in and two-factor pages excepted)."""
    open_to_all = {
        "public:",
        "accounts:login",
        "accounts:logout",
        "accounts:password_",
        "accounts:two_factor",
        "accounts:reauth",
        "api-schema",
        "api-docs",  # drf-spectacular's pages and DRF's router root: any signed-in user
        "api-root",
        "public_",
        "i18n",
        "set_language",
        "checkins",
        "devices_checkin",
        "robots",  # robots.txt, for crawlers
    }
    missing = []
    for table, url_of in ((PAGES, page_url), (API, api_url)):
        for name, cases in table.items():
            case = cases[0]
            if name.startswith(tuple(open_to_all)):
                continue
            view = resolve(url_of(world, name, case).split("?")[0]).func
            if _view_permission(view, case.method) is None:
                missing.append(name)
    assert missing == []
