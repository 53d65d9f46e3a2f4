"""Training API: scope on every route (classes, transition, enrollments, import jobs, check-ins), masked
rosters, import progress, and the check-in device endpoint (batches, replays, revoked tokens)."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from config import api_urls
from core.clock import replaying as clock
from training.models import Attendance, ImportJob, TrainingClass
from training.models import ClassStatus as S
from training.services import attendance

from .pages_kit import PEOPLE_B, make_world, snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


@pytest.fixture
def world(make_user, county_user, province_user):
    return make_world(make_user, county_user, province_user)


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def b_objects(c: TrainingClass) -> tuple[set[int], int]:
    return set(c.enrollments.values_list("pk", flat=True)), c.import_jobs.get().pk


# --- every training route ---------------------------------------------------------------------------------

COVERED = {
    "class-list",
    "class-detail",
    "class-transition",
    "enrollment-list",
    "enrollment-detail",
    "import-job-list",
    "import-job-detail",
    "checkins",
}


def training_routes() -> set[str]:
    return {p.name for p in api_urls.urlpatterns if getattr(p.callback, "cls", None).__module__ == "training.apis"}


def test_the_scope_tests_cover_every_training_api_route():
    assert training_routes() == COVERED


ANONYMOUS = [
    ("get", "/api/classes/"),
    ("get", "/api/classes/1/"),
    ("post", "/api/classes/1/transition/"),
    ("get", "/api/enrollments/"),
    ("get", "/api/enrollments/1/"),
    ("get", "/api/import-jobs/"),
    ("get", "/api/import-jobs/1/"),
    ("post", "/api/checkins/"),
]


def test_anonymous_requests_to_every_training_route_are_refused(world):
    assert len(ANONYMOUS) == len(COVERED)
    c = world.b_class(S.SUBMITTED)
    for method, url in ANONYMOUS:
        url = url.replace("/1/", f"/{c.pk}/")
        response = getattr(api(), method)(url, {"to_status": "approved"} if method == "post" else None)
        assert response.status_code in (401, 403), (method, url, response.status_code)
    assert TrainingClass.objects.get(pk=c.pk).status == S.SUBMITTED


# --- outsiders --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["inst_a", "anda"])
def test_outsiders_api_lists_leave_out_class_b_its_roster_and_its_import_job(world, who):
    c = world.b_class(S.SUBMITTED)
    enrollments, job = b_objects(c)
    client = api(getattr(world, who))
    assert c.pk not in ids(client.get("/api/classes/"))
    assert c.pk not in ids(client.get("/api/classes/?status=submitted"))
    assert not ids(client.get("/api/enrollments/")) & enrollments
    assert not ids(client.get(f"/api/enrollments/?training_class={c.pk}"))
    assert job not in ids(client.get("/api/import-jobs/"))


@pytest.mark.parametrize("who", ["inst_a", "anda"])
def test_outsiders_cannot_retrieve_or_transition_class_b(world, who):
    c = world.b_class(S.SUBMITTED)
    enrollments, job = b_objects(c)
    outsider = getattr(world, who)
    client = api(outsider)
    before = snapshot(c)
    assert client.get(f"/api/classes/{c.pk}/").status_code == 404
    assert client.get(f"/api/enrollments/{min(enrollments)}/").status_code == 404
    assert client.get(f"/api/import-jobs/{job}/").status_code == 404
    for to_status in ("approved", "returned", "rejected", "submitted"):
        response = client.post(f"/api/classes/{c.pk}/transition/", {"to_status": to_status, "reason": "越权"})
        assert response.status_code == 404
    assert snapshot(c) == before
    assert not AuditEvent.objects.filter(actor=outsider).exists()


def test_b_s_county_sees_and_decides_class_b_through_the_api(world):
    """Control for the two tests above."""
    c = world.b_class(S.SUBMITTED)
    enrollments, job = b_objects(c)
    client = api(world.county)
    assert c.pk in ids(client.get("/api/classes/"))
    assert ids(client.get(f"/api/enrollments/?training_class={c.pk}")) == enrollments
    assert job in ids(client.get("/api/import-jobs/"))
    response = client.post(f"/api/classes/{c.pk}/transition/", {"to_status": "approved", "reason": "同意"})
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert AuditEvent.objects.filter(action="class.approved", actor=world.county, target_id=str(c.pk)).exists()


def test_filtering_by_an_out_of_scope_class_answers_like_filtering_by_a_missing_one(world):
    """An outsider must not learn that class B exists: ?training_class=<B> and ?training_class=<no such class>
    should give the same answer."""
    c = world.b_class(S.SUBMITTED)
    client = api(world.inst_a)
    out_of_scope = client.get(f"/api/enrollments/?training_class={c.pk}")
    missing = client.get(f"/api/enrollments/?training_class={c.pk + 100000}")
    assert (out_of_scope.status_code, out_of_scope.json()) == (missing.status_code, missing.json())


def test_drafts_are_invisible_to_the_county_through_the_api(world):
    c = world.b_class(S.DRAFT)
    enrollments, job = b_objects(c)
    client = api(world.county)
    assert c.pk not in ids(client.get("/api/classes/"))
    assert client.get(f"/api/classes/{c.pk}/").status_code == 404
    assert not ids(client.get("/api/enrollments/")) & enrollments
    assert client.get(f"/api/import-jobs/{job}/").status_code == 404
    assert client.post(f"/api/classes/{c.pk}/transition/", {"to_status": "approved"}).status_code == 404
    assert c.pk in ids(api(world.inst_b).get("/api/classes/"))


def test_province_reads_class_b_through_the_api_but_cannot_transition_it(world):
    c = world.b_class(S.SUBMITTED)
    enrollments, job = b_objects(c)
    client = api(world.province)
    assert client.get(f"/api/classes/{c.pk}/").json()["status"] == "submitted"
    assert ids(client.get(f"/api/enrollments/?training_class={c.pk}")) == enrollments
    assert client.get(f"/api/import-jobs/{job}/").status_code == 200
    before = snapshot(c)
    for to_status in ("approved", "returned"):
        response = client.post(f"/api/classes/{c.pk}/transition/", {"to_status": to_status, "reason": "省厅意见"})
        assert response.status_code == 403
    assert snapshot(c) == before


# --- import jobs and rosters ------------------------------------------------------------------------------


def test_import_job_api_reports_status_counts_and_percent(world):
    c = world.b_class(S.DRAFT)
    job = c.import_jobs.get()
    client = api(world.inst_b)
    body = client.get(f"/api/import-jobs/{job.pk}/").json()
    assert (body["status"], body["percent"], body["created_count"], body["errors"]) == ("done", 100, 2, [])
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.VALIDATING, rows_total=400, rows_done=100)
    assert client.get(f"/api/import-jobs/{job.pk}/").json()["percent"] == 25
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.PENDING, rows_total=0, rows_done=0)
    assert client.get(f"/api/import-jobs/{job.pk}/").json()["percent"] == 0
    assert "file" not in body


def test_enrollments_api_gives_masked_names_and_id_numbers_only(world):
    c = world.b_class(S.SUBMITTED)
    for user in (world.inst_b, world.county):
        response = api(user).get(f"/api/enrollments/?training_class={c.pk}")
        rows = sorted(response.json()["results"], key=lambda r: r["id"])
        assert [(r["name"], r["id_number"]) for r in rows] == [
            ("李*红", f"{PEOPLE_B[0][1][:6]}***********{PEOPLE_B[0][1][-1]}"),
            ("王*明", f"{PEOPLE_B[1][1][:6]}***********{PEOPLE_B[1][1][-1]}"),
        ]
        body = response.content.decode()
        assert all(name not in body and number not in body for name, number in PEOPLE_B)


# --- check-in devices -------------------------------------------------------------------------------------


def device(owner, institution, name="前台人脸考勤机"):
    return attendance.device_issue(actor=owner, institution=institution, name=name)


def batch(c: TrainingClass, prefix="r", people=PEOPLE_B) -> dict:
    session = c.sessions.order_by("date").first()
    checked_at = timezone.make_aware(datetime.combine(session.date, session.start_time)) - timedelta(minutes=5)
    return {
        "records": [
            {
                "record_id": f"{prefix}-{n}",
                "id_number": number,
                "session": session.pk,
                "checked_at": checked_at.isoformat(),
                "method": "face",
            }
            for n, (_, number) in enumerate(people)
        ]
    }


def post_checkins(token, data, c):
    with clock(c.start_date, time(12, 0)):
        return api().post("/api/checkins/", data, format="json", headers={"Authorization": f"Device {token}"})


def test_a_device_batch_is_accepted_and_a_replayed_batch_reports_duplicates(world):
    c = world.b_class(S.IN_TRAINING)
    _, token = device(world.inst_b, world.b)
    data = batch(c, people=[*PEOPLE_B, ("不在册", "230102199001011234")])
    first = post_checkins(token, data, c)
    assert first.status_code == 200
    assert [r["status"] for r in first.json()] == ["accepted", "accepted", "rejected"]
    assert first.json()[2]["reason"] == "该人员不在本班花名册中。"
    replay = post_checkins(token, data, c)
    assert [r["status"] for r in replay.json()] == ["duplicate", "duplicate", "rejected"]
    assert Attendance.objects.filter(session__training_class=c).count() == 2


def test_a_revoked_or_unknown_device_token_is_refused_and_nothing_is_stored(world):
    c = world.b_class(S.IN_TRAINING)
    revoked, token = device(world.inst_b, world.b)
    attendance.device_revoke(actor=world.inst_b, device=revoked)
    for bad in (token, "not-a-token"):
        assert post_checkins(bad, batch(c), c).status_code in (401, 403)
    assert post_checkins("", batch(c), c).status_code in (401, 403)
    with clock(c.start_date, time(12, 0)):
        session_user = api(world.inst_b).post("/api/checkins/", batch(c), format="json")
    assert session_user.status_code in (401, 403)
    assert not Attendance.objects.exists()


def test_a_device_of_institution_a_cannot_check_in_to_b_s_session(world):
    c = world.b_class(S.IN_TRAINING)
    _, token = device(world.inst_a, world.a, name="甲校考勤机")
    response = post_checkins(token, batch(c), c)
    assert response.status_code == 200
    assert {(r["status"], r["reason"]) for r in response.json()} == {("rejected", "课程不存在或不属于本机构。")}
    assert not Attendance.objects.exists()
