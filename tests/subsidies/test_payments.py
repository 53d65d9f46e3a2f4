"""Payments (拨付): one advance per class (the region's share of the planned amount), one settlement per
approved claim (approved − advance, negative = recovery), idempotency keys, finance in scope only, and
separation of duties: whoever reviewed a claim cannot pay it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from accounts.errors import DomainError
from accounts.models import AuditEvent, Role
from catalog.models import Region
from subsidies.models import ClaimStatus, Payment, PaymentKind, RegionSetting
from subsidies.services import claims, payments
from training.demo import clock
from training.models import ClassStatus, EnrollmentResult
from training.services import classes

from .factories import (
    START,
    World,
    approved_claim,
    completed_class,
    finance,
    level,
    make_standard,
    noticed_claim,
    user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def advance(h, key="adv-1", actor=None, on=None, bank_reference="ADV0001"):
    with clock(on or START - timedelta(days=5)):
        return payments.advance_record(
            actor=actor or h.finance,
            training_class=h.training_class,
            bank_reference=bank_reference,
            idempotency_key=key,
        )


def settle(h, claim, key="stl-1", actor=None, bank_reference="STL0001"):
    return payments.settlement_record(
        actor=actor or h.finance, claim=claim, bank_reference=bank_reference, idempotency_key=key
    )


# --- advance ------------------------------------------------------------------------------------------------


def test_the_advance_is_the_regions_share_of_the_planned_amount_and_is_paid_once():
    h = completed_class(until=ClassStatus.APPROVED)  # 3 on the roster, 5 planned, 1000 yuan a person
    assert h.training_class.planned_headcount == 5
    first = advance(h)
    assert (first.kind, first.amount, first.recorded_by) == (PaymentKind.ADVANCE, Decimal("2500.00"), h.finance)
    assert advance(h).pk == first.pk  # the same key answers the same payment
    with pytest.raises(DomainError, match="已预拨"):
        advance(h, key="adv-2")
    assert Payment.objects.count() == 1
    assert AuditEvent.objects.filter(action="payment.advance_recorded").count() == 1


def test_the_database_allows_one_advance_per_class():
    h = completed_class(until=ClassStatus.APPROVED)
    advance(h)
    with pytest.raises(IntegrityError, match="one_advance_per_class"), transaction.atomic():
        Payment.objects.create(
            training_class=h.training_class,
            kind=PaymentKind.ADVANCE,
            amount=1,
            bank_reference="X",
            idempotency_key="other",
            recorded_by=h.finance,
        )


def test_the_advance_share_and_the_basis_come_from_data():
    RegionSetting.objects.create(region=Region.objects.get(code="231202"), advance_share=Decimal("0.60"))
    make_standard("2312", basis="per_day", amount=100, min_hours_per_day=6, skill_level=level("level5"))
    h = completed_class(until=ClassStatus.APPROVED)
    # 12 standard hours / 6 a day = 2 days × 100 yuan × 5 planned × 60 %
    assert advance(h).amount == Decimal("600.00")


def test_no_advance_before_the_class_is_approved_or_without_a_bank_reference():
    w = World.make()
    with clock(START - timedelta(days=14)):
        draft = classes.class_create(
            actor=w.owner, program=w.program, name="草稿班", start_date=START, end_date=START, planned_headcount=5
        )
    with pytest.raises(DomainError, match="获批后才能预拨"):
        payments.advance_record(actor=w.finance, training_class=draft, bank_reference="A1", idempotency_key="k1")
    h = completed_class(w, until=ClassStatus.APPROVED, first=10)
    with pytest.raises(DomainError, match="银行流水号"):
        advance(h, bank_reference="  ")
    assert not Payment.objects.exists()


@pytest.mark.parametrize("who", ["finance of Harbin", "finance of county 231281", "county staff", "institution"])
def test_only_finance_in_scope_records_payments(who):
    h = completed_class()
    actor = {
        "finance of Harbin": lambda: finance("2301"),
        "finance of county 231281": lambda: finance("231281"),
        "county staff": lambda: h.bureau,
        "institution": lambda: h.owner,
    }[who]()
    with pytest.raises(PermissionDenied):
        advance(h, actor=actor)
    claim, _notice = approved_claim(h)
    with pytest.raises(PermissionDenied):
        settle(h, claim, actor=actor)
    assert not Payment.objects.exists()


@pytest.mark.parametrize("region_code", ["23", "2312", "231202"])
def test_finance_of_the_province_city_or_county_may_pay(region_code):
    h = completed_class(until=ClassStatus.APPROVED)
    assert advance(h, actor=finance(region_code)).amount == Decimal("2500.00")


# --- settlement ---------------------------------------------------------------------------------------------


def test_no_settlement_before_the_claim_is_approved():
    h = completed_class()
    claim, _notice = noticed_claim(h)
    with pytest.raises(DomainError, match="批准后才能清算"):
        settle(h, claim)
    assert not Payment.objects.exists()


def test_the_settlement_is_approved_minus_advance_and_happens_once():
    h = completed_class()
    advance(h)  # 2500
    claim, _ = approved_claim(h)
    assert claim.approved_amount == Decimal("3000.00")
    payment = settle(h, claim)
    assert (payment.kind, payment.amount, payment.is_recovery) == (PaymentKind.SETTLEMENT, Decimal("500.00"), False)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SETTLED
    assert settle(h, claim).pk == payment.pk  # a retried request with the same key
    with pytest.raises((DomainError, PermissionDenied)):
        settle(h, claim, key="stl-2")
    with pytest.raises((DomainError, PermissionDenied)):
        settle(h, claim, key="stl-3", actor=finance("23"))
    assert Payment.objects.filter(kind=PaymentKind.SETTLEMENT).count() == 1
    with pytest.raises(IntegrityError, match="one_settlement_per_claim"), transaction.atomic():
        Payment.objects.create(
            training_class=h.training_class,
            claim=claim,
            kind=PaymentKind.SETTLEMENT,
            amount=1,
            bank_reference="X",
            idempotency_key="other",
            recorded_by=h.finance,
        )


def test_a_second_settlement_by_the_payer_is_refused_as_already_settled_not_as_a_conflict_of_duties():
    """The SETTLED status change is recorded with the finance user as its actor, and _reviewers counts every
    actor of a status change after verification (SETTLED is not excluded): the payer is then told they
    reviewed the claim."""
    h = completed_class()
    claim, _ = approved_claim(h)
    settle(h, claim)
    with pytest.raises(DomainError):
        settle(h, claim, key="stl-2")


def test_a_settlement_below_the_advance_is_a_recovery():
    h = completed_class(outcome=lambda n: EnrollmentResult.FAILED if n == 2 else EnrollmentResult.PASSED)
    advance(h)  # 2500 for 5 planned
    claim, _ = approved_claim(h)  # 2 approved: 2000
    payment = settle(h, claim)
    assert payment.amount == Decimal("-500.00") and payment.is_recovery
    assert AuditEvent.objects.filter(action="payment.recovery_recorded").count() == 1


def test_without_an_advance_the_settlement_is_the_approved_amount():
    h = completed_class()
    claim, _ = approved_claim(h)
    assert settle(h, claim).amount == Decimal("3000.00")


# --- separation of duties -----------------------------------------------------------------------------------


def test_the_reviewer_cannot_record_the_settlement_even_after_moving_to_finance():
    h = completed_class()
    claim, _ = approved_claim(h)
    reviewer = h.bureau
    with pytest.raises(PermissionDenied):
        settle(h, claim, actor=reviewer)
    reviewer.role, reviewer.region = Role.FINANCE, Region.objects.get(code="2312")  # transferred to finance
    reviewer.save()
    with pytest.raises(PermissionDenied, match="不相容职务分离"):
        settle(h, claim, actor=reviewer)
    assert settle(h, claim).recorded_by == h.finance  # another finance user may


def test_a_second_staff_member_who_decided_lines_cannot_record_the_settlement():
    """Two county staff share the review: the first decides one line (and becomes reviewed_by), the second
    decides the others. Both reviewed the claim; _reviewers only knows the first (reviewed_by and the
    status changes' actors), so the second, later moved to finance, may pay what they approved."""
    h = completed_class()
    second = user(Role.COUNTY, "231202", username="sub-county-second")
    claim, _ = noticed_claim_split_review(h, second)
    second.role, second.region = Role.FINANCE, Region.objects.get(code="2312")
    second.save()
    with pytest.raises(PermissionDenied, match="不相容职务分离"):
        settle(h, claim, actor=second)


def noticed_claim_split_review(h, second):
    from .factories import claim_day, verified_claim

    on = claim_day(h, 10)
    claim = verified_claim(h, on=on)
    lines = list(claim.lines.order_by("id"))
    with clock(on):
        claims.line_decide(actor=h.bureau, line=lines[0], approve=True)
        for line in lines[1:]:
            claims.line_decide(actor=second, line=line, approve=True)
        notice = claims.claim_send_to_notice(actor=h.bureau, claim=claim)
    with clock(notice.ends_on + timedelta(days=1)):
        claims.claim_approve_after_notice(claim.pk)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    return claim, notice


# --- idempotency keys are not a way around the checks -------------------------------------------------------


def test_a_replayed_key_does_not_answer_a_user_outside_the_scope():
    """advance_record and settlement_record look the key up before checking the actor: anyone who knows
    (or guesses) a key gets another region's payment back instead of PermissionDenied."""
    h = completed_class(until=ClassStatus.APPROVED)
    advance(h, key="adv-known")
    with pytest.raises(PermissionDenied):
        advance(h, key="adv-known", actor=finance("2301"))


def test_a_key_already_used_for_another_class_is_not_answered_with_that_classs_payment():
    """A key is the identity of one request: reusing it for another class must be refused, not answered
    with the first class's payment (the second advance would silently never be recorded)."""
    w = World.make()
    first = completed_class(w, until=ClassStatus.APPROVED, name="甲班")
    second = completed_class(w, until=ClassStatus.APPROVED, first=10, name="乙班")
    advance(first, key="adv-shared")
    try:
        payment = advance(second, key="adv-shared")
    except (DomainError, PermissionDenied):
        return
    assert payment.training_class_id == second.training_class.pk, "answered with the other class's advance"
