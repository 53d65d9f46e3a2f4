"""The institutions app's to-dos on the 工作台 (core.work): designation applications, profile change requests,
and designated institutions that ran no class for a year (they lose eligibility)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.selectors import region_scope_q
from core.work import todo

from . import selectors
from .models import InstitutionStatus, ProfileChangeRequest
from .workflows import CHANGE_REQUEST, DESIGNATION


def institution_page(institution) -> str:
    return reverse("institutions:detail", args=[institution.pk])


def applications(user):
    applied = {"status": next(iter(DESIGNATION.sources("designate")))}
    return selectors.institution_list(user=user, filters=applied).order_by("created_at", "id")


def change_requests(user):
    scoped = ProfileChangeRequest.objects.filter(region_scope_q(user, "institution__county"))
    pending = scoped.filter(status__in=CHANGE_REQUEST.sources("approve"))
    return pending.select_related("institution").order_by("submitted_at", "id")


def inactive(user):
    designated = {"status": InstitutionStatus.DESIGNATED, "inactive": True}
    return selectors.institution_list(user=user, filters=designated)


todo(
    "institution_applications",
    _("待认定的培训机构"),
    "institutions:list",
    permission="institution.decide",
    query=f"status={InstitutionStatus.APPLIED.value}",
    items=applications,
    order=70,
    hint=_("核实办学资质、师资和场地后认定。"),
    link=institution_page,
)
todo(
    "change_requests",
    _("待审核的机构信息变更"),
    "institutions:list",
    permission="change_request.decide",
    items=change_requests,
    order=71,
    hint=_("核对变更内容后批准或驳回。"),
    link=lambda request: institution_page(request.institution) + "#change-requests",
    title=lambda request: str(request.institution),
)
todo(
    "inactive_institutions",
    _("一年未开班的定点机构"),
    "institutions:list",
    permission="institution.decide",
    query=f"status={InstitutionStatus.DESIGNATED.value}&inactive=on",
    items=inactive,
    order=72,
    hint=_("认定满一年未开班的机构应暂停或撤销认定。"),
    link=institution_page,
)
