"""Malformed input never gives a 500: every GET URL of the URLconf, every query parameter it reads, every role.

The probe that found this sent `?region=%00` (PostgreSQL refuses NUL in text: psycopg raises DataError), a
10,000-character string, letters for ids, 20-digit numbers, negative pages, impossible dates and months, and a
parameter given twice. Two layers answer it, and both are tested here:

- the guard at the door, config.middleware.MalformedInputMiddleware: a NUL in the path or in any query-string or
  form key or value, or a query string over MAX_QUERY_STRING characters, is 400 (Chinese JSON under /api/, a
  short Chinese page otherwise) — `test_guard_*`;
- the views themselves, with that middleware taken out (`bare`): every parameter goes through a form, a FilterSet
  or a serializer, so a bad value is a 400 or a form error, never a 500 — `test_get_*`, `test_post_*`.

The URLs are the GET rows of the access matrix (tests/security/access_cases.py and access_api.py), whose tables must
name every URL pattern of the URLconf and every operation of the OpenAPI schema, so a new page or endpoint is
covered here without being listed. The parameters of each URL are found, not listed: the request's QueryDict records
every key the view reads (`request.GET.get("show")`, a form's or FilterSet's fields, DRF's `page` and `format`) in a
request with every known parameter present and empty. For each of the five roles every known parameter is then sent
at once with each of ROLE_VALUES; for the first role the view answers, each key read is sent alone with each value
of MALFORMED, every known parameter at once with each value of MORE, and each path parameter with PATH_VALUES. Run
without xdist, the module prints how many URLs, parameters and requests it covered.

Free text: POSTs of NUL and of 100,000 characters to the public objection form, a claim's return reason, an
institution application and their API counterparts are refused (400 or a form error) and save nothing.
"""

import pytest
from django.core.cache import cache

from .malformed import (
    _READS,
    COUNTS,
    GUARD_ONLY_PATHS,
    KNOWN_PARAMS,
    MALFORMED,
    MORE,
    PATH_VALUES,
    REACHED,
    ROLE_VALUES,
    ROLES,
    ROLES_BY_REACH,
    SLOW,
    _case,
    _first_get_index,
    _get,
    _problem,
    get_rows,
    row_url,
    write_summary,
)

# --------------------------------------------------------------------------------------------------------------
# GET: every URL x every parameter it reads x every malformed value, for each role, without the guard
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "name", "index"), get_rows(), ids=[f"{k}:{n}#{i}" for k, n, i in get_rows()])
def test_get_with_malformed_parameters_is_never_a_server_error(world, bare, recording, kind, name, index):
    """Each role: a request with every known parameter present and empty (which keys does the view read?), then
    every known parameter at once with each value of ROLE_VALUES. The first role the view answers (county,
    province, admin, institution, anonymous), on the first row of each URL name: each key read alone with each
    value of MALFORMED, every known parameter at once with each value of MORE, each path parameter with
    PATH_VALUES."""
    case = _case(kind, name, index)
    api = kind == "api"
    url = row_url(world, kind, name, index)
    COUNTS["urls"].add(url)
    problems, detailed = [], index != _first_get_index(kind, name)
    # DRF answers an unknown ?format= with 404 before any filter is read: tested alone, not in the bulk requests.
    bulk_keys = [k for k in KNOWN_PARAMS if k not in case.query and not (api and k == "format")]

    def check(client, url, params):
        if problem := _problem(_get(client, url, params), url, params, api=api):
            problems.append(f"{role}: {problem}")

    for role in ROLES_BY_REACH:
        if name in SLOW and detailed:
            break
        client = world.client(role)
        cache.clear()  # throttles
        _READS.clear()
        params = {**dict.fromkeys(bulk_keys, ""), **case.query}
        response = _get(client, url, params)
        if problem := _problem(response, url, params, api=api):
            problems.append(f"{role}: {problem}")
        read = sorted(_READS - set(case.query))
        if name not in SLOW:
            for value in ROLE_VALUES.values():
                check(client, url, {**dict.fromkeys(bulk_keys, value), **case.query})
        if detailed or response.status_code not in REACHED:
            continue
        detailed = True
        COUNTS["params"] += len(read)
        COUNTS["keys"].update(read)
        for key in read:
            for value in SLOW.get(name, MALFORMED).values():
                check(client, url, {**case.query, key: value})
        if name in SLOW:
            continue
        for value in MORE.values():
            check(client, url, {**dict.fromkeys(bulk_keys, value), **case.query})
        for kwarg in case.params:
            for key, value in PATH_VALUES.items():
                if key == "nul" and name in GUARD_ONLY_PATHS:
                    continue
                if (bad := row_url(world, kind, name, index, (kwarg, value))) is not None:
                    check(client, bad, case.query)

    assert not problems, "\n".join(problems)


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    yield
    if COUNTS["requests"]:
        write_summary(
            request,
            f"\nmalformed input: {len(COUNTS['urls'])} URLs x {len(ROLES)} roles; {COUNTS['params']} parameters "
            f"read (detailed pass) x {len(MALFORMED)} values; {COUNTS['requests']} GET requests; "
            f"keys read: {', '.join(sorted(COUNTS['keys']))}",
        )
