"""The training pages without a class in the URL, the institution's application through the pages, and the submission
and the county's decision."""

import re
from datetime import time, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from core.clock import replaying as clock
from training.models import (
    CheckInDevice,
    ImportJob,
    TrainingClass,
)
from training.models import ClassStatus as S
from training.services import attendance, classes

from ..trainees.factories import make_id
from . import pages_kit as kit
from .pages_kit import (
    PEOPLE_B,
    _first,
    all_training_urls,
    class_form,
    messages_of,
    part,
    pdf_file,
    roster_rows,
    text,
    xlsx_file,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]
world = kit.world  # the fixture

# --- the pages without a class in the URL ----------------------------------------------------------------


def test_list_shows_class_b_to_its_county_and_the_province_but_not_to_outsiders(client, world):
    c = world.b_class(S.SUBMITTED)
    for user, visible in [(world.inst_a, False), (world.anda, False), (world.county, True), (world.province, True)]:
        client.force_login(user)
        for url in ("/classes/", "/classes/?status=submitted"):
            assert (c.name in text(client.get(url))) is visible, (user, url)


def test_queue_lists_class_b_for_its_county_only_and_is_closed_to_institutions_and_the_province(client, world):
    c = world.b_class(S.SUBMITTED)
    client.force_login(world.anda)
    assert c.name not in text(client.get("/classes/queue/"))
    client.force_login(world.county)
    assert c.name in part(text(client.get("/classes/queue/")), "queue-table")
    for user in (world.inst_a, world.inst_b, world.province):
        client.force_login(user)
        assert client.get("/classes/queue/").status_code == 403


def test_create_does_not_accept_another_institutions_program(client, world):
    client.force_login(world.inst_a)
    assert f'value="{world.b_program.pk}"' not in text(client.get("/classes/new/"))
    response = client.post("/classes/new/", class_form(world.b_program))
    assert response.status_code == 400
    assert not TrainingClass.objects.exists()
    assert not AuditEvent.objects.filter(actor=world.inst_a).exclude(action="user.signed_in").exists()
    client.force_login(world.county)
    assert client.get("/classes/new/").status_code == 403


def test_devices_page_and_revoke_stay_inside_the_institution(client, world):
    device, _ = attendance.device_issue(actor=world.inst_b, institution=world.b, name="乙校前台考勤机")
    client.force_login(world.inst_a)
    assert device.name not in text(client.get("/classes/devices/"))
    assert client.post(f"/classes/devices/{device.pk}/revoke/").status_code == 404
    client.force_login(world.anda)
    assert client.get("/classes/devices/").status_code == 403
    assert client.post(f"/classes/devices/{device.pk}/revoke/").status_code == 403
    assert CheckInDevice.objects.get(pk=device.pk).is_active
    client.force_login(world.inst_b)
    assert device.name in text(client.get("/classes/devices/"))
    client.post(f"/classes/devices/{device.pk}/revoke/")
    assert not CheckInDevice.objects.get(pk=device.pk).is_active


def test_drafts_are_invisible_to_county_and_city_users(client, world, city_user):
    c = world.b_class(S.DRAFT)
    job, material = _first(c.import_jobs), _first(c.materials)
    for user in (world.county, city_user, world.province):
        client.force_login(user)
        assert c.name not in text(client.get("/classes/"))
        assert c.name not in text(client.get("/classes/?status=draft"))
        assert client.get(f"/classes/{c.pk}/").status_code == 404
        assert client.get(f"/classes/{c.pk}/materials/{material.pk}/").status_code == 404
        assert client.get(f"/classes/jobs/{job.pk}/").status_code == 404
    client.force_login(world.county)
    assert client.post(f"/classes/{c.pk}/transition/", {"to_status": "approved"}).status_code == 404
    client.force_login(world.inst_b)
    assert c.name in text(client.get("/classes/"))
    assert client.get(f"/classes/{c.pk}/").status_code == 200


@pytest.mark.parametrize(("name", "url"), list(all_training_urls()), ids=[n for n, _ in all_training_urls()])
def test_anonymous_visitor_is_sent_to_sign_in_from_every_training_url(client, name, url):
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302, f"{method.__name__} {url} answered {response.status_code}"
        assert response.url.startswith(reverse("accounts:login"))


def test_institution_creates_a_draft_class_from_the_form(client, world):
    client.force_login(world.inst_b)
    assert f'value="{world.b_program.pk}"' in text(client.get("/classes/new/"))
    response = client.post("/classes/new/", class_form(world.b_program))
    c = TrainingClass.objects.get(name="2026年第9期养老护理员（五级）培训班")
    assert response.status_code == 302 and response.url == f"/classes/{c.pk}/"
    assert (c.status, c.institution, c.county.code, c.planned_headcount) == (S.DRAFT, world.b, "231202", 25)
    assert AuditEvent.objects.filter(action="class.created", target_id=str(c.pk), actor=world.inst_b).exists()
    page = text(client.get(response.url))
    assert "草稿" in part(page, "class-status")
    assert 'data-testid="session-form"' in page and 'data-testid="roster-form"' in page


def test_create_refuses_an_end_date_before_the_start_with_a_chinese_message(client, world):
    client.force_login(world.inst_b)
    start = timezone.localdate() + timedelta(days=20)
    response = client.post("/classes/new/", class_form(world.b_program, end_date=(start - timedelta(days=1))))
    assert response.status_code == 400
    assert "结业日期不能早于开班日期。" in text(response)
    assert not TrainingClass.objects.exists()


def test_institution_adds_sessions_and_a_too_short_session_is_refused(client, world):
    c = world.b_class(S.DRAFT)
    client.force_login(world.inst_b)
    url = f"/classes/{c.pk}/sessions/"
    day = c.end_date.isoformat()
    ok = client.post(url, {"date": day, "start_time": "14:00", "end_time": "16:00", "kind": "practice", "hours": 3})
    assert ok.status_code == 302
    short = client.post(
        url, {"date": day, "start_time": "17:00", "end_time": "18:00", "kind": "theory", "hours": 2}, follow=True
    )
    assert messages_of(short) == ["2 课时至少需要 80 分钟（每课时不少于 40 分钟）。"]
    assert c.sessions.count() == 3
    timetable = part(text(short), "timetable")
    assert "14:00–16:00" in timetable and "17:00" not in timetable


def test_material_upload_accepts_a_pdf_and_refuses_an_exe_in_chinese(client, world):
    c = world.b_class(S.DRAFT)
    client.force_login(world.inst_b)
    ok = client.post(f"/classes/{c.pk}/materials/", {"kind": "syllabus", "file": pdf_file("教学大纲.pdf")}, follow=True)
    assert messages_of(ok, "success") == ["已上传材料。"]
    exe = SimpleUploadedFile("setup.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    refused = client.post(f"/classes/{c.pk}/materials/", {"kind": "syllabus", "file": exe}, follow=True)
    assert messages_of(refused) == ["只能上传 PDF、Word、Excel 或图片文件。"]
    assert sorted(c.materials.values_list("original_name", flat=True)) == ["培训计划.pdf", "教学大纲.pdf"]
    assert "setup.exe" not in text(refused)


def test_bad_roster_shows_each_error_with_its_row_number_and_imports_nobody(
    client, world, django_capture_on_commit_callbacks
):
    c = world.b_class(S.DRAFT)
    c.enrollments.all().delete()
    good_id = make_id(seq=5)
    bad_check = good_id[:-1] + ("0" if good_id[-1] != "0" else "1")
    rows = [["周晓光", make_id(seq=4)], ["吴建华", bad_check], ["张3", make_id(seq=6)]]
    client.force_login(world.inst_b)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/classes/{c.pk}/roster/", {"file": xlsx_file([r + [None] * 5 for r in rows])})
    assert response.status_code == 302
    job = c.import_jobs.order_by("-pk").first()
    assert (job.status, job.percent) == (ImportJob.Status.INVALID, 100)
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "身份证号码"), (4, "姓名")]
    errors = part(text(client.get(f"/classes/{c.pk}/")), "roster-errors")
    assert re.search(r"<td>3</td><td>身份证号码</td><td>[^<]*校验", errors)
    assert "<td>4</td><td>姓名</td><td>姓名不能包含数字。</td>" in errors
    assert not c.enrollments.exists()


def test_good_roster_replaces_the_roster_and_the_table_shows_only_masked_id_numbers(
    client, world, django_capture_on_commit_callbacks
):
    c = world.b_class(S.DRAFT)
    people = [("周晓光", make_id(seq=4)), ("欧阳娜娜", make_id(seq=7)), ("吴建华", make_id(seq=9))]
    client.force_login(world.inst_b)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/classes/{c.pk}/roster/", {"file": xlsx_file(roster_rows(people))})
    page = text(client.get(f"/classes/{c.pk}/"))
    assert "花名册已导入 3 人。" in part(page, "job-done")
    assert "100%" in part(page, "job-percent")
    table = part(page, "roster-table")
    for name, number in people:
        assert f"{number[:6]}***********{number[-1]}" in table
        assert number not in page and name not in page
    assert "欧**娜" in table
    assert sorted(c.enrollments.values_list("trainee__name", flat=True)) == sorted(n for n, _ in people)


def test_job_fragment_reports_progress_and_asks_htmx_to_refresh_when_done(client, world):
    c = world.b_class(S.DRAFT)
    job = _first(c.import_jobs)
    client.force_login(world.inst_b)
    done = client.get(f"/classes/jobs/{job.pk}/", headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"
    assert "100%" in part(text(done), "job-percent")
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.VALIDATING, rows_total=400, rows_done=200)
    running = client.get(f"/classes/jobs/{job.pk}/", headers={"HX-Request": "true"})
    assert "HX-Refresh" not in running
    assert "50%" in part(text(running), "job-percent")
    assert 'hx-trigger="every 1s"' in text(running)


# --- submission and the county's decision ------------------------------------------------------------------


def test_institution_submits_and_the_county_finds_it_in_the_queue(client, world):
    c = world.b_class(S.DRAFT)
    client.force_login(world.inst_b)
    response = client.post(f"/classes/{c.pk}/transition/", {"to_status": "submitted"}, follow=True)
    assert "待审批" in part(text(response), "class-status")
    assert 'data-testid="submit-class"' not in text(response)
    assert AuditEvent.objects.filter(action="class.submitted", target_id=str(c.pk)).exists()
    client.force_login(world.county)
    assert c.name in part(text(client.get("/classes/queue/")), "queue-table")


def test_county_sees_the_approval_problems_and_cannot_approve_when_hours_do_not_match(client, world):
    c = world.b_class(S.DRAFT)
    with clock(c.start_date - timedelta(days=20)):
        classes.session_add(
            actor=world.inst_b,
            training_class=c,
            date=c.end_date,
            start_time=time(14, 0),
            end_time=time(17, 0),
            kind="practice",
            hours=4,
        )
        classes.class_transition(actor=world.inst_b, training_class=c, to_status=S.SUBMITTED)
    client.force_login(world.county)
    page = text(client.get(f"/classes/{c.pk}/"))
    assert "课程表合计 12 课时，与项目标准课时 8 不一致。" in part(page, "approval-problems")
    form = part(page, "decision-form")
    assert 'value="approved"' not in form and 'value="returned"' in form
    refused = client.post(f"/classes/{c.pk}/transition/", {"to_status": "approved"}, follow=True)
    assert "课程表合计 12 课时" in messages_of(refused)[0]
    c.refresh_from_db()
    assert c.status == S.SUBMITTED and c.approved_at is None
    assert not AuditEvent.objects.filter(action="class.approved").exists()


def test_county_approves_a_complete_application(client, world):
    c = world.b_class(S.SUBMITTED)
    client.force_login(world.county)
    page = text(client.get(f"/classes/{c.pk}/"))
    assert 'data-testid="approval-problems"' not in page
    assert 'value="approved"' in part(page, "decision-form")
    response = client.post(f"/classes/{c.pk}/transition/", {"to_status": "approved", "reason": "同意"}, follow=True)
    assert "已批准" in part(text(response), "class-status")
    c.refresh_from_db()
    assert c.status == S.APPROVED and c.approved_at is not None
    assert AuditEvent.objects.filter(action="class.approved", actor=world.county, target_id=str(c.pk)).exists()


def test_returning_an_application_requires_a_reason(client, world):
    c = world.b_class(S.SUBMITTED)
    client.force_login(world.county)
    refused = client.post(f"/classes/{c.pk}/transition/", {"to_status": "returned", "reason": "  "}, follow=True)
    assert messages_of(refused) == ["请填写理由。"]
    assert TrainingClass.objects.get(pk=c.pk).status == S.SUBMITTED
    done = client.post(
        f"/classes/{c.pk}/transition/", {"to_status": "returned", "reason": "请补充师资名单"}, follow=True
    )
    assert "退回修改" in part(text(done), "class-status")
    assert "请补充师资名单" in part(text(done), "class-history")
    assert TrainingClass.objects.get(pk=c.pk).status == S.RETURNED


def test_county_and_province_see_the_roster_only_masked(client, world):
    c = world.b_class(S.SUBMITTED)
    for user in (world.county, world.province):
        client.force_login(user)
        page = text(client.get(f"/classes/{c.pk}/"))
        table = part(page, "roster-table")
        for name, number in PEOPLE_B:
            assert f"{number[:6]}***********{number[-1]}" in table
            assert number not in page and name not in page
