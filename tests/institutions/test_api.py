"""The directory API: scoped like the pages; B's id in a URL or a body is "not found", never a write."""

import pytest
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from config.api_urls import router
from institutions.models import InstitutionStatus, Program

from .factories import InstitutionFactory, credit_code
from .pages_kit import build_world, snapshot, today

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def ids(response) -> set[int]:
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def transition_body(to_status="suspended"):
    return {"to_status": to_status, "effective_date": today().isoformat(), "reason": "接口测试"}


def program_body(institution_pk, **changes):
    body = {
        "institution": institution_pk,
        "occupation": "4-10-01-05",
        "skill_level": "level4",
        "training_type": "skill_upgrade",
        "mode": "blended",
        "theory_hours": 30,
        "practice_hours": 50,
        "fee": "1500.00",
        "listed_on": today().isoformat(),
    }
    return {**body, **changes}


def institution_body(county_code="231202", **changes):
    body = {
        "name": "接口登记的培训学校",
        "credit_code": credit_code(660001),
        "type": "private",
        "county": county_code,
        "address": "北林区中直路 9 号",
        "contact_person": "周敏",
        "contact_phone": "13845500002",
    }
    return {**body, **changes}


# Every route of the directory API that takes a write or names an object of B.
# (method, url, body, expected status for: the institution user of A, the 安达市 user, the province user)
WRITES = {
    "institution-retrieve": ("get", lambda w: f"/api/institutions/{w.b.pk}/", None, 404, 404, 200),
    "institution-transition": (
        "post",
        lambda w: f"/api/institutions/{w.b.pk}/transition/",
        lambda w: transition_body(),
        403,
        404,
        403,
    ),
    "institution-create-in-beilin": (
        "post",
        lambda w: "/api/institutions/",
        lambda w: institution_body(),
        403,
        400,
        403,
    ),
    "program-retrieve": ("get", lambda w: f"/api/programs/{w.b_program.pk}/", None, 404, 404, 200),
    "program-create-for-b": ("post", lambda w: "/api/programs/", lambda w: program_body(w.b.pk), 403, 400, 403),
    "program-status": (
        "post",
        lambda w: f"/api/programs/{w.b_program.pk}/status/",
        lambda w: transition_body("delisted"),
        403,
        404,
        403,
    ),
}


def test_the_scope_tests_cover_every_directory_api_route():
    basenames = {
        url.name for url in router.urls if url.name and url.name.split("-")[0] in ("institution", "program", "urgent")
    }
    assert basenames == {
        "institution-list",
        "institution-detail",
        "institution-transition",
        "program-list",
        "program-detail",
        "program-set-status",
        "urgent-list-list",
        "urgent-list-detail",
    }


def call(client, method, url, body):
    return client.post(url, body, format="json") if method == "post" else client.get(url)


@pytest.mark.parametrize("who", ["inst_a", "anda"])
@pytest.mark.parametrize("case", WRITES)
def test_outsiders_cannot_read_or_write_b_through_the_api(world, who, case):
    method, url, body, inst_a, anda, _province = WRITES[case]
    outsider = getattr(world, who)
    before = snapshot(world.b)
    response = call(api(outsider), method, url(world), body(world) if body else None)
    assert response.status_code == {"inst_a": inst_a, "anda": anda}[who]
    assert snapshot(world.b) == before
    assert not AuditEvent.objects.filter(actor=outsider).exists()


@pytest.mark.parametrize("case", WRITES)
def test_province_user_reads_b_through_the_api_but_cannot_write(world, province_user, case):
    method, url, body, _inst_a, _anda, province = WRITES[case]
    before = snapshot(world.b)
    assert call(api(province_user), method, url(world), body(world) if body else None).status_code == province
    assert snapshot(world.b) == before


def test_b_s_own_county_can_do_the_same_writes(world, county_user):
    """Control: the refusals above are about scope, not about malformed requests."""
    client = api(county_user)
    assert client.post("/api/programs/", program_body(world.b.pk), format="json").status_code == 201
    assert (
        client.post(
            f"/api/programs/{world.b_program.pk}/status/", transition_body("delisted"), format="json"
        ).status_code
        == 200
    )
    response = client.post(f"/api/institutions/{world.b.pk}/transition/", transition_body(), format="json")
    assert response.status_code == 200 and response.json()["status"] == InstitutionStatus.SUSPENDED
    assert client.post("/api/institutions/", institution_body(), format="json").status_code == 201


def test_other_county_is_told_the_institution_does_not_exist_when_listing_a_program_for_b(world):
    response = api(world.anda).post("/api/programs/", program_body(world.b.pk), format="json")
    assert response.status_code == 400 and "institution" in response.json()
    assert not Program.objects.filter(institution=world.b).exclude(pk=world.b_program.pk).exists()


def test_lists_do_not_contain_b(world):
    assert ids(api(world.inst_a).get("/api/institutions/")) == {world.a.pk}
    assert ids(api(world.anda).get("/api/institutions/")) == {world.c.pk}
    assert ids(api(world.inst_a).get("/api/programs/")) == {world.a_program.pk}
    assert ids(api(world.anda).get("/api/programs/")) == {world.c_program.pk}
    assert ids(api(world.anda).get("/api/programs/", {"institution": world.b.pk})) == set()


def test_province_list_contains_b(world, province_user):
    assert {world.a.pk, world.b.pk, world.c.pk} <= ids(api(province_user).get("/api/institutions/"))


def test_institution_user_cannot_read_urgent_lists(world):
    assert api(world.inst_a).get("/api/urgent-lists/").status_code == 403


def test_a_refused_transition_is_a_chinese_400_and_writes_nothing(county_user):
    institution = InstitutionFactory()
    response = api(county_user).post(
        f"/api/institutions/{institution.pk}/transition/", transition_body("revoked"), format="json"
    )
    assert response.status_code == 400 and "不能从“申请中”变更为“已撤销”" in response.json()["detail"]
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.APPLIED
    assert not AuditEvent.objects.filter(actor=county_user).exists()


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/institutions/"),
        ("get", "/api/institutions/{b}/"),
        ("post", "/api/institutions/"),
        ("post", "/api/institutions/{b}/transition/"),
        ("get", "/api/programs/"),
        ("get", "/api/programs/{p}/"),
        ("post", "/api/programs/"),
        ("post", "/api/programs/{p}/status/"),
        ("get", "/api/urgent-lists/"),
    ],
)
def test_anonymous_api_requests_are_refused(world, method, url):
    before = snapshot(world.b)
    response = call(api(), method, url.format(b=world.b.pk, p=world.b_program.pk), {})
    assert response.status_code in (401, 403)
    assert snapshot(world.b) == before


def test_an_entrepreneurship_program_goes_through_the_api_with_a_stage_and_no_occupation(world, county_user):
    """创业培训 programs have no occupation or level: the API lists them with nulls (as its schema says, which the
    fuzzing checks) and creates one from a stage; a stage with an occupation is refused as the service refuses."""
    client = api(county_user)
    stage = program_body(
        world.b.pk, occupation=None, skill_level=None, entrepreneurship_stage="syb", training_type="entrepreneurship"
    )
    created = client.post("/api/programs/", stage, format="json")
    assert created.status_code == 201, created.json()
    row = client.get(f"/api/programs/{created.json()['id']}/").json()
    assert (row["occupation"], row["skill_level"], row["entrepreneurship_stage"]) == (None, None, "syb")
    mixed = client.post("/api/programs/", {**stage, "occupation": "4-10-01-05", "mode": "offline"}, format="json")
    assert mixed.status_code == 400
