"""Access rules the matrix's one-request cells cannot show: writes naming a foreign object change nothing, searches
stay in scope, every write needs a CSRF token, the login never redirects off site, and a session that has not
passed two-factor reaches nothing but the verify and sign-out pages."""

import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.models import AuditEvent
from tests.accounts.factories import TOTPDeviceFactory

from .access import _last_audit, api_url, outcome, page_url, request, resolve_body
from .access_api import API
from .access_cases import GET, PAGES

# --------------------------------------------------------------------------------------------------------------
# writes naming a foreign object: nothing changes
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_county_cannot_move_another_countys_institution(world):
    from institutions.models import Institution

    before = Institution.objects.get(pk=world.ids["institution"]).status
    last = _last_audit()
    client = world.client("county_other")
    response = client.post(
        f"/api/institutions/{world.ids['institution']}/transition/",
        {"to_status": "suspended", "effective_date": "2026-11-20", "reason": "越权测试"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert Institution.objects.get(pk=world.ids["institution"]).status == before
    page = client.post(
        reverse("institutions:transition", args=[world.ids["institution"]]),
        {"to_status": "suspended", "effective_date": "2026-11-20", "reason": "越权测试"},
    )
    assert page.status_code == 404
    assert Institution.objects.get(pk=world.ids["institution"]).status == before
    assert not AuditEvent.objects.filter(pk__gt=last).exists()


@pytest.mark.django_db
def test_program_for_a_foreign_institution_is_never_created(world):
    from institutions.models import Program

    body = {
        "occupation": "4-10-01-06",
        "skill_level": "level5",
        "training_type": "employment_skills",
        "mode": "offline",
        "theory_hours": 40,
        "practice_hours": 80,
        "fee": "1000",
        "listed_on": "2026-11-20",
    }
    count = Program.objects.count()
    last = _last_audit()
    for role, institution in [
        ("institution", "institution_other"),
        ("county_other", "institution"),
        ("county", "institution_anda"),
    ]:
        response = world.client(role).post(
            "/api/programs/", {**body, "institution": world.ids[institution]}, content_type="application/json"
        )
        assert response.status_code in (400, 403), (role, response.status_code)
        assert Program.objects.count() == count, role
        assert not AuditEvent.objects.filter(pk__gt=last).exists(), role


@pytest.mark.django_db
def test_institution_cannot_submit_another_institutions_claim(world):
    from subsidies.models import SubsidyClaim

    claim = SubsidyClaim.objects.get(pk=world.ids["claim"])
    status, last = claim.status, _last_audit()
    response = world.client("institution_other").post(f"/api/claims/{claim.pk}/submit/")
    assert response.status_code == 404
    page = world.client("institution_other").post(reverse("subsidies:submit", args=[claim.pk]))
    assert page.status_code == 404
    claim.refresh_from_db()
    assert claim.status == status
    assert not AuditEvent.objects.filter(pk__gt=last).exists()


@pytest.mark.django_db
def test_device_of_another_institution_cannot_check_in_to_our_class(world):
    from training.models import Attendance, ClassSession, Enrollment

    session = ClassSession.objects.get(pk=world.ids["session"])
    enrollment = Enrollment.objects.get(pk=world.ids["enrollment"])
    before = Attendance.objects.filter(session=session).count()
    response = world.client("anonymous").post(
        "/api/checkins/",
        {
            "records": [
                {
                    "record_id": "security-foreign-1",
                    "id_number": enrollment.trainee.id_number,
                    "session": session.pk,
                    "checked_at": "2026-11-20T08:25:00+08:00",
                    "method": "face",
                }
            ]
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Device {world.ids['device_token_other']}",
    )
    assert response.status_code in (200, 400, 403), response.status_code
    if response.status_code == 200:
        assert [r["status"] for r in response.json()] == ["rejected"]
    assert Attendance.objects.filter(session=session).count() == before


@pytest.mark.django_db
def test_search_by_id_number_does_not_reach_out_of_scope(world):
    """Searching by a full ID number is scoped: another county or institution learns nothing (not even that the
    person exists)."""
    from trainees.models import Trainee

    trainee = Trainee.objects.get(pk=world.ids["trainee"])
    body = {"id_number": trainee.id_number}
    found = {
        role: [row["id"] for row in world.client(role).post("/api/trainees/search/", body, "application/json").json()]
        for role in ("county", "institution", "county_other", "institution_other")
    }
    assert found == {"county": [trainee.pk], "institution": [trainee.pk], "county_other": [], "institution_other": []}
    for role, visible in [("county", True), ("county_other", False), ("institution_other", False)]:
        page = world.client(role).post(reverse("trainees:list"), body)
        assert page.status_code == 200
        assert (trainee.id_number_masked in page.content.decode()) is visible, role


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "county", "institution"])
def test_every_write_needs_a_csrf_token(world, role):
    """With CSRF checks on (as in a browser), no POST of the tables gets through without the token: pages answer
    403 (or the login redirect), session-authenticated API calls 403; nothing is written."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    if role != "anonymous":
        client.force_login(world.users[role])
    problems = []
    rows = [(name, case, False) for name, cases in PAGES.items() for case in cases if case.method == "post"]
    rows += [(op, case, True) for op, cases in API.items() for case in cases if case.method == "post"]
    for name, case, api in rows:
        url = api_url(world, name, case) if api else page_url(world, name, case)
        last = _last_audit()
        cache.clear()
        body = resolve_body(world, case.data)
        if api:
            response = client.post(url, json.dumps(body), content_type="application/json")
        else:
            response = client.post(url, body)
        allowed = {"403"} | ({"401"} if name == "checkins_create" else set())
        if outcome(response) not in allowed or AuditEvent.objects.filter(pk__gt=last).exists():
            problems.append(f"POST {url} ({name}): {outcome(response)}")
    assert not problems, problems


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "https:evil.example"])
def test_login_never_redirects_off_site(world, target):
    from accounts.demo import DEMO_PASSWORD

    response = world.client("anonymous").post(
        reverse("accounts:login") + "?next=" + target,
        {"username": "beilin", "password": DEMO_PASSWORD, "next": target},
    )
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/") and not location.startswith("//"), location


def _walk_pending_session(world, role, client, *, allowed: frozenset, target: str) -> list[str]:
    """Every page row and API row (and the admin) with a session that has not passed two-factor: only the
    `allowed` URL names may answer; pages redirect to `target`, the API answers 401/403, nothing is written."""
    problems = []
    rows = [(name, case, False) for name, cases in PAGES.items() for case in cases]
    rows += [(op, case, True) for op, cases in API.items() for case in cases]
    rows += [("admin:index", GET("-"), False), ("admin:accounts_user_changelist", GET("-"), False)]
    for name, case, api in rows:
        if name in allowed:
            continue
        url = api_url(world, name, case) if api else page_url(world, name, case)
        last = _last_audit()
        response = request(world, role, case.method, url, case, api=api, client=client)
        if api or url.startswith("/api/"):
            ok = response.status_code in (401, 403)
        else:
            ok = response.status_code == 302 and response["Location"].startswith(target)
        written = AuditEvent.objects.filter(pk__gt=last).exists()
        if not ok or written:
            problems.append(f"{case.method.upper()} {url} ({name}): {outcome(response)}{' + audit' if written else ''}")
    return problems


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["province", "county", "finance", "admin", "institution"])
def test_with_two_factor_enforced_a_session_without_otp_reaches_nothing(world, role, settings):
    """Production enforces TOTP for bureau staff, finance and administrators: a user of those roles without an
    authenticator reaches only the first setup and sign-out; every other page (public ones included) redirects
    to the setup and every API call is 403. Institution users are not required to use it."""
    from accounts import twofactor

    settings.TWO_FACTOR_REQUIRED = True
    client = world.client(role)
    if role != "institution":
        problems = _walk_pending_session(
            world, role, client, allowed=twofactor.PENDING_WITHOUT_DEVICE, target="/accounts/2fa/setup/"
        )
        assert not problems, problems
        return
    problems = []
    for name, cases in PAGES.items():
        for case in cases:
            if name == "accounts:logout":
                continue  # would end the session the loop walks with
            url = page_url(world, name, case)
            response = request(world, role, case.method, url, case, api=False, client=client)
            reauth = response.status_code == 302 and response["Location"].startswith(reverse("accounts:reauth"))
            if outcome(response) not in case.expected(role) and not (case.method == "post" and reauth):
                problems.append(f"{case.method.upper()} {url} ({name}): {outcome(response)}")
    assert not problems, problems


@pytest.mark.django_db
@pytest.mark.parametrize("two_factor_required", [True, False])
@pytest.mark.parametrize("role", ["province", "city", "county", "finance", "admin", "institution"])
def test_a_password_alone_reaches_only_verify_and_sign_out(world, role, two_factor_required, settings):
    """The probe's attack: a user with a confirmed authenticator signs in with the password only. That session
    may open the verification page and sign out, nothing else: not the authenticator setup (which used to hand
    out a fresh secret and verify the session), not the public pages, no API. An institution user who turned
    two-factor on is asked for it too, whether or not two-factor is enforced."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts import twofactor

    settings.TWO_FACTOR_REQUIRED = two_factor_required
    TOTPDeviceFactory(user=world.users[role])
    client = world.client(role)  # force_login: the password step only
    problems = _walk_pending_session(
        world, role, client, allowed=twofactor.PENDING_WITH_DEVICE, target="/accounts/2fa/verify/"
    )
    assert TOTPDevice.objects.filter(user=world.users[role]).count() == 1, "a second authenticator was enrolled"
    assert not problems, problems
