"""Attendance: batches from check-in devices (idempotent), marked manual entries, and per-person arithmetic.

A device record is believed only if it could have happened: within its session's window, not in the future,
not before the device was issued, with the device's own method, and uploaded soon enough after the session
(late uploads are marked 迟传 and shown on the claim review; very late ones are refused). Limits are settings:
CHECKIN_WINDOW_TOLERANCE_MINUTES (30), CHECKIN_CLOCK_SKEW_MINUTES (5), CHECKIN_LATE_UPLOAD_HOURS (24),
CHECKIN_MAX_UPLOAD_DELAY_DAYS (7)."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from core import clock
from core.errors import DomainError
from core.policy import can, require
from institutions.models import Institution
from trainees import idnumber
from trainees.crypto import blind_index

from ..models import (
    Attendance,
    CheckInAnswer,
    CheckInDevice,
    CheckInMethod,
    ClassSession,
    ClassStatus,
    Enrollment,
    TrainingClass,
)
from .classes import check, require_owner


def _window_tolerance() -> timedelta:
    """A check-in counts from this long before a session starts to this long after it ends."""
    return timedelta(minutes=getattr(settings, "CHECKIN_WINDOW_TOLERANCE_MINUTES", 30))


def _clock_skew() -> timedelta:
    """How far a device's clock may run ahead of ours (a check-in in the future beyond it is refused)."""
    return timedelta(minutes=getattr(settings, "CHECKIN_CLOCK_SKEW_MINUTES", 5))


def _late_upload_after() -> timedelta:
    """A record uploaded this long after its session ended is accepted but marked 迟传."""
    return timedelta(hours=getattr(settings, "CHECKIN_LATE_UPLOAD_HOURS", 24))


def _max_upload_delay() -> timedelta:
    """A record uploaded this long after its session ended is refused (the institution enters it by hand)."""
    return timedelta(days=getattr(settings, "CHECKIN_MAX_UPLOAD_DELAY_DAYS", 7))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def device_issue(
    *, actor: User, institution: Institution, name: str, method: str = CheckInMethod.FACE
) -> tuple[CheckInDevice, str]:
    """A new device and its token; the token is shown once and only its hash is kept. `method` is what the
    device reads (face, fingerprint or social-security card): every record it sends is stored as that."""
    require(actor, "device.manage", CheckInDevice(institution=institution), _("只能为本机构登记考勤设备。"))
    if method not in CheckInMethod.values or method == CheckInMethod.MANUAL:
        raise DomainError(_("考勤设备的签到方式应为人脸、指纹或社保卡。"), field="method")
    token = secrets.token_urlsafe(32)
    device = CheckInDevice.objects.create(
        institution=institution, name=name.strip()[:100], method=method, token_hash=hash_token(token)
    )
    audit_log(actor=actor, action="device.issued", target=device, region=institution.county, details={"method": method})
    return device, token


@transaction.atomic
def device_revoke(*, actor: User, device: CheckInDevice) -> None:
    if not can(actor, "device.manage", device):
        raise PermissionDenied
    CheckInDevice.objects.filter(pk=device.pk).update(is_active=False)
    audit_log(actor=actor, action="device.revoked", target=device, region=device.institution.county)


def device_authenticate(token: str) -> CheckInDevice | None:
    return (
        CheckInDevice.objects.filter(token_hash=hash_token(token), is_active=True).select_related("institution").first()
    )


@dataclass
class CheckIn:
    record_id: str
    id_number: str
    session_id: int
    checked_at: datetime
    method: str = ""  # what the device claims; empty means the device's own method


def _session_times(session: ClassSession) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(session.date, session.start_time), tz)
    end = timezone.make_aware(datetime.combine(session.date, session.end_time), tz)
    return start, end


def _session_window(session: ClassSession) -> tuple[datetime, datetime]:
    start, end = _session_times(session)
    return start - _window_tolerance(), end + _window_tolerance()


def checkins_record(*, device: CheckInDevice, checkins: list[CheckIn]) -> list[dict]:
    """Record a batch. Each item answers accepted / duplicate / rejected with a reason (an accepted late upload
    says so); a resent batch creates nothing twice (unique per device record id, and one check-in per person per
    session). The checks on each record are in `_one`, the only place device records are judged."""
    sessions = {
        s.pk: s
        for s in ClassSession.objects.filter(
            pk__in={c.session_id for c in checkins}, training_class__institution=device.institution
        ).select_related("training_class")
    }
    indexes = {}
    for c in checkins:
        try:
            indexes[c.record_id] = blind_index(idnumber.parse(c.id_number).value)
        except idnumber.InvalidIdNumber:
            indexes[c.record_id] = None
    enrollments = {
        (e.training_class_id, e.trainee.id_index): e
        for e in Enrollment.objects.filter(
            training_class_id__in={s.training_class_id for s in sessions.values()},
            trainee__id_index__in=[i for i in indexes.values() if i],
        )
        .select_related("trainee")
        .only("id", "training_class_id", "trainee__id_index")
    }
    seen = set(
        Attendance.objects.filter(device=device, device_record_id__in=[c.record_id for c in checkins]).values_list(
            "device_record_id", flat=True
        )
    )
    now = clock.now()
    results = []
    for c in checkins:
        results.append(_one(device, c, sessions, enrollments, indexes, seen, now))
    return results


def _one(device, c: CheckIn, sessions, enrollments, indexes, seen, now) -> dict:
    def answer(status, reason=""):
        return {"record_id": c.record_id, "status": str(status), "reason": reason}

    if c.record_id in seen:
        return answer(CheckInAnswer.DUPLICATE)
    session = sessions.get(c.session_id)
    if session is None:
        return answer(CheckInAnswer.REJECTED, _("课程不存在或不属于本机构。"))
    if session.training_class.status != ClassStatus.IN_TRAINING:
        return answer(CheckInAnswer.REJECTED, _("培训班不在培训中。"))
    if c.method and (c.method not in CheckInMethod.values or c.method == CheckInMethod.MANUAL):
        return answer(CheckInAnswer.REJECTED, _("签到方式不正确。"))
    if c.method and c.method != device.method:  # the record's method is the device's, never the batch's
        return answer(
            CheckInAnswer.REJECTED,
            _("签到方式“%(claimed)s”与本设备的签到方式“%(device)s”不符。")
            % {"claimed": CheckInMethod(c.method).label, "device": device.get_method_display()},
        )
    if c.checked_at > now + _clock_skew():
        return answer(CheckInAnswer.REJECTED, _("签到时间晚于当前时间。"))
    if c.checked_at < device.created_at - _clock_skew():
        return answer(
            CheckInAnswer.REJECTED,
            _("签到时间早于本设备的登记时间（%(t)s），不予接收。")
            % {"t": timezone.localtime(device.created_at).strftime("%Y-%m-%d %H:%M")},
        )
    opens, closes = _session_window(session)
    if not opens <= c.checked_at <= closes:
        return answer(CheckInAnswer.REJECTED, _("签到时间不在该课程时间内。"))
    _starts, ends = _session_times(session)
    if now > ends + _max_upload_delay():
        return answer(
            CheckInAnswer.REJECTED,
            _("该课程结束已超过 %(d)s 天，设备记录不再接收；确需补录请由机构手工补录并说明原因。")
            % {"d": _max_upload_delay().days},
        )
    late = now > ends + _late_upload_after()
    enrollment = enrollments.get((session.training_class_id, indexes.get(c.record_id)))
    if enrollment is None:
        return answer(CheckInAnswer.REJECTED, _("该人员不在本班花名册中。"))
    try:
        with transaction.atomic():
            Attendance.objects.create(
                enrollment=enrollment,
                session=session,
                method=device.method,
                checked_at=c.checked_at,
                device=device,
                device_record_id=c.record_id,
                late_upload=late,
                created_at=now,
            )
    except IntegrityError:  # the same person already checked in to this session, or a concurrent resend
        return answer(CheckInAnswer.DUPLICATE)
    seen.add(c.record_id)
    if late:
        hours = int(_late_upload_after().total_seconds() // 3600)
        return answer(CheckInAnswer.ACCEPTED, _("已接收，但在课程结束 %(h)s 小时后才上传，标记为迟传。") % {"h": hours})
    return answer(CheckInAnswer.ACCEPTED)


@transaction.atomic
def attendance_record_manual(
    *, actor: User, enrollment: Enrollment, session: ClassSession, checked_at: datetime, reason: str
) -> Attendance:
    """手工补录: by the institution, with a reason, marked as manual."""
    training_class = enrollment.training_class
    require_owner(actor, training_class)
    if session.training_class_id != training_class.pk:
        raise DomainError(_("课程与花名册不属于同一个班。"))
    if not (reason or "").strip():
        raise DomainError(_("手工补录必须填写原因。"), field="reason")
    check(actor, training_class, "record_attendance")  # once the training has started
    opens, closes = _session_window(session)
    if not opens <= checked_at <= closes or checked_at > clock.now() + _clock_skew():
        raise DomainError(_("补录的签到时间应在该课程时间内，且不晚于现在。"))
    if Attendance.objects.filter(enrollment=enrollment, session=session).exists():
        raise DomainError(_("该学员本节课已有签到记录。"))
    attendance = Attendance.objects.create(
        enrollment=enrollment,
        session=session,
        method=CheckInMethod.MANUAL,
        checked_at=checked_at,
        manual_reason=reason.strip(),
        recorded_by=actor,
    )
    audit_log(
        actor=actor,
        action="attendance.manual",
        target=training_class,
        region=training_class.county,
        details={"session": session.pk, "reason": reason.strip()},
    )
    return attendance


@dataclass
class LateUploads:
    count: int  # device records of the class marked 迟传
    enrollment_ids: set[int]  # the people who have at least one


def late_uploads(training_class: TrainingClass) -> LateUploads:
    """迟传 device records of a class, for the claim review (one query)."""
    rows = (
        Attendance.objects.filter(enrollment__training_class=training_class, late_upload=True)
        .values("enrollment_id")
        .annotate(n=Count("id"))
    )
    per_person = {row["enrollment_id"]: row["n"] for row in rows}
    return LateUploads(count=sum(per_person.values()), enrollment_ids=set(per_person))


def attendance_summary(training_class: TrainingClass) -> dict[int, dict]:
    """Per enrollment: attended sessions, attended hours, and the share of the timetable's hours."""
    total_hours = training_class.sessions.aggregate(h=Sum("hours"))["h"] or 0
    rows = (
        Attendance.objects.filter(enrollment__training_class=training_class)
        .values("enrollment_id")
        .annotate(sessions=Count("id"), hours=Sum("session__hours"))
    )
    summary = {
        e: {"sessions": 0, "hours": 0, "rate": 0.0} for e in training_class.enrollments.values_list("id", flat=True)
    }
    for row in rows:
        summary[row["enrollment_id"]] = {
            "sessions": row["sessions"],
            "hours": row["hours"] or 0,
            "rate": round((row["hours"] or 0) / total_hours, 4) if total_hours else 0.0,
        }
    return summary
