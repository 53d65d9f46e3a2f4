"""Payment (拨付): an advance when the class is approved, a settlement after the claim is approved. Each happens
exactly once (database constraints plus the caller's idempotency key); whoever reviewed a claim cannot pay it."""

import math
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.errors import DomainError
from accounts.models import Role, User
from accounts.selectors import user_may_act_on_region
from accounts.services import audit_log
from training.models import ClassStatus

from ..models import ClaimStatus, ClaimStatusChange, Payment, PaymentKind, SubsidyClaim
from .claims import _move
from .standards import setting_for, standard_for

ADVANCE_CLASS_STATUSES = {ClassStatus.APPROVED, ClassStatus.IN_TRAINING, ClassStatus.COMPLETED}
CENT = Decimal("0.01")


def _require_finance(actor: User, region) -> None:
    if not user_may_act_on_region(actor, region, (Role.FINANCE,)):
        raise PermissionDenied(_("只有本辖区财政部门可以登记拨付。"))


def _replayed(key: str, **expected) -> Payment | None:
    """The payment already recorded under this idempotency key (a double submit), if it is the same one; a key
    reused for a different payment is refused."""
    payment = Payment.objects.filter(idempotency_key=key).first()
    if payment is None:
        return None
    if any(getattr(payment, name) != value for name, value in expected.items()):
        raise DomainError(_("该幂等键已用于另一笔拨付，请刷新页面后重新提交。"))
    return payment


def advance_amount(training_class) -> Decimal:
    standard = standard_for(training_class)
    if standard is None:
        raise DomainError(_("没有适用的补贴标准，无法计算预拨金额。"))
    hours = training_class.program.standard_hours
    per_person = {
        "per_person": standard.amount,
        "per_hour": standard.amount * hours,
        "per_day": standard.amount * math.ceil(hours / max(standard.min_hours_per_day, 1)),
    }[standard.basis]
    planned = per_person * training_class.planned_headcount
    share = setting_for(training_class.county).advance_share
    return (planned * share).quantize(CENT, rounding=ROUND_HALF_UP)


@transaction.atomic
def advance_record(*, actor: User, training_class, bank_reference: str, idempotency_key: str) -> Payment:
    """预拨: the region's share (at least half) of the planned amount, once per class."""
    _require_finance(actor, training_class.county)
    if existing := _replayed(idempotency_key, training_class_id=training_class.pk, kind=PaymentKind.ADVANCE):
        return existing
    if training_class.status not in ADVANCE_CLASS_STATUSES:
        raise DomainError(_("培训班获批后才能预拨。"))
    if not (bank_reference or "").strip():
        raise DomainError(_("请填写银行流水号。"), field="bank_reference")
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                training_class=training_class,
                kind=PaymentKind.ADVANCE,
                amount=advance_amount(training_class),
                bank_reference=bank_reference.strip(),
                idempotency_key=idempotency_key,
                recorded_by=actor,
            )
    except IntegrityError:
        raise DomainError(_("该培训班已预拨，不能重复预拨。")) from None
    audit_log(
        actor=actor,
        action="payment.advance_recorded",
        target=training_class,
        region=training_class.county,
        details={"amount": str(payment.amount), "bank_reference": payment.bank_reference},
    )
    return payment


def _reviewers(claim: SubsidyClaim) -> set[int]:
    """Everyone who decided on the claim: its lines, its review steps, its notice and objections."""
    deciding = [ClaimStatus.UNDER_REVIEW, ClaimStatus.RETURNED, ClaimStatus.REJECTED, ClaimStatus.PUBLIC_NOTICE]
    people = set(
        ClaimStatusChange.objects.filter(claim=claim, to_status__in=deciding)
        .exclude(actor=None)
        .values_list("actor_id", flat=True)
    )
    people |= set(claim.lines.exclude(decided_by=None).values_list("decided_by_id", flat=True))
    return people | ({claim.reviewed_by_id} - {None})


@transaction.atomic
def settlement_record(*, actor: User, claim: SubsidyClaim, bank_reference: str, idempotency_key: str) -> Payment:
    """清算: approved amount minus what was advanced for the class; negative means a recovery (追回)."""
    claim = (
        SubsidyClaim.objects.select_for_update(of=("self",)).select_related("training_class", "county").get(pk=claim.pk)
    )
    _require_finance(actor, claim.county)
    if existing := _replayed(idempotency_key, claim_id=claim.pk, kind=PaymentKind.SETTLEMENT):
        return existing
    if actor.pk in _reviewers(claim):
        raise PermissionDenied(_("审核该申请的人员不能登记其拨付（不相容职务分离）。"))
    if claim.status != ClaimStatus.APPROVED:
        raise DomainError(_("补贴申请批准后才能清算（当前为“%(s)s”）。") % {"s": claim.get_status_display()})
    if not (bank_reference or "").strip():
        raise DomainError(_("请填写银行流水号。"), field="bank_reference")
    advanced = Payment.objects.filter(training_class=claim.training_class, kind=PaymentKind.ADVANCE).aggregate(
        s=Sum("amount")
    )["s"] or Decimal(0)
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                training_class=claim.training_class,
                claim=claim,
                kind=PaymentKind.SETTLEMENT,
                amount=claim.approved_amount - advanced,
                bank_reference=bank_reference.strip(),
                idempotency_key=idempotency_key,
                recorded_by=actor,
            )
    except IntegrityError:
        raise DomainError(_("该申请已清算，不能重复清算。")) from None
    _move(claim, ClaimStatus.SETTLED, actor, action="claim.settled")
    audit_log(
        actor=actor,
        action="payment.recovery_recorded" if payment.is_recovery else "payment.settlement_recorded",
        target=claim,
        region=claim.county,
        details={"amount": str(payment.amount), "advanced": str(advanced)},
    )
    return payment
