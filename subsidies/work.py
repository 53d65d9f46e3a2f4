"""The subsidies app's to-dos on the 工作台 (core.work): claims to review, objections to answer, notices ending,
phone follow-ups and spot-check visits to record, payments to record; for the institution its claims to file,
finish or fix."""

from datetime import timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.selectors import region_scope_q
from core import clock
from core.work import todo

from . import selectors
from .models import ClaimStatus, Objection, PhoneFollowUp, PublicNotice, SpotCheckVisit
from .workflows import CLAIM, OBJECTION

REVIEW_DAYS = timedelta(days=15)  # a claim waiting longer than this for the bureau is overdue
WEEK = timedelta(days=7)


def claim_page(claim) -> str:
    return reverse("subsidies:detail", args=[claim.pk])


def waiting_long(claims):
    return claims.filter(submitted_at__lt=clock.now() - REVIEW_DAYS)


def own_claims(user, action: str):
    return selectors.claim_list(user=user).filter(status__in=CLAIM.sources(action)).order_by("created_at", "id")


def open_objections(user):
    scoped = Objection.objects.filter(region_scope_q(user, "notice__claim__county"))
    return scoped.filter(status__in=OBJECTION.sources("uphold")).select_related("notice__claim").order_by("created_at")


def notices_ending(user):
    today = clock.today()
    running = PublicNotice.objects.filter(region_scope_q(user, "claim__county"), closed_at__isnull=True)
    return running.filter(ends_on__gte=today, ends_on__lt=today + WEEK).select_related("claim").order_by("ends_on")


def calls_to_make(user):
    scoped = PhoneFollowUp.objects.filter(region_scope_q(user, "claim__county"), called_at__isnull=True)
    return scoped.select_related("claim").order_by("claim_id", "id")


def visits_to_record(user):
    pending = Q(result=SpotCheckVisit.Result.PENDING)
    return selectors.visit_list(user=user).filter(pending).order_by("spot_check__drawn_at", "id")


todo(
    "claims_to_review",
    _("待审核的补贴申请"),
    "subsidies:queue",
    permission="claim.decide",
    items=lambda user: selectors.review_queue(user=user),
    order=30,
    hint=_("按核验发现逐人审核，无问题的人员可一次通过，审核完发布公示。"),
    overdue=waiting_long,
    overdue_label=_("等待超过 15 天"),
    link=claim_page,
)
todo(
    "objections_to_answer",
    _("待处理的公示异议"),
    "subsidies:queue",
    permission="objection.resolve",
    items=open_objections,
    order=31,
    hint=_("公示结束前核实并答复异议。"),
    overdue=lambda objections: objections.filter(notice__ends_on__lte=clock.today() + timedelta(days=1)),
    overdue_label=_("公示即将结束"),
    link=lambda objection: claim_page(objection.notice.claim) + "#objections",
    title=lambda objection: f"{objection.notice.claim}：{objection.text[:20]}",
)
todo(
    "notices_ending",
    _("本周结束的公示"),
    "subsidies:list",
    permission="claim.decide",
    query=f"status={ClaimStatus.PUBLIC_NOTICE.value}",
    items=notices_ending,
    order=32,
    hint=_("公示期满且无异议的申请由系统自动批准，转财政拨付。"),
    link=lambda notice: claim_page(notice.claim),
    title=lambda notice: f"{notice.claim}（{notice.ends_on:%m-%d} 截止）",
)
todo(
    "calls_to_make",
    _("待完成的电话回访"),
    "subsidies:queue",
    permission="follow_up.draw",
    items=calls_to_make,
    order=40,
    hint=_("逐人电话询问是否参加培训，记录结果。"),
    link=lambda call: reverse("subsidies:follow_ups", args=[call.claim_id]),
    title=lambda call: str(call.claim),
)
todo(
    "visits_to_record",
    _("待登记的抽查"),
    "subsidies:spot_checks",
    permission="spot_check.menu",
    items=visits_to_record,
    order=41,
    hint=_("到班检查后登记检查结果。"),
    link=lambda visit: reverse("subsidies:spot_check", args=[visit.spot_check_id]),
    title=lambda visit: f"{visit.training_class.name}（{visit.inspector}）",
)
todo(
    "payments_to_record",
    _("待登记清算的补贴"),
    "subsidies:payments",
    permission="payment.record",
    items=lambda user: selectors.payable(user=user)["claims"],
    order=50,
    hint=_("公示期满批准的申请，按核定金额拨付后登记清算。"),
    link=claim_page,
)
todo(
    "advances_to_record",
    _("可预拨的培训班"),
    "subsidies:payments",
    permission="payment.record",
    items=lambda user: selectors.payable(user=user)["classes"],
    order=51,
    hint=_("已批准开班的培训班可预拨不低于 50% 的补贴。"),
)
todo(
    "classes_to_claim",
    _("可申请补贴的培训班"),
    "subsidies:create",
    permission="claim.create",
    items=lambda user: selectors.classes_without_training_claim(user=user),
    order=60,
    hint=_("结业并录入考核结果的培训班，生成补贴申请。"),
    link=lambda training_class: reverse("subsidies:create") + f"?class={training_class.pk}",
    action=_("申请补贴"),
)
todo(
    "claim_drafts",
    _("未提交的补贴申请"),
    "subsidies:list",
    permission="claim.submit",
    query=f"status={ClaimStatus.DRAFT.value}",
    items=lambda user: own_claims(user, "submit"),
    order=61,
    hint=_("核对人员和金额、补充材料后提交。"),
    link=claim_page,
)
todo(
    "claims_returned",
    _("退回修改的补贴申请"),
    "subsidies:list",
    permission="claim.submit",
    query=f"status={ClaimStatus.RETURNED.value}",
    items=lambda user: own_claims(user, "resubmit"),
    order=62,
    hint=_("按退回意见修改后重新提交。"),
    link=claim_page,
)


def skill_upgrades_waiting(user, actions):
    """技能提升补贴 applications in the user's regions that one of `actions` starts from; a notice only once ended."""
    from .models import SkillUpgradeStatus
    from .services.skill_upgrade import skill_upgrade_list
    from .workflows import SKILL_UPGRADE

    statuses = set().union(*(SKILL_UPGRADE.sources(a) for a in actions))
    waiting = skill_upgrade_list(user).filter(status__in=statuses - {SkillUpgradeStatus.PUBLIC_NOTICE})
    ended = skill_upgrade_list(user).filter(
        status__in=statuses & {SkillUpgradeStatus.PUBLIC_NOTICE}, notice_ends_on__lt=clock.today()
    )
    return (waiting | ended).order_by("filed_at", "id")


def skill_upgrade_page(app) -> str:
    return reverse("subsidies:skill_upgrade_detail", args=[app.pk])


todo(
    "skill_upgrades_to_decide",
    _("待审核的技能提升补贴"),
    "subsidies:skill_upgrade_list",
    permission="skill_upgrade.decide",
    items=lambda user: skill_upgrades_waiting(user, ("verify", "approve", "end_notice")),
    order=33,
    hint=_("核验参保和证书，审核通过（须公示的地区先公示），公示期满后审核通过。"),
    link=skill_upgrade_page,
)
todo(
    "skill_upgrades_to_pay",
    _("待发放的技能提升补贴"),
    "subsidies:skill_upgrade_list",
    permission="skill_upgrade.pay",
    items=lambda user: skill_upgrades_waiting(user, ("pay",)),
    order=52,
    hint=_("审核通过的申请，发放到申请人本人银行账户后登记。"),
    link=skill_upgrade_page,
)
