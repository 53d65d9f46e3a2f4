"""The training app's to-dos on the 工作台 (core.work): applications to decide, and the institution's own drafts,
returned applications and roster imports that stopped on errors; and the bureau's institutions whose first
designated year ended without a class of 30 people (seed 004: asked here, where the classes are)."""

from datetime import timedelta

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import clock
from core.work import todo

from . import selectors
from .first_year import first_year_shortfalls
from .models import ClassStatus, ImportJob
from .workflows import CLASS

SOON = timedelta(days=3)  # an application whose class starts within three days is overdue


def class_page(training_class) -> str:
    return reverse("training:detail", args=[training_class.pk])


def starting_soon(classes):
    return classes.filter(start_date__lte=clock.today() + SOON)


def own_classes(user, action: str):
    return selectors.class_list(user=user).filter(status__in=CLASS.sources(action)).order_by("start_date", "id")


def stopped_imports(user):
    """Each class's latest roster import, where it stopped on errors (a newer import supersedes it)."""
    latest = ImportJob.objects.filter(training_class=OuterRef("training_class")).order_by("-created_at", "-id")
    stopped = (ImportJob.Status.INVALID, ImportJob.Status.FAILED)
    return (
        selectors.import_job_list(user=user)
        .filter(pk=Subquery(latest.values("pk")[:1]), status__in=stopped)
        .select_related("training_class")
        .order_by("created_at")
    )


todo(
    "class_approvals",
    _("待审批的开班申请"),
    "training:queue",
    permission="class.decide",
    items=lambda user: selectors.approval_queue(user=user),
    order=10,
    hint=_("核对培训计划、课表、师资和花名册后批准、退回或不予批准。"),
    overdue=starting_soon,
    overdue_label=_("3 天内开班"),
    link=class_page,
)
todo(
    "class_drafts",
    _("未提交的开班申请"),
    "training:list",
    permission="class.manage_own",
    query=f"status={ClassStatus.DRAFT.value}",
    items=lambda user: own_classes(user, "submit"),
    order=20,
    hint=_("排好课表、导入花名册后提交审批。"),
    overdue=starting_soon,
    overdue_label=_("3 天内开班"),
    link=class_page,
)
todo(
    "classes_returned",
    _("退回修改的开班申请"),
    "training:list",
    permission="class.manage_own",
    query=f"status={ClassStatus.RETURNED.value}",
    items=lambda user: own_classes(user, "resubmit"),
    order=21,
    hint=_("按退回意见修改后重新提交。"),
    link=class_page,
)
todo(
    "roster_errors",
    _("有错误的花名册导入"),
    "training:list",
    permission="class.manage_own",
    items=stopped_imports,
    order=22,
    hint=_("打开培训班，按错误清单修改文件后重新导入。"),
    link=lambda job: class_page(job.training_class),
    title=lambda job: f"{job.training_class.name}（{job.get_status_display()}）",
)
todo(
    "first_year_shortfalls",
    _("认定首年未开班达标的机构"),
    "training:first_year",
    permission="institution.decide",
    items=lambda user: first_year_shortfalls(user=user),
    order=73,
    hint=_("认定后一年内未组织一期 30 人以上的培训班：核实后暂停认定。"),
    link=lambda institution: reverse("training:first_year") + f"#institution-{institution.pk}",
)
