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

import functools
import json
import re
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.handlers import wsgi
from django.db import transaction
from django.http import QueryDict
from django.urls import NoReverseMatch, reverse

from accounts.models import AuditEvent
from config.middleware import MAX_QUERY_STRING

from .access import api_operations
from .access_api import API
from .access_cases import PAGES

ROLES = ["anonymous", "institution", "county", "province", "admin"]
ROLES_BY_REACH = ["county", "province", "admin", "institution", "anonymous"]  # who gets the detailed pass
GUARD = "config.middleware.MalformedInputMiddleware"

# Parameter names used anywhere (request.GET / query_params in the code, the filter forms and FilterSets) and
# those the probe tried; each URL also gets the ones it is seen to read.
KNOWN_PARAMS = sorted(
    {
        *("region", "year", "month", "status", "page", "q", "institution", "program", "kind", "plan", "indicator"),
        *("level", "export", "period", "date", "start", "end"),
        *("show", "template", "next", "training_class", "type", "mode", "occupation", "skill_level"),
        *("training_type", "inactive", "action", "actor", "date_from", "date_to", "city_own", "result", "format"),
        *("category", "is_active", "is_statistical", "code", "id"),
    }
)

# The values sent to each parameter a view reads, alone.
MALFORMED = {
    "nul": "\x00",
    "long": "x" * 10_000,
    "letters": "abc",
    "huge": "9" * 20,
    "negative": "-1",
    "bad_month": "2026-13",  # not a month, not a date either
    "superscript_digits": "²³",  # str.isdigit() says yes, int() says no
    "twice": ["1", "2"],
}
# Sent to every known parameter at once, for every role.
ROLE_VALUES = {k: MALFORMED[k] for k in ("nul", "long", "letters", "huge", "twice")}
# More values, sent to every known parameter at once (one request each) for the role of the detailed pass.
MORE = {
    "nul_inside": "2312\x0002",
    "long_cjk": "长" * 10_000,
    "huge_negative": "-" + "9" * 20,
    "zero": "0",
    "decimal": "1.5",
    "nan": "NaN",
    "bad_day": "2026-02-30",
    "blank": " ",
    "quote": "' OR '1'='1",
    "control": "\x01\x1f\x7f",
    "bad_utf8": "%ED%A0%80",  # sent raw below: percent-decoded it is not valid UTF-8
    **{k: v for k, v in MALFORMED.items() if k not in ROLE_VALUES},
}
# Values a path segment can carry (a "/" or "." would not resolve at all).
PATH_VALUES = {k: MALFORMED[k] for k in ("nul", "long", "letters", "huge", "negative", "superscript_digits")}
REACHED = {200, 400}  # the view ran (not the login redirect, a 403, a 404 for an object out of scope)
# The schema is generated afresh on each request (a second or more): one role, the keys it reads, three values.
SLOW = {"api-schema": {k: MALFORMED[k] for k in ("nul", "long", "twice")}}
# Looked up by code straight from the path (catalog.apis, DRF's default lookup): a NUL there is refused by the
# guard only (test_guard_answers_400_to_nul_and_absurd_query_strings_on_every_url).
GUARD_ONLY_PATHS = {"regions_retrieve", "occupations_retrieve"}

COUNTS = {"urls": set(), "params": 0, "keys": set(), "requests": 0, "posts": 0}


# --------------------------------------------------------------------------------------------------------------
# which keys a view reads
# --------------------------------------------------------------------------------------------------------------

_READS: set[str] = set()


class RecordingQueryDict(QueryDict):
    """request.GET that remembers every key asked for (present or not) once it is built."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._recording = True  # building it checks each key it adds

    def _read(self, key):
        if getattr(self, "_recording", False):
            _READS.add(key)

    def __getitem__(self, key):
        self._read(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self._read(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self._read(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        self._read(key)
        return super().__contains__(key)

    def items(self):  # going over everything (a template keeping the query, .dict()) is not reading a parameter
        for key, values in self.lists():
            yield key, values[-1] if values else []

    def values(self):
        for _, value in self.items():
            yield value

    def dict(self):
        return dict(self.items())


@pytest.fixture
def recording(monkeypatch):
    monkeypatch.setattr(wsgi, "QueryDict", RecordingQueryDict)


@pytest.fixture
def bare(settings):
    """The views on their own: the malformed-input middleware taken out."""
    settings.MIDDLEWARE = [m for m in django_settings.MIDDLEWARE if m != GUARD]


# --------------------------------------------------------------------------------------------------------------
# the URLs: the GET rows of the access matrix
# --------------------------------------------------------------------------------------------------------------


@functools.cache
def get_rows() -> list[tuple[str, str, int]]:
    """(kind, name, index) of every GET row of the matrix: kind "page" (a URL name) or "api" (an operationId)."""
    rows = [("page", name, i) for name, cases in PAGES.items() for i, c in enumerate(cases) if c.method == "get"]
    rows += [("api", op, i) for op, cases in API.items() for i, c in enumerate(cases) if c.method == "get"]
    return rows


def _first_get_index(kind, name) -> int:
    return next(i for k, n, i in get_rows() if (k, n) == (kind, name))


def _case(kind, name, index):
    return (PAGES if kind == "page" else API)[name][index]


def _value(world, value):
    if isinstance(value, str) and value.startswith("="):
        return value[1:]
    return world.ids[value] if isinstance(value, str) else value


def row_url(world, kind, name, index, override: tuple[str, str] | None = None) -> str | None:
    """The row's URL, with one path parameter replaced by a raw value (None: no URL resolves with it)."""
    case = _case(kind, name, index)
    kwargs = {k: str(_value(world, v)) for k, v in case.params.items()}
    if override:
        kwargs[override[0]] = override[1]
    if kind == "page":
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:  # e.g. letters for an <int:pk>: the resolver itself answers 404
            return None
    _, path = api_operations()[name]
    return re.sub(r"\{([^}]+)\}", lambda m: quote(kwargs[m.group(1)], safe=""), path)


def _query(params: dict) -> str:
    """A query string; values may be lists (the parameter repeated). `bad_utf8` is sent undecoded."""
    parts = []
    for key, value in params.items():
        for v in value if isinstance(value, list) else [value]:
            raw = v == MORE["bad_utf8"]
            parts.append(f"{quote(key, safe='')}={v if raw else quote(v, safe='')}")
    return "&".join(parts)


def _get(client, url, params: dict):
    COUNTS["requests"] += 1
    query = _query(params)
    return client.get(f"{url}?{query}" if query else url)


def _problem(response, url, params, *, api: bool) -> str | None:
    shown = {k: (v if len(str(v)) < 40 else f"<{len(v)} chars>") for k, v in params.items()}
    if response.status_code >= 500:
        return f"GET {url} {shown}: {response.status_code}"
    if api and response.status_code not in (301, 302) and "json" not in response.get("Content-Type", ""):
        return f"GET {url} {shown}: {response.status_code} {response.get('Content-Type')} (not JSON)"
    return None


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


# --------------------------------------------------------------------------------------------------------------
# the guard: NUL or an absurd query string is 400 before any view, on every URL
# --------------------------------------------------------------------------------------------------------------


def _guarded(response, url, *, api: bool) -> str | None:
    if response.status_code != 400:
        return f"{url}: {response.status_code}, expected 400"
    if api:
        body = response.json()
        if body.get("code") != "malformed_input" or "不合法" not in body.get("detail", ""):
            return f"{url}: {body}"
    elif "请求参数不合法" not in response.content.decode():
        return f"{url}: no Chinese message"
    return None


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "county"])
def test_guard_answers_400_to_nul_and_absurd_query_strings_on_every_url(world, role):
    client = world.client(role)
    problems = []
    for kind, name, index in get_rows():
        url = row_url(world, kind, name, index)
        api = url.startswith("/api/")
        for query in ("region=%00", "%00=1", "q=a%00b&page=1", "region=1&region=%00", "q=" + "x" * MAX_QUERY_STRING):
            COUNTS["requests"] += 1
            if problem := _guarded(client.get(f"{url}?{query}"), f"{url}?{query[:30]}", api=api):
                problems.append(problem)
    for url in ("/api/regions/%00/", "/dashboard/23%0012/", "/public/%00"):
        if problem := _guarded(client.get(url), url, api=url.startswith("/api/")):
            problems.append(problem)
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_guard_answers_400_to_nul_in_a_posted_form(world):
    from subsidies.models import Objection

    before = Objection.objects.count()
    url = reverse("public_notices:notice", args=[world.ids["notice"]])
    for data in ({"text": "异议\x00", "contact_name": "张三", "contact_phone": "13900001111"}, {"x\x00": "1"}):
        cache.clear()
        response = world.client("anonymous").post(url, data)
        assert _guarded(response, url, api=False) is None
    api = f"/api/institutions/{world.ids['institution']}/transition/"
    response = world.client("county").post(api, {"to_status": "suspended", "reason": "\x00"})
    assert _guarded(response, api, api=True) is None
    for body in ({"to_status": "suspended", "reason": "\x00"}, {"reason": ["ok", {"\x00": 1}]}):
        response = world.client("county").post(api, json.dumps(body), content_type="application/json")
        assert _guarded(response, api, api=True) is None
    assert Objection.objects.count() == before


@pytest.mark.django_db
def test_guard_leaves_ordinary_requests_alone(world):
    county = world.client("county")
    assert county.get("/accounts/login/?next=/dashboard/").status_code in (200, 302)
    assert county.get("/institutions/?q=" + "技" * 100).status_code == 200
    body = json.dumps({"name": "张\\u0000三"})  # a backslash typed before u0000: text, not a NUL
    assert county.post("/api/trainees/search/", body, content_type="application/json").status_code == 200


@pytest.mark.django_db
def test_json_body_naming_a_code_with_nul_is_a_400_without_the_guard(world, bare):
    """Codes in a request body (a county, an occupation) are looked up by DRF's SlugRelatedField, which passes
    a NUL to the database; core.api.CodeRelatedField refuses it first."""
    client, problems = world.client("county"), []
    for url, body in [
        ("/api/urgent-lists/", {"year": 2027, "occupations": ["\x00"]}),
        ("/api/institutions/", {"name": "测试", "county": "\x00"}),
        ("/api/institutions/", {"name": "测试", "county": "9" * 10_000}),
        ("/api/programs/", {"institution": world.ids["institution"], "occupation": "\x00", "skill_level": "\x00"}),
        ("/api/trainees/search/", {"id_number": "\x00", "name": "长" * 100_000}),
    ]:
        COUNTS["posts"] += 1
        response = client.post(url, json.dumps(body), content_type="application/json")
        if response.status_code != 400 or "json" not in response["Content-Type"]:
            problems.append(f"POST {url}: {response.status_code}")
    assert not problems, problems


# --------------------------------------------------------------------------------------------------------------
# POST: free text with NUL or 100,000 characters is refused and saves nothing (with and without the guard)
# --------------------------------------------------------------------------------------------------------------

FREE_TEXT = {"nul": "理由\x00说明", "huge": "长" * 100_000}


def _audit_mark() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _refused(response, *, api: bool) -> bool:
    if api:
        return response.status_code == 400 and "json" in response["Content-Type"]
    return response.status_code == 400 or (response.status_code == 302 and "login" not in response["Location"])


@pytest.fixture(params=["guarded", "bare"])
def mode(request, settings):
    if request.param == "bare":
        settings.MIDDLEWARE = [m for m in django_settings.MIDDLEWARE if m != GUARD]
    return request.param


def _posts(world):
    """(role, url, data builder, api, count of what must not change) per representative free-text form."""
    from institutions.models import Institution
    from subsidies.models import Objection, SubsidyClaim

    ids = world.ids
    claim_status = lambda: SubsidyClaim.objects.get(pk=ids["claim"]).status  # noqa: E731
    institution_status = lambda: Institution.objects.get(pk=ids["institution"]).status  # noqa: E731
    notice = reverse("public_notices:notice", args=[ids["notice"]])
    application = {
        "credit_code": ids["new_credit_code"],
        "type": "private",
        "county": ids["region_beilin_pk"],
        "address": "北林区测试路1号",
        "contact_person": "王老师",
        "contact_phone": "0455-8999666",
        "license_number": "黑人社民9999号",
        "license_valid_until": "2028-12-31",
        "capacity": "60",
    }
    return [
        (
            "anonymous",
            notice,
            lambda t: {"text": t, "contact_name": "张三", "contact_phone": "13900001111"},
            False,
            Objection.objects.count,
        ),
        (
            "anonymous",
            notice,
            lambda t: {"text": "异议", "contact_name": t, "contact_phone": "139"},
            False,
            Objection.objects.count,
        ),
        ("county", reverse("subsidies:return", args=[ids["claim"]]), lambda t: {"reason": t}, False, claim_status),
        (
            "county",
            reverse("institutions:create"),
            lambda t: {**application, "name": t},
            False,
            Institution.objects.count,
        ),
        (
            "county",
            reverse("institutions:transition", args=[ids["institution"]]),
            lambda t: {"to_status": "suspended", "effective_date": "2026-11-20", "reason": t},
            False,
            institution_status,
        ),
        (
            "county",
            f"/api/institutions/{ids['institution']}/transition/",
            lambda t: {"to_status": "suspended", "effective_date": "2026-11-20", "reason": t},
            True,
            institution_status,
        ),
        (
            "county",
            f"/api/claims/{ids['claim']}/lines/{ids['line']}/decide/",
            lambda t: {"approve": False, "reason": t},
            True,
            claim_status,
        ),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("text", list(FREE_TEXT))
def test_post_of_malformed_free_text_is_refused_and_saves_nothing(world, mode, text):
    problems = []
    for role, url, build, api, state in _posts(world):
        client = world.client(role)
        with transaction.atomic():  # each form on its own: what one saved must not hide the next one's refusal
            before, mark = state(), _audit_mark()
            cache.clear()
            data = build(FREE_TEXT[text])
            COUNTS["posts"] += 1
            if api:
                response = client.post(url, json.dumps(data), content_type="application/json")
            else:
                response = client.post(url, data)
            if not _refused(response, api=api):
                problems.append(f"POST {url} ({text}, {mode}): {response.status_code}")
            if state() != before or AuditEvent.objects.filter(pk__gt=mark).exists():
                problems.append(f"POST {url} ({text}, {mode}): something was saved")
            transaction.set_rollback(True)
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None and COUNTS["requests"]:
        with capture.global_and_fixture_disabled():
            reporter.write_line(
                f"\nmalformed input: {len(COUNTS['urls'])} URLs x {len(ROLES)} roles; {COUNTS['params']} parameters "
                f"read (detailed pass) x {len(MALFORMED)} values; {COUNTS['requests']} GET requests, "
                f"{COUNTS['posts']} POSTs of malformed free text; keys read: {', '.join(sorted(COUNTS['keys']))}"
            )
