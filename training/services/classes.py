"""Class applications: creation, timetable, materials, and the approval workflow with its guards."""

from datetime import date, time

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from catalog.models import Department
from core import clock
from core.errors import DomainError
from core.policy import require
from core.progress import progress_changed
from core.workflow import Transition
from institutions.models import Program, ProgramStatus
from institutions.selectors import institution_can_open_classes, program_listed_between
from institutions.services.institutions import institution_record_class

from ..models import ClassMaterial, ClassSession, ClassStatusChange, SessionKind, TrainingClass
from ..models import ClassStatus as S
from ..workflows import CLASS
from .bookings import booking_conflicts, require_teacher_free, require_within_capacity

MIN_MINUTES_PER_HOUR = 40  # seed 004: each class hour at least 40 minutes
MATERIAL_TYPES = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png"}
MATERIAL_MAX_BYTES = 20 * 1024 * 1024

# The acts of training.workflows.CLASS that class_transition takes (a target status posted by a page or the API is
# one of them), each with its audit action. 申请变更 is class_request_change; the acts without a target have their
# own services.
AUDIT_ACTIONS = {
    "submit": "class.submitted",
    "resubmit": "class.resubmitted",
    "approve": "class.approved",
    "return": "class.returned",
    "reject": "class.rejected",
    "start": "class.started",
    "complete": "class.completed",
    "close": "class.closed",
}
REASON_REQUIRED = {"return", "reject"}


def denied_message(permission: str) -> str:
    if permission == "class.manage_own":
        return _("只能处理本机构的培训班。")
    return _("该培训班不在您的管辖范围内。")


def check(actor: User, training_class: TrainingClass, action: str) -> Transition:
    """CLASS.check, with a refused user told why in this app's words."""
    return CLASS.check(actor, training_class, action, denied=denied_message(CLASS[action].permission))


def require_owner(actor: User, training_class: TrainingClass) -> None:
    require(actor, "class.manage_own", training_class, denied_message("class.manage_own"))


def require_editable(actor: User, training_class: TrainingClass) -> None:
    """The owner, while the workflow allows "edit" (a draft or a returned application)."""
    require_owner(actor, training_class)
    if training_class.status not in CLASS.sources("edit"):
        raise DomainError(
            _("培训班当前为“%(s)s”，不能直接修改；已批准的班级请提交变更申请。")
            % {"s": training_class.get_status_display()}
        )


@transaction.atomic
def class_create(
    *,
    actor: User,
    program: Program,
    name: str,
    start_date: date,
    end_date: date,
    planned_headcount: int,
    department: Department | None = None,
) -> TrainingClass:
    require(actor, "class.create", program, _("只能为本机构的培训项目开班。"))
    if program.status != ProgramStatus.LISTED:
        raise DomainError(_("该项目已移出目录，不能开班。"), field="program")
    if end_date < start_date:
        raise DomainError(_("结业日期不能早于开班日期。"), field="end_date")
    if planned_headcount <= 0:
        raise DomainError(_("计划人数应大于 0。"), field="planned_headcount")
    require_within_capacity(program.institution, planned_headcount)
    training_class = TrainingClass.objects.create(
        institution=program.institution,
        program=program,
        county=program.institution.county,
        name=name.strip(),
        training_type=program.training_type,
        mode=program.mode,
        start_date=start_date,
        end_date=end_date,
        planned_headcount=planned_headcount,
        department=department,
        created_by=actor,
    )
    ClassStatusChange.objects.create(training_class=training_class, to_status=S.DRAFT, actor=actor)
    audit_log(actor=actor, action="class.created", target=training_class, region=training_class.county)
    return training_class


@transaction.atomic
def class_update(*, actor: User, training_class: TrainingClass, **fields) -> TrainingClass:
    """Name, dates and headcount while the application is a draft or was returned."""
    training_class = TrainingClass.objects.select_for_update().get(pk=training_class.pk)
    require_editable(actor, training_class)
    for name in ("name", "start_date", "end_date", "planned_headcount", "department"):
        if name in fields:
            setattr(training_class, name, fields[name])
    if training_class.end_date < training_class.start_date:
        raise DomainError(_("结业日期不能早于开班日期。"), field="end_date")
    if training_class.planned_headcount <= 0:
        raise DomainError(_("计划人数应大于 0。"), field="planned_headcount")
    if "planned_headcount" in fields:
        require_within_capacity(training_class.institution, training_class.planned_headcount)
    outside = training_class.sessions.exclude(date__range=(training_class.start_date, training_class.end_date))
    if outside.exists():
        raise DomainError(_("课程表中有课程不在新的培训日期内，请先调整课程表。"), field="start_date")
    training_class.save()
    audit_log(
        actor=actor,
        action="class.updated",
        target=training_class,
        region=training_class.county,
        details={"fields": sorted(fields)},
    )
    return training_class


@transaction.atomic
def session_add(
    *,
    actor: User,
    training_class: TrainingClass,
    date: date,
    start_time: time,
    end_time: time,
    kind: str,
    hours: int,
    teacher=None,
    venue=None,
    content: str = "",
) -> ClassSession:
    training_class = TrainingClass.objects.select_for_update().get(pk=training_class.pk)
    require_editable(actor, training_class)
    session = ClassSession(
        training_class=training_class,
        date=date,
        start_time=start_time,
        end_time=end_time,
        kind=kind,
        hours=hours,
        teacher=teacher,
        venue=venue,
        content=content.strip(),
    )
    _check_session(training_class, session)
    session.save()
    return session


def _check_session(training_class: TrainingClass, session: ClassSession) -> None:
    if not training_class.start_date <= session.date <= training_class.end_date:
        raise DomainError(_("课程日期应在开班与结业日期之间。"), field="date")
    if session.end_time <= session.start_time:
        raise DomainError(_("结束时间应晚于开始时间。"), field="end_time")
    if session.kind not in SessionKind.values:
        raise DomainError(_("课程类型不正确。"), field="kind")
    if session.hours <= 0 or session.minutes < session.hours * MIN_MINUTES_PER_HOUR:
        raise DomainError(
            _("%(h)s 课时至少需要 %(m)s 分钟（每课时不少于 40 分钟）。")
            % {"h": session.hours, "m": session.hours * MIN_MINUTES_PER_HOUR},
            field="hours",
        )
    for other in training_class.sessions.filter(date=session.date).exclude(pk=session.pk):
        if session.start_time < other.end_time and other.start_time < session.end_time:
            raise DomainError(_("与同日 %(s)s 的课程时间重叠。") % {"s": other}, field="start_time")
    if session.teacher_id and session.teacher.institution_id != training_class.institution_id:
        raise PermissionDenied
    if session.venue_id and session.venue.institution_id != training_class.institution_id:
        raise PermissionDenied
    require_teacher_free(training_class, session)


@transaction.atomic
def session_remove(*, actor: User, session: ClassSession) -> None:
    training_class = TrainingClass.objects.select_for_update().get(pk=session.training_class_id)
    require_editable(actor, training_class)
    session.delete()


@transaction.atomic
def material_upload(*, actor: User, training_class: TrainingClass, kind: str, uploaded_file) -> ClassMaterial:
    training_class = TrainingClass.objects.select_for_update().get(pk=training_class.pk)
    require_editable(actor, training_class)
    name = uploaded_file.name
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    if suffix not in MATERIAL_TYPES:
        raise DomainError(_("只能上传 PDF、Word、Excel 或图片文件。"), field="file")
    if uploaded_file.size > MATERIAL_MAX_BYTES:
        raise DomainError(_("文件不能超过 20 MB。"), field="file")
    material = ClassMaterial.objects.create(
        training_class=training_class,
        kind=kind,
        file=uploaded_file,
        original_name=name[:200],
        size=uploaded_file.size,
        uploaded_by=actor,
    )
    audit_log(
        actor=actor,
        action="class.material_uploaded",
        target=training_class,
        region=training_class.county,
        details={"kind": kind, "file": name[:200]},
    )
    return material


def total_hours(training_class: TrainingClass) -> int:
    return sum(training_class.sessions.values_list("hours", flat=True))


def approval_problems(training_class: TrainingClass, today: date) -> list[str]:
    """Everything that stops the bureau from approving, in the words shown on the application page."""
    problems = []
    program = training_class.program
    if not institution_can_open_classes(training_class.institution, training_class.start_date, training_class.end_date):
        problems.append(_("机构在培训期间不是已认定状态。"))
    if not program_listed_between(program, training_class.start_date, training_class.end_date):
        problems.append(_("培训项目在培训期间不在目录内。"))
    if training_class.start_date <= today:
        problems.append(_("开班日期已到或已过：开班前必须完成审批，不能事后补批。"))
    hours = total_hours(training_class)
    if hours != program.standard_hours:
        problems.append(
            _("课程表合计 %(h)s 课时，与项目标准课时 %(s)s 不一致。") % {"h": hours, "s": program.standard_hours}
        )
    if not training_class.enrollments.exists():
        problems.append(_("花名册为空。"))
    if training_class.sessions.exclude(date__range=(training_class.start_date, training_class.end_date)).exists():
        problems.append(_("课程表中有课程不在培训日期内。"))
    capacity = training_class.institution.capacity
    if capacity and training_class.planned_headcount > capacity:
        problems.append(
            _("计划人数 %(n)s 人超过机构登记的培训能力（每期 %(c)s 人）。")
            % {"n": training_class.planned_headcount, "c": capacity}
        )
    problems.extend(b.message for b in booking_conflicts(training_class) if b.blocks)
    return problems


def snapshot(training_class: TrainingClass) -> dict:
    """What was approved: dates, timetable and roster, kept when a change is requested."""
    return {
        "revision": training_class.revision,
        "start_date": str(training_class.start_date),
        "end_date": str(training_class.end_date),
        "sessions": [
            [str(s.date), f"{s.start_time:%H:%M}", f"{s.end_time:%H:%M}", s.kind, s.hours]
            for s in training_class.sessions.all()
        ],
        "roster": list(training_class.enrollments.values_list("trainee_id", flat=True)),
    }


@transaction.atomic
def class_transition(*, actor: User, training_class: TrainingClass, to_status: str, reason: str = "") -> TrainingClass:
    """Move the class to `to_status` by the one act of CLASS (among AUDIT_ACTIONS) that leads there from its
    status: the act's permission, then its guards, then the reason that returning and rejecting need."""
    training_class = (
        TrainingClass.objects.select_for_update(of=("self",))
        .select_related("program", "institution", "county")
        .get(pk=training_class.pk)
    )
    step = CLASS.transition_to(training_class, to_status, among=AUDIT_ACTIONS)
    if step is None:
        label = S(to_status).label if to_status in S.values else to_status
        raise DomainError(_("不能从“%(f)s”变更为“%(t)s”。") % {"f": training_class.get_status_display(), "t": label})
    check(actor, training_class, step.action)
    reason = (reason or "").strip()
    if step.action in REASON_REQUIRED and not reason:
        raise DomainError(_("请填写理由。"), field="reason")
    ClassStatusChange.objects.create(
        training_class=training_class,
        from_status=training_class.status,
        to_status=step.target,
        reason=reason,
        actor=actor,
    )
    training_class.status = step.target
    if step.target == S.APPROVED:
        training_class.approved_at = clock.now()
    training_class.save(update_fields=["status", "approved_at"])
    if step.target == S.IN_TRAINING:
        institution_record_class(institution=training_class.institution, start_date=training_class.start_date)
    if step.target == S.COMPLETED:  # completed enrollments count as training person-times
        progress_changed(counties={training_class.county_id}, months={training_class.end_date})
    audit_log(
        actor=actor,
        action=AUDIT_ACTIONS[step.action],
        target=training_class,
        region=training_class.county,
        details={"reason": reason} if reason else {},
    )
    return training_class


@transaction.atomic
def class_request_change(*, actor: User, training_class: TrainingClass, reason: str) -> TrainingClass:
    """变更: an approved class whose dates, timetable or roster must change goes back for approval; what was
    approved is kept in the history."""
    training_class = TrainingClass.objects.select_for_update().get(pk=training_class.pk)
    step = check(actor, training_class, "request_change")
    if not (reason or "").strip():
        raise DomainError(_("请填写变更理由。"), field="reason")
    ClassStatusChange.objects.create(
        training_class=training_class,
        from_status=training_class.status,
        to_status=step.target,
        reason=reason.strip(),
        snapshot=snapshot(training_class),
        actor=actor,
    )
    training_class.status = step.target
    training_class.revision += 1
    training_class.approved_at = None
    training_class.save(update_fields=["status", "revision", "approved_at"])
    audit_log(
        actor=actor,
        action="class.change_requested",
        target=training_class,
        region=training_class.county,
        details={"reason": reason.strip(), "revision": training_class.revision},
    )
    return training_class
