"""The class application (开班申请) workflow, declared once (core.workflow).

草稿 → 待审批 → 已批准 → 培训中 → 已结业 → 已关闭; the bureau may return an application (退回修改, resubmitted after
changes) or reject it (不予批准); an approved class that must change goes back to 退回修改 (申请变更). The acts
without a target change no status: they say in which statuses the institution may edit the application, record
attendance by hand and record results."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import clock
from core.workflow import Transition, Workflow

from .models import ClassStatus, TrainingClass

S = ClassStatus


def has_timetable_and_roster(training_class: TrainingClass) -> str | None:
    if not training_class.sessions.exists():
        return _("请先填写课程表。")
    if not training_class.enrollments.exists():
        return _("请先上传花名册。")
    return None


def nothing_stops_approval(training_class: TrainingClass) -> str | None:
    from .services.classes import approval_problems  # the services import this module

    problems = approval_problems(training_class, clock.today())
    return " ".join(problems) if problems else None


def within_training_dates(training_class: TrainingClass) -> str | None:
    today = clock.today()
    if today < training_class.start_date:
        return _("未到开班日期（%(d)s）。") % {"d": training_class.start_date}
    if today > training_class.end_date:
        return _("培训日期已过（%(d)s 结业），不能再开班。") % {"d": training_class.end_date}
    return None


def end_date_reached(training_class: TrainingClass) -> str | None:
    if clock.today() < training_class.end_date:
        return _("未到结业日期（%(d)s）。") % {"d": training_class.end_date}
    return None


def _t(action, label, sources, target, permission, **kw) -> Transition:
    return Transition(action, label, frozenset(sources), target, permission, **kw)


OWNER, BUREAU = "class.manage_own", "class.decide"
AFTER_START = {S.IN_TRAINING, S.COMPLETED}

CLASS = Workflow(
    "class_application",
    TrainingClass,
    ClassStatus,
    [
        _t("submit", gettext_lazy("提交审批"), {S.DRAFT}, S.SUBMITTED, OWNER, guards=(has_timetable_and_roster,)),
        _t("resubmit", gettext_lazy("提交审批"), {S.RETURNED}, S.SUBMITTED, OWNER, guards=(has_timetable_and_roster,)),
        _t("approve", gettext_lazy("批准"), {S.SUBMITTED}, S.APPROVED, BUREAU, guards=(nothing_stops_approval,)),
        _t("return", gettext_lazy("退回修改"), {S.SUBMITTED}, S.RETURNED, BUREAU),  # with a reason
        _t("reject", gettext_lazy("不予批准"), {S.SUBMITTED}, S.REJECTED, BUREAU),  # with a reason
        _t("start", gettext_lazy("开班"), {S.APPROVED}, S.IN_TRAINING, OWNER, guards=(within_training_dates,)),
        _t("complete", gettext_lazy("结业"), {S.IN_TRAINING}, S.COMPLETED, OWNER, guards=(end_date_reached,)),
        _t("close", gettext_lazy("关闭"), {S.COMPLETED}, S.CLOSED, BUREAU),
        _t(
            "request_change",
            gettext_lazy("申请变更"),
            {S.APPROVED},
            S.RETURNED,
            OWNER,
            refusal=gettext_lazy("只有已批准、尚未开班的培训班可以申请变更。"),
        ),
        # Acts that leave the status as it is.
        _t("edit", gettext_lazy("修改"), {S.DRAFT, S.RETURNED}, None, OWNER),
        _t(
            "record_attendance",
            gettext_lazy("补录考勤"),
            AFTER_START,
            None,
            OWNER,
            refusal=gettext_lazy("培训班不在培训中。"),
        ),
        _t(
            "record_result",
            gettext_lazy("登记考核结果"),
            AFTER_START,
            None,
            OWNER,
            refusal=gettext_lazy("培训开始后才能登记考核结果。"),
        ),
    ],
)
