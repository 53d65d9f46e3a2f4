"""Payment (拨付): an advance when the class is approved, a settlement after the claim is approved. Each happens
exactly once (database constraints plus the caller's idempotency key). Separation of duties: whoever approved the
class (or decided on it or its change) or reviewed any of its claims cannot record any payment for it."""

import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from core.errors import DomainError
from core.policy import require
from training.models import ClassStatus, ClassStatusChange

from ..models import (
    ClaimLine,
    ClaimStatus,
    ClaimStatusChange,
    Objection,
    Payment,
    PaymentKind,
    SubsidyClaim,
    SubsidyStandard,
)
from ..workflows import CLAIM
from .claims import _move
from .standards import setting_for, standard_for

ADVANCE_CLASS_STATUSES = {ClassStatus.APPROVED, ClassStatus.IN_TRAINING, ClassStatus.COMPLETED}  # the class's own
CENT = Decimal("0.01")


def _require_finance(actor: User, obj) -> None:
    """Finance of a region holding the class or the claim (`obj`)."""
    require(actor, "payment.record", obj, _("只有本辖区财政部门可以登记拨付。"))


# Class decisions of the bureau on an application (the first one and each change, which comes back as a new
# submission) and claim steps taken by a reviewer; SETTLED is the payer's own step and does not count.
CLASS_DECISIONS = [ClassStatus.APPROVED, ClassStatus.RETURNED, ClassStatus.REJECTED]
CLAIM_DECISIONS = [
    ClaimStatus.UNDER_REVIEW,
    ClaimStatus.RETURNED,
    ClaimStatus.REJECTED,
    ClaimStatus.PUBLIC_NOTICE,
    ClaimStatus.APPROVED,
]


def _conflicts(class_ids, actor_id: int | None = None) -> dict[int, set[int]]:
    """Per class: the people who may not pay it — whoever decided the class application or its change, and
    whoever reviewed any claim of the class (started the review, decided a line, returned, rejected, sent to
    notice, approved, resolved an objection). A few queries for any number of classes; `actor_id` narrows them
    to one person."""
    class_ids = list(class_ids)
    people: dict[int, set[int]] = defaultdict(set)
    if not class_ids:
        return people

    def only(qs, field):
        return qs.filter(**{field: actor_id}) if actor_id is not None else qs.exclude(**{field: None})

    sources = [
        only(
            ClassStatusChange.objects.filter(
                training_class_id__in=class_ids, from_status=ClassStatus.SUBMITTED, to_status__in=CLASS_DECISIONS
            ),
            "actor_id",
        ).values_list("training_class_id", "actor_id"),
        only(
            ClaimStatusChange.objects.filter(claim__training_class_id__in=class_ids, to_status__in=CLAIM_DECISIONS),
            "actor_id",
        ).values_list("claim__training_class_id", "actor_id"),
        only(ClaimLine.objects.filter(claim__training_class_id__in=class_ids), "decided_by_id").values_list(
            "claim__training_class_id", "decided_by_id"
        ),
        only(SubsidyClaim.objects.filter(training_class_id__in=class_ids), "reviewed_by_id").values_list(
            "training_class_id", "reviewed_by_id"
        ),
        only(Objection.objects.filter(notice__claim__training_class_id__in=class_ids), "resolved_by_id").values_list(
            "notice__claim__training_class_id", "resolved_by_id"
        ),
    ]
    for qs in sources:
        for class_id, person in qs.distinct():
            people[class_id].add(person)
    return people


def _conflicted_actors(training_class) -> set[int]:
    """The people who may not record an advance or a settlement for this class (separation of duties)."""
    return _conflicts([training_class.pk])[training_class.pk]


def payment_conflict(*, actor: User, training_class) -> str:
    """Why this user may not record a payment for this class (separation of duties), or "" if they may."""
    if actor.pk in _conflicted_actors(training_class):
        return _("您审批过该培训班或审核过其补贴申请，不能为其登记拨付（职责分离）。")
    return ""


def _require_no_conflict(actor: User, training_class) -> None:
    if message := payment_conflict(actor=actor, training_class=training_class):
        raise DomainError(message)


def payment_barred_class_ids(*, actor: User, class_ids) -> set[int]:
    """Of these classes, those this user may not pay (for the payment pages: no button where it would fail)."""
    return {class_id for class_id, people in _conflicts(class_ids, actor_id=actor.pk).items() if actor.pk in people}


def _replayed(key: str, **expected) -> Payment | None:
    """The payment already recorded under this idempotency key (a double submit), if it is the same one; a key
    reused for a different payment is refused."""
    payment = Payment.objects.filter(idempotency_key=key).first()
    if payment is None:
        return None
    if any(getattr(payment, name) != value for name, value in expected.items()):
        raise DomainError(_("该幂等键已用于另一笔拨付，请刷新页面后重新提交。"))
    return payment


@dataclass(frozen=True)
class AdvanceBasis:
    """What the advance multiplies: the people on the approved roster × one person's amount under the standard
    × the region's advance share. Never the planned headcount: a class approved for 20 with 5 on its roster
    could never earn more than 5 people's subsidy."""

    standard: SubsidyStandard
    headcount: int  # enrollments on the roster (a removed person has no enrollment)
    per_person: Decimal  # one person's full amount under the standard
    share: Decimal  # RegionSetting.advance_share

    @property
    def amount(self) -> Decimal:
        return (self.per_person * self.headcount * self.share).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def formula(self) -> str:
        return _("%(n)s 人 × 标准 %(p)s 元/人 × 预拨比例 %(s)s%% = %(a)s 元") % {
            "n": self.headcount,
            "p": self.per_person.quantize(CENT),
            "s": f"{(self.share * 100).normalize():f}",
            "a": self.amount,
        }


def advance_basis(training_class) -> AdvanceBasis:
    standard = standard_for(training_class)
    if standard is None:
        raise DomainError(_("没有适用的补贴标准，无法计算预拨金额。"))
    headcount = training_class.enrollments.count()
    if not headcount:
        raise DomainError(_("花名册为空，无法计算预拨金额。"))
    hours = training_class.program.standard_hours
    per_person = {
        "per_person": standard.amount,
        "per_hour": standard.amount * hours,
        "per_day": standard.amount * math.ceil(hours / max(standard.min_hours_per_day, 1)),
    }[standard.basis]
    return AdvanceBasis(standard, headcount, per_person, setting_for(training_class.county).advance_share)


def advance_amount(training_class) -> Decimal:
    return advance_basis(training_class).amount


@transaction.atomic
def advance_record(*, actor: User, training_class, bank_reference: str, idempotency_key: str) -> Payment:
    """预拨: the region's share (at least half) of what the approved roster could earn, once per class."""
    _require_finance(actor, training_class)
    _require_no_conflict(actor, training_class)
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


@transaction.atomic
def settlement_record(*, actor: User, claim: SubsidyClaim, bank_reference: str, idempotency_key: str) -> Payment:
    """清算: approved amount minus what was advanced for the class; negative means a recovery (追回)."""
    claim = (
        SubsidyClaim.objects.select_for_update(of=("self",)).select_related("training_class", "county").get(pk=claim.pk)
    )
    _require_finance(actor, claim)
    _require_no_conflict(actor, claim.training_class)
    if existing := _replayed(idempotency_key, claim_id=claim.pk, kind=PaymentKind.SETTLEMENT):
        return existing
    settled = CLAIM.check(actor, claim, "settle")
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
    _move(claim, settled.target, actor, action="claim.settled")
    audit_log(
        actor=actor,
        action="payment.recovery_recorded" if payment.is_recovery else "payment.settlement_recorded",
        target=claim,
        region=claim.county,
        details={"amount": str(payment.amount), "advanced": str(advanced)},
    )
    return payment
