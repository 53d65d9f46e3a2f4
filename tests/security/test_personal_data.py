"""No full resident ID number or mobile number leaves the system except through the two audited doors.

Every GET page and GET API response of the access matrix (test_access_matrix.PAGES / API) that a role reaches (its
expected outcome is 200) is fetched in the demo world and searched for a full ID number (17 digits and a digit or X)
and a full mainland mobile number (1[3-9] and 9 digits); Excel downloads are opened and every cell is searched.
The exceptions are the audited reveal (trainees:reveal, /api/trainees/{id}/reveal/) and the full export
(trainees:export with full=1) for county and city users: those must show the full value and write
trainee.revealed / trainee.exported_full.

The same reads are checked against rebuilding a number from its mask (core.masking): every masked ID number
shows the area code and check character only, and no page shows, beside a masked number, the birth date of a
person with that mask (in any of its usual formats). tests/security/test_masking_property.py follows one person
through every place they appear and counts what is left.

Last, the views that take ID numbers or phone numbers in a POST are checked to mark them as sensitive
(sensitive_post_parameters: masked in Django's error reports), and a POST that makes a view raise is checked not to
put the ID number into the log.
"""

import contextlib
import io
import logging
import re
import zipfile
from datetime import date

import openpyxl
import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.views.debug import SafeExceptionReporterFilter

from accounts.models import AuditEvent

from .access import _last_audit, api_url, page_url
from .access_api import API
from .access_cases import PAGES, Case
from .conftest import ROLES

# ASCII-alphanumeric boundaries (a \b would also count Chinese characters as word characters and miss
# "身份证号231202…"; hex digests and tokens are not matched).
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The roster template's example row: a well-formed ID number under a province's own code 230000 (never a
# person's county, so it cannot be anyone's; the import refuses it) and a dummy mobile. Allowed there only.
TEMPLATE_EXAMPLE = {"training:roster_template": {"230000199001010010", "13800000000"}}


def body_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith(XLSX) or content[:2] == b"PK":
        return xlsx_text(content)
    return content.decode("utf-8", errors="replace")


def xlsx_text(content: bytes) -> str:
    """Every cell of every sheet, and the raw XML parts too (so nothing hidden in a comment or name escapes)."""
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    cells = [str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        parts = [archive.read(n).decode("utf-8", errors="replace") for n in archive.namelist() if n.endswith(".xml")]
    return "\n".join([*cells, *parts])


def leaks(text: str, allowed=frozenset()) -> list[str]:
    found = set(ID_NUMBER.findall(text)) | set(MOBILE.findall(text))
    return sorted(found - set(allowed))


# A masked ID number as shown (15 to 18 characters of digits, X and stars), and the one form allowed.
MASKED_ID = re.compile(r"(?<![0-9A-Za-z*])[0-9Xx*]{15,18}(?![0-9A-Za-z*])")
MASK_SCHEME = re.compile(r"^\d{6}\*{11}[\dX]$")
# A date as pages, exports and JSON write it: 1986-04-23, 1986/4/23, 1986.04.23, 1986年4月23日, 19860423.
DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)(?:\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})日?|(\d\d)(\d\d))(?!\d)")
_BIRTHS: dict[str, set[date]] = {}


def _births_by_mask() -> dict[str, set[date]]:
    """The birth dates of the people behind each stored mask (the demo world does not change between tests)."""
    if not _BIRTHS:
        from trainees.models import Trainee

        for mask, born in Trainee.objects.values_list("id_number_masked", "birth_date").iterator():
            _BIRTHS.setdefault(mask, set()).add(born)
    return _BIRTHS


def _dates_in(text: str) -> set[date]:
    found = set()
    for year, m1, d1, m2, d2 in DATE.findall(text):
        with contextlib.suppress(ValueError):
            found.add(date(int(year), int(m1 or m2), int(d1 or d2)))
    return found


def rebuild_risks(text: str, births: dict[str, set[date]] | None = None) -> list[str]:
    """Masks wider than the scheme, and birth dates shown beside the mask of their person."""
    masks = {m.upper() for m in MASKED_ID.findall(text) if "*" in m and any(c.isdigit() for c in m)}
    problems = [f"wider mask {m}" for m in sorted(masks) if not MASK_SCHEME.match(m)]
    births, dates = (_births_by_mask() if births is None else births), _dates_in(text)
    for mask in sorted(masks):
        problems += [f"birth date {d} beside {mask}" for d in sorted(births.get(mask, set()) & dates)]
    return problems


def _get_cells():
    cells = []
    for table, api in ((PAGES, False), (API, True)):
        for name, cases in table.items():
            for i, case in enumerate(cases):
                if case.method != "get":
                    continue
                for role in ROLES:
                    if "200" in case.expected(role):
                        cells.append(pytest.param(name, i, role, api, id=f"{name}#{i}-{role}"))
    return cells


GET_CELLS = _get_cells()


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "index", "role", "api"), GET_CELLS)
def test_no_full_id_number_or_mobile_in_what_a_role_can_read(world, name, index, role, api):
    case = (API if api else PAGES)[name][index]
    url = api_url(world, name, case) if api else page_url(world, name, case)
    response = world.client(role).get(url, case.query)
    assert response.status_code == 200, f"GET {url} as {role}: {response.status_code}"
    text = body_text(response)
    found = leaks(text, TEMPLATE_EXAMPLE.get(name, ()))
    assert not found, f"GET {url} as {role} shows full ID/mobile numbers: {found[:5]} ({len(found)} in all)"
    risks = rebuild_risks(text)
    assert not risks, f"GET {url} as {role} lets a masked ID number be rebuilt: {risks[:5]} ({len(risks)} in all)"


# Reads that are POSTs (searches are POSTed so no personal data travels in a URL) and the masked export.
READ_POSTS = [
    ("page", "trainees:list", {"name": "张"}),
    ("api", "/api/trainees/search/", {"name": "张"}),
    ("page", "trainees:export", {}),
]
READERS = ["province", "city", "county", "county_other", "institution", "institution_other", "admin"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", READERS)
@pytest.mark.parametrize(("kind", "target", "data"), READ_POSTS, ids=["list-search", "api-search", "export"])
def test_searches_and_the_masked_export_show_masked_values_only(world, role, kind, target, data):
    client = world.client(role)
    if kind == "api":
        response = client.post(target, data, content_type="application/json")
    else:
        response = client.post(reverse(target), data)
    assert response.status_code == 200, response.status_code
    text = body_text(response)
    assert not leaks(text), leaks(text)[:5]
    assert not rebuild_risks(text), rebuild_risks(text)[:5]
    if target == "trainees:export" and role in ("county", "institution"):
        assert "*" in text  # the masked values are there: the export is not simply empty


def test_the_rebuild_check_sees_a_birth_date_beside_its_mask_and_a_wide_mask():
    """The scan above is not blind: the old display (last four, birth date beside) is caught in every format."""
    births = {"231202***********9": {date(1985, 7, 15)}}  # a stand-in of one person
    for shown in ("1985-07-15", "1985/7/15", "1985年7月15日", "19850715", "1985.07.15"):
        assert rebuild_risks(f"<td>231202***********9</td><td>{shown}</td>", births) == [
            "birth date 1985-07-15 beside 231202***********9"
        ], shown
    assert rebuild_risks("<td>231202***********9</td><td>41</td>", births) == []
    assert rebuild_risks("231202********0029", births) == ["wider mask 231202********0029"]


# --- the audited doors ------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["county", "city"])
@pytest.mark.parametrize("field", ["id_number", "phone"])
@pytest.mark.parametrize("door", ["page", "api"])
def test_reveal_shows_the_full_value_and_is_audited(world, role, field, door):
    from trainees.models import Trainee

    trainee = Trainee.objects.get(pk=world.ids["trainee"])
    value = getattr(trainee, field)
    assert value, f"the demo trainee has no {field}"
    last = _last_audit()
    client = world.client(role)
    if door == "page":
        response = client.post(reverse("trainees:reveal", args=[trainee.pk]), {"field": field})
    else:
        response = client.post(f"/api/trainees/{trainee.pk}/reveal/", {"field": field}, content_type="application/json")
    assert response.status_code == 200
    assert value in leaks(body_text(response))  # the detector sees it: the scans above are not blind
    assert response["Cache-Control"] == "no-store"
    events = AuditEvent.objects.filter(pk__gt=last)
    assert [(e.action, e.actor_id, e.target_id, e.details.get("field")) for e in events] == [
        ("trainee.revealed", world.users[role].pk, str(trainee.pk), field)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["county_other", "province", "finance", "institution", "institution_other", "admin"])
def test_nobody_else_gets_a_full_value(world, role):
    from trainees.models import Trainee

    trainee = Trainee.objects.get(pk=world.ids["trainee"])
    last = _last_audit()
    client = world.client(role)
    page = client.post(reverse("trainees:reveal", args=[trainee.pk]), {"field": "id_number"})
    api = client.post(f"/api/trainees/{trainee.pk}/reveal/", {"field": "id_number"}, content_type="application/json")
    for response in (page, api):
        assert response.status_code in (403, 404)
        assert trainee.id_number not in response.content.decode("utf-8", errors="replace")
    assert not AuditEvent.objects.filter(pk__gt=last, action__in=["trainee.revealed", "trainee.exported_full"]).exists()
    full = client.post(reverse("trainees:export"), {"full": "1"})
    if role == "county_other":  # its own people in full (audited), never 北林区's
        assert full.status_code == 200
        assert trainee.id_number not in body_text(full)
        assert AuditEvent.objects.filter(pk__gt=last, action="trainee.exported_full").count() == 1
    else:
        assert full.status_code == 403
        assert not AuditEvent.objects.filter(pk__gt=last, action="trainee.exported_full").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["county", "city"])
def test_full_export_shows_full_values_and_is_audited(world, role):
    from trainees.models import Trainee

    trainee = Trainee.objects.get(pk=world.ids["trainee"])
    last = _last_audit()
    response = world.client(role).post(reverse("trainees:export"), {"full": "1"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    text = body_text(response)
    assert trainee.id_number in leaks(text)
    events = list(AuditEvent.objects.filter(pk__gt=last).values_list("action", "actor_id"))
    assert events == [("trainee.exported_full", world.users[role].pk)]


# --- error reports and logs -------------------------------------------------------------------------------------

ID = "231202198507150029"  # a demo person's ID number
PHONE = "13845561234"

# Every view that takes an ID number or a mobile number in a POST, with the field names.
SENSITIVE_POSTS = [
    ("trainees:list", {}, {"id_number": ID}),
    ("trainees:register", {}, {"id_number": ID, "phone": PHONE, "name": "张晓梅"}),
    ("trainees:certificate_import", {}, {"id_number": ID}),
    ("institutions:teacher_create", {"pk": "institution"}, {"id_number": ID, "name": "李红梅"}),
    ("public_notices:notice", {"pk": "notice"}, {"contact_phone": PHONE, "contact_name": "举报人"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "params", "data"), SENSITIVE_POSTS, ids=[s[0] for s in SENSITIVE_POSTS])
def test_views_taking_id_or_phone_numbers_mark_them_sensitive(world, name, params, data):
    """sensitive_post_parameters on the view: Django's error reports (mail to ADMINS, the debug page) show the
    field as stars. Checked on a real request through the view (as anonymous: it stops at the login redirect or
    the form, after the decorator has run)."""
    url = page_url(world, name, Case("post", "", params))
    request = RequestFactory().post(url, data)
    request.user = AnonymousUser()
    request.session = {}
    request._dont_enforce_csrf_checks = True
    request._messages = FallbackStorage(request)
    match = resolve(url)
    with contextlib.suppress(Exception):  # only the marking done on the way in matters here
        match.func(request, *match.args, **match.kwargs)
    marked = getattr(request, "sensitive_post_parameters", None)
    cleansed = SafeExceptionReporterFilter().get_post_parameters(request)
    exposed = [k for k in ("id_number", "phone", "contact_phone") if k in data and cleansed.get(k) == data[k]]
    assert not exposed, f"{name} does not mark {exposed} as sensitive (sensitive_post_parameters: {marked})"


def test_logging_has_no_handler_that_dumps_requests():
    """The project's LOGGING only writes to the console (message and traceback, no request data); Django's own
    mail_admins handler, if ADMINS is ever set, reports through the exception reporter filter above."""
    handlers = settings.LOGGING.get("handlers", {})
    classes = {h.get("class") for h in handlers.values()}
    assert classes <= {"logging.StreamHandler", "logging.NullHandler", "django.utils.log.AdminEmailHandler"}, classes
    for handler in handlers.values():
        if handler.get("class") == "django.utils.log.AdminEmailHandler":
            assert not handler.get("include_html")
    assert settings.DEFAULT_EXCEPTION_REPORTER_FILTER == "django.views.debug.SafeExceptionReporterFilter"
    assert not settings.DEBUG


@pytest.mark.django_db
def test_a_post_that_raises_does_not_log_the_id_number(world, caplog, monkeypatch):
    """Registering a person whose service blows up: the 500 is logged (django.request) without the ID number."""
    from trainees.services import people

    def boom(**kwargs):
        raise RuntimeError("registration failed")

    monkeypatch.setattr(people, "trainee_register", boom)
    client = world.client("county")
    new_id = world.ids["new_id_number"]
    with caplog.at_level(logging.INFO):
        response = client.post(
            reverse("trainees:register"),
            {"name": "测试人", "id_number": new_id, "phone": PHONE, "county": world.ids["region_beilin_pk"]},
        )
    assert response.status_code == 500
    logged = "\n".join(
        [
            r.getMessage() + (logging.Formatter().formatException(r.exc_info) if r.exc_info else "")
            for r in caplog.records
        ]
    )
    assert "Internal Server Error" in logged
    assert new_id not in logged and PHONE not in logged
