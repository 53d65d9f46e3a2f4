"""The institutions app's workflows, each declared once (core.workflow): designation of an institution, listing
of a program, and the bureau's decision on a profile change request. Services check them before they act; pages
and the API show what `available_actions` allows."""

from django.utils.translation import gettext_lazy as _

from core.workflow import Transition, Workflow

from .models import Institution, InstitutionStatus, ProfileChangeRequest, Program, ProgramStatus

S = InstitutionStatus

# 申请中 → 已认定 ⇄ 暂停, and from either to 已撤销 (final). County or city staff whose region holds the institution.
DESIGNATION = Workflow(
    "designation",
    Institution,
    InstitutionStatus,
    [
        Transition("designate", _("认定"), frozenset({S.APPLIED}), S.DESIGNATED, "institution.decide"),
        Transition("suspend", _("暂停"), frozenset({S.DESIGNATED}), S.SUSPENDED, "institution.decide"),
        Transition("reinstate", _("恢复认定"), frozenset({S.SUSPENDED}), S.DESIGNATED, "institution.decide"),
        Transition("revoke", _("撤销认定"), frozenset({S.DESIGNATED, S.SUSPENDED}), S.REVOKED, "institution.decide"),
    ],
)

# A listed program may be delisted and relisted (relisting also needs a designated institution: the service
# checks it, with the institution as the field at fault).
LISTING = Workflow(
    "program_listing",
    Program,
    ProgramStatus,
    [
        Transition("delist", _("移出"), frozenset({ProgramStatus.LISTED}), ProgramStatus.DELISTED, "program.decide"),
        Transition(
            "relist", _("重新列入"), frozenset({ProgramStatus.DELISTED}), ProgramStatus.LISTED, "program.decide"
        ),
    ],
)

R = ProfileChangeRequest.Status
DECIDED = _("该变更申请已处理。")

CHANGE_REQUEST = Workflow(
    "change_request",
    ProfileChangeRequest,
    ProfileChangeRequest.Status,
    [
        Transition("approve", _("批准"), frozenset({R.PENDING}), R.APPROVED, "change_request.decide", refusal=DECIDED),
        Transition("reject", _("驳回"), frozenset({R.PENDING}), R.REJECTED, "change_request.decide", refusal=DECIDED),
    ],
)
