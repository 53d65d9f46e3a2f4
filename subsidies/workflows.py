"""The workflows of the subsidies app, each declared once (core.workflow): a claim, its lines (one per person)
and the objections to a public notice.

A claim goes: draft → submitted → verifying → verified → under review → public notice → approved → settled, with
returned (→ resubmitted → verifying) and rejected on the way. A public notice has no status of its own (it runs
until `ends_on`, closed when the claim is approved); a payment has none either: the settlement is the claim's
`settle`, the advance is recorded on a class (permission payment.record, the class's own status).

Refusals are marked with gettext_noop: a DomainError needs a plain string (core.errors), so they are kept in the
source language here and stay in the message catalogue for translation when they are raised."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from core.workflow import Transition, Workflow

from .models import (
    ClaimLine,
    ClaimStatus,
    LineStatus,
    Objection,
    SkillUpgradeApplication,
    SkillUpgradeStatus,
    SubsidyClaim,
)

S = ClaimStatus
REVIEW = frozenset({S.VERIFIED, S.UNDER_REVIEW})  # verified: the bureau decides person by person
SYSTEM = "claim.system"

CLAIM = Workflow(
    "claim",
    SubsidyClaim,
    ClaimStatus,
    [
        # the institution prepares and submits
        Transition(
            "add_material",
            _("补充材料"),
            frozenset({S.DRAFT, S.RETURNED}),
            None,
            "claim.add_material",
            refusal=N_("只有草稿或退回修改的申请可以补充材料。"),
        ),
        Transition("submit", _("提交"), frozenset({S.DRAFT}), S.SUBMITTED, "claim.submit"),
        Transition("resubmit", _("重新提交"), frozenset({S.RETURNED}), S.RESUBMITTED, "claim.submit"),
        # the verification (the Celery task): queued on submission, run again on request or after a follow-up
        Transition("queue_verification", _("开始核验"), frozenset({S.SUBMITTED, S.RESUBMITTED}), S.VERIFYING, SYSTEM),
        Transition("verify", _("核验"), frozenset({S.VERIFYING, *REVIEW, S.PUBLIC_NOTICE}), None, SYSTEM),
        Transition("finish_verification", _("完成核验"), frozenset({S.VERIFYING}), S.VERIFIED, SYSTEM),
        Transition("reverify", _("重新核验"), REVIEW, None, "claim.decide", refusal=N_("当前状态不能重新核验。")),
        # the county or city reviews
        Transition(
            "decide_lines", _("逐人审核"), REVIEW, None, "claim.decide", refusal=N_("只有核验完成的申请可以审核。")
        ),
        Transition("start_review", _("开始审核"), frozenset({S.VERIFIED}), S.UNDER_REVIEW, SYSTEM),
        Transition(
            "accept_warning",
            _("接受提示"),
            REVIEW,
            None,
            "claim.decide",
            refusal=N_("只有核验完成、审核中的申请可以接受提示。"),
        ),
        Transition("return", _("退回修改"), REVIEW, S.RETURNED, "claim.decide", refusal=N_("当前状态不能退回。")),
        Transition(
            "reject", _("不予补贴"), REVIEW, S.REJECTED, "claim.decide", refusal=N_("当前状态不能作出不予补贴决定。")
        ),
        Transition(
            "send_to_notice",
            _("发布公示"),
            frozenset({S.UNDER_REVIEW}),
            S.PUBLIC_NOTICE,
            "claim.decide",
            refusal=N_("请先审核每一名人员。"),
        ),
        # the notice ends: an objection against the whole claim upheld, or approval (the daily task)
        Transition("reject_on_objection", _("异议成立，不予补贴"), frozenset({S.PUBLIC_NOTICE}), S.REJECTED, SYSTEM),
        Transition("approve", _("批准"), frozenset({S.PUBLIC_NOTICE}), S.APPROVED, SYSTEM),
        Transition("reject_at_approval", _("批准前复核不予补贴"), frozenset({S.PUBLIC_NOTICE}), S.REJECTED, SYSTEM),
        # finance pays
        Transition(
            "settle",
            _("登记清算"),
            frozenset({S.APPROVED}),
            S.SETTLED,
            "payment.record",
            refusal=N_("补贴申请批准后才能清算。"),
        ),
    ],
)

# Claims waiting for the bureau (the review queue): being verified, or verified and under review.
AWAITING_BUREAU = CLAIM.sources("queue_verification") | CLAIM.sources("finish_verification") | REVIEW
# What finance sees: the claims it settles and those it settled.
PAYABLE_OR_PAID = CLAIM.sources("settle") | {CLAIM["settle"].target}


def claim_in_review(line: ClaimLine) -> str | None:
    """A line is decided only while its claim is open for line decisions."""
    if line.claim.status not in CLAIM.sources("decide_lines"):
        return gettext("只有核验完成的申请可以审核。")
    return None


L = LineStatus
ANY_LINE = frozenset(LineStatus.values)

LINE = Workflow(
    "claim_line",
    ClaimLine,
    LineStatus,
    [
        # the reviewer's decision, and a change of mind while the claim is still in review
        Transition("approve", _("通过"), ANY_LINE, L.APPROVED, "claim_line.decide", guards=(claim_in_review,)),
        Transition("reject", _("不通过"), ANY_LINE, L.REJECTED, "claim_line.decide", guards=(claim_in_review,)),
        # decided again: the claim was returned, or a re-verification found a blocking problem during review
        Transition("reopen", _("重新审核"), ANY_LINE, L.PENDING, SYSTEM),
        # struck off: the claim rejected, an objection upheld, a blocking problem found during the notice or at
        # the final check before approval
        Transition("strike", _("核减"), ANY_LINE, L.REJECTED, SYSTEM),
    ],
)

OS = Objection.Status

OBJECTION = Workflow(
    "objection",
    Objection,
    Objection.Status,
    [
        Transition(
            "uphold", _("异议成立"), frozenset({OS.OPEN}), OS.UPHELD, "objection.resolve", refusal=N_("该异议已处理。")
        ),
        Transition(
            "dismiss",
            _("异议不成立"),
            frozenset({OS.OPEN}),
            OS.DISMISSED,
            "objection.resolve",
            refusal=N_("该异议已处理。"),
        ),
    ],
)

# --- 技能提升补贴 (seed 000 §24): filed at the window → verified → (public notice, where the region's setting
# requires it) → approved → paid to the person; rejected on the way.

U = SkillUpgradeStatus
SU_OPEN = frozenset({U.FILED, U.VERIFIED, U.PUBLIC_NOTICE})


def _needs_notice(app: SkillUpgradeApplication) -> bool:
    from .services.standards import setting_for  # services import this module

    return setting_for(app.county).skill_upgrade_notice


def notice_not_required(app: SkillUpgradeApplication) -> str | None:
    return gettext("本地区技能提升补贴须先公示。") if _needs_notice(app) else None


def notice_required(app: SkillUpgradeApplication) -> str | None:
    return None if _needs_notice(app) else gettext("本地区技能提升补贴无须公示，请直接审核通过。")


SKILL_UPGRADE = Workflow(
    "skill_upgrade",
    SkillUpgradeApplication,
    SkillUpgradeStatus,
    [
        Transition(
            "verify", _("核验"), frozenset({U.FILED}), U.VERIFIED, "skill_upgrade.decide", refusal=N_("该申请已核验。")
        ),
        Transition(
            "approve",
            _("审核通过"),
            frozenset({U.VERIFIED}),
            U.APPROVED,
            "skill_upgrade.decide",
            guards=(notice_not_required,),
            refusal=N_("核验通过后才能审核。"),
        ),
        Transition(
            "send_to_notice",
            _("发布公示"),
            frozenset({U.VERIFIED}),
            U.PUBLIC_NOTICE,
            "skill_upgrade.decide",
            guards=(notice_required,),
            refusal=N_("核验通过后才能公示。"),
        ),
        Transition(
            "end_notice",
            _("公示期满，审核通过"),
            frozenset({U.PUBLIC_NOTICE}),
            U.APPROVED,
            "skill_upgrade.decide",
            refusal=N_("只有公示中的申请可以结束公示。"),
        ),
        Transition("reject", _("不予补贴"), SU_OPEN, U.REJECTED, "skill_upgrade.decide", refusal=N_("该申请已审核。")),
        Transition(
            "pay",
            _("登记发放"),
            frozenset({U.APPROVED}),
            U.PAID,
            "skill_upgrade.pay",
            refusal=N_("审核通过后才能发放。"),
        ),
    ],
)
