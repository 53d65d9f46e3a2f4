"""Attendance: device batches are idempotent and checked against session, window, roster and institution, the
device's issue time and method and the upload delay (late uploads marked 迟传 and shown on the claim review);
manual entries need a reason; the summary adds up."""

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from core.clock import replaying as clock
from core.errors import DomainError
from training.models import Attendance, CheckInMethod, ClassStatus, EnrollmentResult
from training.services.attendance import (
    CheckIn,
    LateUploads,
    attendance_record_manual,
    attendance_summary,
    checkins_record,
    device_authenticate,
    device_issue,
    device_revoke,
    late_uploads,
)
from training.services.classes import class_transition
from training.services.results import enrollment_record_result

from .factories import World, approve, institution_user, listed_program, person, ready_class, start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


class Live(World):
    """A class in training (3 on the roster, 10 sessions of 3 hours) and a check-in device of its institution."""

    def __init__(self):
        super().__init__()
        self.c = approve(ready_class(self.program, self.owner), self.owner, self.bureau)
        self.c = start(self.c, self.owner)
        self.sessions = list(self.c.sessions.order_by("date", "start_time"))
        self.morning, self.afternoon = self.sessions[0], self.sessions[1]
        self.enrollments = list(self.c.enrollments.order_by("id").select_related("trainee"))
        self.device, self.token = device_issue(actor=self.owner, institution=self.institution, name="前台人脸考勤机")


@pytest.fixture
def w():
    return Live()


def at(session, hh, mm=0):
    return timezone.make_aware(datetime.combine(session.date, time(hh, mm)))


def checkin(record_id, session, moment, n=0, method="face"):
    return CheckIn(record_id=record_id, id_number=person(n)[1], session_id=session.pk, checked_at=moment, method=method)


def record(w, *checkins, now=None, device=None):
    with clock(w.morning.date, now or time(17, 0)):
        return [(r["status"], r["reason"]) for r in checkins_record(device=device or w.device, checkins=list(checkins))]


def statuses(results):
    return [s for s, _ in results]


# --- device batches ------------------------------------------------------------------------------------


def test_a_device_batch_is_accepted_and_stored_with_its_device_and_record_ids(w):
    batch = [checkin(f"r{n}", w.morning, at(w.morning, 8, 20 + n), n) for n in range(3)]
    assert statuses(record(w, *batch)) == ["accepted"] * 3
    stored = Attendance.objects.order_by("device_record_id")
    assert [(a.device_id, a.device_record_id, a.method) for a in stored] == [
        (w.device.pk, f"r{n}", "face") for n in range(3)
    ]


def test_a_resent_batch_is_all_duplicates_and_nothing_is_counted_twice(w):
    batch = [checkin(f"r{n}", w.morning, at(w.morning, 8, 20), n) for n in range(3)]
    record(w, *batch)
    assert statuses(record(w, *batch)) == ["duplicate"] * 3
    assert statuses(record(w, checkin("other-id", w.morning, at(w.morning, 9, 0), 0))) == ["duplicate"]  # same person
    assert Attendance.objects.count() == 3
    assert attendance_summary(w.c)[w.enrollments[0].pk]["sessions"] == 1


def test_a_duplicate_inside_one_batch_counts_once(w):
    one = checkin("r1", w.morning, at(w.morning, 8, 20))
    assert statuses(record(w, one, one)) == ["accepted", "duplicate"]


def test_someone_not_on_the_roster_or_with_a_bad_number_is_rejected(w):
    results = record(
        w,
        checkin("stranger", w.morning, at(w.morning, 8, 20), n=99),
        CheckIn("bad", "231202199001010021", w.morning.pk, at(w.morning, 8, 20), "face"),
    )
    assert results == [("rejected", "该人员不在本班花名册中。")] * 2


@pytest.mark.parametrize(
    ("hh", "mm", "status"),
    [(7, 59, "rejected"), (8, 0, "accepted"), (12, 0, "accepted"), (12, 1, "rejected")],
)
def test_a_checkin_counts_from_30_minutes_before_to_30_minutes_after_the_session(w, hh, mm, status):
    (result,) = record(w, checkin("r", w.morning, at(w.morning, hh, mm)))
    assert result[0] == status
    if status == "rejected":
        assert result[1] == "签到时间不在该课程时间内。"


def test_a_checkin_from_the_future_is_rejected_beyond_five_minutes_of_clock_skew(w):
    afternoon = at(w.afternoon, 13, 20)
    assert record(w, checkin("r1", w.afternoon, afternoon), now=time(9, 0)) == [("rejected", "签到时间晚于当前时间。")]
    assert statuses(record(w, checkin("r2", w.afternoon, afternoon), now=time(13, 16))) == ["accepted"]


def test_a_checkin_for_a_class_not_in_training_is_rejected(w):
    later = approve(ready_class(w.program, w.owner, first=100), w.owner, w.bureau)
    session = later.sessions.order_by("date", "start_time").first()
    with clock(session.date, time(17, 0)):
        results = checkins_record(device=w.device, checkins=[checkin("r", session, at(session, 8, 20), n=100)])
    assert results[0]["status"] == "rejected" and results[0]["reason"] == "培训班不在培训中。"


def test_another_institutions_device_cannot_check_in_to_this_class(w):
    other = listed_program().institution
    device, _ = device_issue(actor=institution_user(other), institution=other, name="别家考勤机")
    assert record(w, checkin("r", w.morning, at(w.morning, 8, 20)), device=device) == [
        ("rejected", "课程不存在或不属于本机构。")
    ]
    assert not Attendance.objects.exists()


def test_a_device_cannot_claim_a_manual_entry(w):
    assert record(w, checkin("r", w.morning, at(w.morning, 8, 20), method="manual")) == [
        ("rejected", "签到方式不正确。")
    ]


# --- device tokens and the API -------------------------------------------------------------------------


def post(token, body):
    client = APIClient()
    return client.post("/api/checkins/", body, format="json", HTTP_AUTHORIZATION=f"Device {token}")


def test_only_the_token_hash_is_kept_and_it_authenticates_the_device(w):
    assert w.token not in w.device.token_hash and len(w.device.token_hash) == 64
    assert device_authenticate(w.token) == w.device
    assert device_authenticate("guess") is None


def test_the_api_records_a_batch_for_a_valid_device_token(w):
    body = {
        "records": [
            {
                "record_id": "api-1",
                "id_number": person(0)[1],
                "session": w.morning.pk,
                "checked_at": at(w.morning, 8, 25).isoformat(),
                "method": "face",
            }
        ]
    }
    with clock(w.morning.date, time(17, 0)):
        response = post(w.token, body)
    assert response.status_code == 200
    assert response.json() == [{"record_id": "api-1", "status": "accepted", "reason": ""}]


def test_a_revoked_device_is_refused_by_the_service_and_the_api(w):
    device_revoke(actor=w.owner, device=w.device)
    assert device_authenticate(w.token) is None
    body = {"records": [{"record_id": "x", "id_number": person(0)[1], "session": w.morning.pk,
                         "checked_at": at(w.morning, 8, 25).isoformat(), "method": "face"}]}  # fmt: skip
    response = post(w.token, body)
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Device"
    assert not Attendance.objects.exists()
    assert AuditEvent.objects.filter(action="device.revoked").exists()


def test_no_token_is_401_and_only_the_owner_may_revoke_or_issue(w):
    assert APIClient().post("/api/checkins/", {"records": []}, format="json").status_code == 401
    stranger = institution_user(listed_program().institution)
    with pytest.raises(PermissionDenied):
        device_revoke(actor=stranger, device=w.device)
    with pytest.raises(PermissionDenied):
        device_issue(actor=stranger, institution=w.institution, name="冒领")


# --- manual entries ------------------------------------------------------------------------------------


def manual(w, enrollment=None, session=None, reason="设备故障，经班主任核实", actor=None):
    session = session or w.morning
    with clock(session.date, time(17, 0)):  # a manual entry is made after the session took place
        return attendance_record_manual(
            actor=actor or w.owner,
            enrollment=enrollment or w.enrollments[0],
            session=session,
            checked_at=at(session, session.start_time.hour, session.start_time.minute),
            reason=reason,
        )


def test_a_manual_entry_needs_a_reason_and_is_marked_manual_and_audited(w):
    with pytest.raises(DomainError, match="必须填写原因"):
        manual(w, reason="  ")
    entry = manual(w)
    assert (entry.method, entry.manual_reason, entry.recorded_by, entry.device) == (
        CheckInMethod.MANUAL,
        "设备故障，经班主任核实",
        w.owner,
        None,
    )
    assert AuditEvent.objects.get(action="attendance.manual").details["reason"] == "设备故障，经班主任核实"


def test_a_manual_entry_is_refused_twice_for_another_class_or_another_institution(w):
    manual(w)
    with pytest.raises(DomainError, match="已有签到记录"):
        manual(w)
    other = ready_class(w.program, w.owner, first=200)
    with pytest.raises(DomainError, match="不属于同一个班"):
        manual(w, session=other.sessions.first())
    with pytest.raises(PermissionDenied):
        manual(w, session=w.afternoon, actor=institution_user(listed_program().institution))


def test_a_manual_entry_is_refused_before_training(w):
    later = ready_class(w.program, w.owner, first=300)
    with pytest.raises(DomainError, match="不在培训中"):
        manual(w, enrollment=later.enrollments.first(), session=later.sessions.first())


# --- summary -------------------------------------------------------------------------------------------


def test_the_summary_counts_sessions_hours_and_the_share_of_the_timetable(w):
    first, second, third = w.enrollments
    day2 = [s for s in w.sessions if s.date == w.sessions[2].date]
    batch = [checkin(f"a{n}", s, at(s, s.start_time.hour, 25), 0) for n, s in enumerate([w.morning, *day2])]
    with clock(day2[1].date, time(17, 0)):
        assert (
            statuses([(r["status"], "") for r in checkins_record(device=w.device, checkins=batch)]) == ["accepted"] * 3
        )
    manual(w, enrollment=second, session=w.afternoon)
    summary = attendance_summary(w.c)
    assert summary == {
        first.pk: {"sessions": 3, "hours": 9, "rate": 0.3},
        second.pk: {"sessions": 1, "hours": 3, "rate": 0.1},
        third.pk: {"sessions": 0, "hours": 0, "rate": 0.0},
    }


# --- integrity of device records (issue 12, item 6) ----------------------------------------------------


def api_record(session, moment, n=0, record_id="api-1") -> dict:
    return {
        "record_id": record_id,
        "id_number": person(n)[1],
        "session": session.pk,
        "checked_at": moment.isoformat(),
        "method": "face",
    }


def test_a_device_issued_today_cannot_post_a_checkin_dated_a_month_earlier(w):
    """The probe: a device issued today posts a face check-in for a session a month ago, for someone absent."""
    month_later = w.morning.date + timedelta(days=30)
    with clock(month_later, time(10, 0)):
        _device, token = device_issue(actor=w.owner, institution=w.institution, name="新领考勤机")
        response = post(token, {"records": [api_record(w.morning, at(w.morning, 8, 25))]})
    assert response.status_code == 200
    [answer] = response.json()
    assert answer["status"] == "rejected"
    assert answer["reason"].startswith("签到时间早于本设备的登记时间")
    assert not Attendance.objects.exists()


def test_a_checkin_before_the_device_was_issued_is_rejected_even_on_the_same_day(w):
    with clock(w.morning.date, time(10, 0)):
        device, _ = device_issue(actor=w.owner, institution=w.institution, name="上午十点领用")
    results = record(
        w,
        checkin("r1", w.morning, at(w.morning, 8, 20)),
        checkin("r2", w.morning, at(w.morning, 10, 5), 1),
        device=device,
    )
    assert results == [
        ("rejected", f"签到时间早于本设备的登记时间（{w.morning.date} 10:00），不予接收。"),
        ("accepted", ""),
    ]
    assert list(Attendance.objects.values_list("device_record_id", flat=True)) == ["r2"]


@pytest.mark.parametrize(
    ("hh", "mm", "status"),
    [(8, 19, "rejected"), (8, 20, "accepted"), (11, 40, "accepted"), (11, 41, "rejected")],
)
def test_the_session_window_tolerance_is_a_setting(w, settings, hh, mm, status):
    settings.CHECKIN_WINDOW_TOLERANCE_MINUTES = 10  # morning session 08:30-11:30
    (result,) = record(w, checkin("r", w.morning, at(w.morning, hh, mm)))
    assert result == ((status, "") if status == "accepted" else (status, "签到时间不在该课程时间内。"))
    assert Attendance.objects.count() == (1 if status == "accepted" else 0)


def test_a_record_claiming_another_method_than_its_device_is_not_stored(w):
    card, token = device_issue(
        actor=w.owner, institution=w.institution, name="社保卡读卡器", method=CheckInMethod.SOCIAL_SECURITY_CARD
    )
    results = record(w, checkin("face-1", w.morning, at(w.morning, 8, 20), 0, method="face"), device=card)
    assert results == [("rejected", "签到方式“人脸”与本设备的签到方式“社保卡”不符。")]
    assert not Attendance.objects.filter(method=CheckInMethod.FACE).exists()
    with clock(w.morning.date, time(17, 0)):  # a record that names no method is stored as the device's
        body = {"records": [api_record(w.morning, at(w.morning, 8, 22), 1, record_id="card-1")]}
        del body["records"][0]["method"]
        assert post(token, body).json() == [{"record_id": "card-1", "status": "accepted", "reason": ""}]
    assert list(Attendance.objects.values_list("device_record_id", "method")) == [("card-1", "card")]


def test_a_device_cannot_be_issued_for_manual_entries(w):
    with pytest.raises(DomainError, match="人脸、指纹或社保卡"):
        device_issue(actor=w.owner, institution=w.institution, name="手工", method=CheckInMethod.MANUAL)


def test_an_upload_more_than_a_day_after_the_session_is_accepted_but_marked_late(w):
    on_time = record(w, checkin("r0", w.morning, at(w.morning, 8, 20), 0))
    two_days_later = w.morning.date + timedelta(days=2)
    with clock(two_days_later, time(9, 0)):
        late = [
            (r["status"], r["reason"])
            for r in checkins_record(device=w.device, checkins=[checkin("r1", w.morning, at(w.morning, 8, 21), 1)])
        ]
    assert on_time == [("accepted", "")]
    assert late == [("accepted", "已接收，但在课程结束 24 小时后才上传，标记为迟传。")]
    stored = {a.device_record_id: a for a in Attendance.objects.all()}
    assert (stored["r0"].late_upload, stored["r1"].late_upload) == (False, True)
    assert timezone.localtime(stored["r1"].created_at) == timezone.make_aware(
        datetime.combine(two_days_later, time(9, 0))
    )
    assert late_uploads(w.c) == LateUploads(count=1, enrollment_ids={w.enrollments[1].pk})


def test_an_upload_beyond_the_hard_limit_is_rejected(w, settings):
    settings.CHECKIN_MAX_UPLOAD_DELAY_DAYS = 7
    with clock(w.morning.date + timedelta(days=8), time(9, 0)):
        results = checkins_record(device=w.device, checkins=[checkin("r", w.morning, at(w.morning, 8, 20))])
    assert results == [
        {
            "record_id": "r",
            "status": "rejected",
            "reason": "该课程结束已超过 7 天，设备记录不再接收；确需补录请由机构手工补录并说明原因。",
        }
    ]
    assert not Attendance.objects.exists()


def test_late_uploads_are_flagged_on_the_claim_review_page():
    """A completed class whose first day was uploaded the next evening: the claim page counts the late records
    and marks the people who have one."""
    from ..subsidies.factories import completed_class, verified_claim

    h = completed_class(until=ClassStatus.IN_TRAINING)
    tc = h.training_class
    sessions = list(tc.sessions.order_by("date", "start_time"))
    first_day, second_day = sessions[0].date, sessions[-1].date
    for s in sessions:
        upload_day = second_day if s.date == first_day else s.date
        batch = [
            CheckIn(f"{s.pk}-{e.pk}", e.trainee.id_number, s.pk, at(s, s.start_time.hour, 25), "face")
            for e in h.enrollments
            if s.date != first_day or e == h.enrollments[0]  # on day one, only the first person is uploaded late
        ]
        with clock(upload_day, time(23, 0)):
            assert {r["status"] for r in checkins_record(device=h.world.device, checkins=batch)} == {"accepted"}
    with clock(second_day, time(23, 30)):
        class_transition(actor=h.owner, training_class=tc, to_status=ClassStatus.COMPLETED)
        for e in h.enrollments:
            enrollment_record_result(actor=h.owner, enrollment=e, result=EnrollmentResult.PASSED, score=90)
    tc.refresh_from_db()
    claim = verified_claim(h)
    assert Attendance.objects.filter(late_upload=True).count() == 2
    client = Client()
    h.bureau.refresh_from_db()
    client.force_login(h.bureau)
    page = client.get(f"/claims/{claim.pk}/").content.decode()
    assert "迟传 2 条" in page
    assert page.count('data-testid="line-late-upload"') == 1
    first_line = claim.lines.get(enrollment=h.enrollments[0])
    row = page.split(f'id="line-{first_line.pk}"')[1].split("</tr>")[0]
    assert "含迟传考勤" in row
