"""What the malformed-input tests share: the values sent, the recording of which query keys a view reads, the GET
rows of the access matrix and how a response is judged."""

import functools
import re
from urllib.parse import quote

from django.http import QueryDict
from django.urls import NoReverseMatch, reverse

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


def write_summary(request, line: str) -> None:
    """Print `line` in the terminal summary (outside the captured output), when the run has a terminal."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(line)
