"""Malformed input at the door and in posted text (see test_malformed_input.py for the two layers): the guard
answers 400 to NUL and absurd query strings on every URL and leaves ordinary requests alone; NUL and 100,000
characters of free text posted to forms and the API are refused and save nothing."""

import json

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from accounts.models import AuditEvent
from config.middleware import MAX_QUERY_STRING

from .malformed import (
    COUNTS,
    GUARD,
    get_rows,
    row_url,
    write_summary,
)

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
    if COUNTS["posts"]:
        write_summary(request, f"\nmalformed input: {COUNTS['posts']} POSTs of malformed free text")
