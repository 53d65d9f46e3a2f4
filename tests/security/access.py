"""The access matrix's machinery: enumerating URL patterns and API operations, and running one cell (a request as
one role) against its expected outcome."""

import functools
import json
import re

from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from accounts.models import AuditEvent

from .access_cases import Case

# --------------------------------------------------------------------------------------------------------------
# enumeration
# --------------------------------------------------------------------------------------------------------------

SKIPPED_PREFIXES = ("admin/", "i18n/", "static/", "media/", "__debug__/")


def url_patterns() -> list[tuple[str, str]]:
    """(name, route) of every URL pattern, without admin/, i18n/, static and DRF's format-suffix duplicates."""

    def walk(patterns, prefix="", namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(x for x in (namespace, p.namespace) if x)
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if route.startswith(SKIPPED_PREFIXES) or "format" in p.pattern.regex.groupindex:
                    continue
                name = ":".join(x for x in (namespace, p.name) if x) if p.name else f"<unnamed {route}>"
                yield name, route

    return sorted(set(walk(get_resolver().url_patterns)))


@functools.cache
def api_operations() -> dict[str, tuple[str, str]]:
    """operationId -> (method, path) of every operation of the OpenAPI schema."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    ops = {}
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            if method in ("get", "post", "put", "patch", "delete"):
                ops[op["operationId"]] = (method, path)
    return ops


def _schema_url_names() -> set[str]:
    """URL names reached by the schema's paths (their patterns are covered by the API table)."""
    names = set()
    for _, path in api_operations().values():
        match = resolve(re.sub(r"\{[^}]+\}", "1", path))
        names.add(":".join(x for x in (*match.namespaces, match.url_name) if x))
    return names


# --------------------------------------------------------------------------------------------------------------
# running a cell
# --------------------------------------------------------------------------------------------------------------


def resolve_value(world, value):
    if isinstance(value, str) and value.startswith("="):
        return value[1:]
    if isinstance(value, str):
        return world.ids[value.removeprefix("@")]
    return value


def resolve_body(world, data: dict) -> dict:
    return {k: resolve_value(world, v) if isinstance(v, str) and v.startswith("@") else v for k, v in data.items()}


def page_url(world, name: str, case: Case) -> str:
    kwargs = {k: resolve_value(world, v) for k, v in case.params.items()}
    return reverse(name, kwargs=kwargs)


def api_url(world, op_id: str, case: Case) -> str:
    _, path = api_operations()[op_id]
    return re.sub(r"\{([^}]+)\}", lambda m: str(resolve_value(world, case.params[m.group(1)])), path)


LOGIN_PATH = "/accounts/login/"


def outcome(response) -> str:
    if response.status_code in (301, 302, 303):
        return "login" if response["Location"].split("?")[0].endswith(LOGIN_PATH) else "302"
    return str(response.status_code)


def request(world, role: str, method: str, url: str, case: Case, *, api: bool, client=None):
    client = client or world.client(role)
    cache.clear()  # rate limits (objections, throttles) are per test, not per run
    if method == "get":
        return client.get(url, case.query)
    body = resolve_body(world, case.data)
    if api:
        return client.generic(method.upper(), url, json.dumps(body), content_type="application/json")
    return client.post(url, body)


def _last_audit() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def check_cell(world, role: str, method: str, url: str, case: Case, *, api: bool):
    last = _last_audit()
    response = request(world, role, method, url, case, api=api)
    got = outcome(response)
    expected = case.expected(role)
    written = list(AuditEvent.objects.filter(pk__gt=last).values_list("action", flat=True))
    assert got in expected, f"{method.upper()} {url} as {role}: got {got}, expected {'/'.join(sorted(expected))}"
    if not case.may_write(role):
        assert not written, f"{method.upper()} {url} as {role} was refused ({got}) but wrote audit events {written}"
    return response
