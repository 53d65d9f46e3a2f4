"""Payments (拨付): one advance per class (the region's share of what the roster could earn), one settlement per
approved claim (approved − advance, negative = recovery), idempotency keys, finance in scope only, and
separation of duties: whoever approved the class or reviewed its claim cannot record any payment for it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.test import Client

from accounts.models import AuditEvent, Role
from catalog.models import Region
from core.clock import replaying as clock
from core.errors import DomainError
from subsidies.models import ClaimStatus, Payment, PaymentKind
from subsidies.services import claims, notices, payments
from training.models import ClassStatus, EnrollmentResult, TrainingClass
from training.services import classes

from .factories import (
    START,
    PaymentFactory,
    RegionSettingFactory,
    World,
    approved_claim,
    completed_class,
    finance,
    level,
    make_standard,
    noticed_claim,
    region,
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


def test_the_advance_is_the_regions_share_of_the_roster_amount_and_is_paid_once():
    h = completed_class(until=ClassStatus.APPROVED)  # 3 on the roster, 5 planned, 1000 yuan a person
    assert h.training_class.planned_headcount == 5
    first = advance(h)
    assert (first.kind, first.amount, first.recorded_by) == (PaymentKind.ADVANCE, Decimal("1500.00"), h.finance)
    assert advance(h).pk == first.pk  # the same key answers the same payment
    with pytest.raises(DomainError, match="已预拨"):
        advance(h, key="adv-2")
    assert Payment.objects.count() == 1
    assert AuditEvent.objects.filter(action="payment.advance_recorded").count() == 1


def test_the_database_allows_one_advance_per_class():
    h = completed_class(until=ClassStatus.APPROVED)
    advance(h)
    with pytest.raises(IntegrityError, match="one_advance_per_class"), transaction.atomic():
        PaymentFactory(training_class=h.training_class, kind=PaymentKind.ADVANCE, recorded_by=h.finance)


def test_the_advance_counts_the_people_on_the_roster_not_the_planned_headcount():
    """Issue 16: 5 on the roster of a class planned for 20 got the advance of 20. The base is the roster."""
    h = completed_class(until=ClassStatus.APPROVED, people=5)
    TrainingClass.objects.filter(pk=h.training_class.pk).update(planned_headcount=20)
    h.training_class.refresh_from_db()
    basis = payments.advance_basis(h.training_class)
    assert (basis.headcount, basis.per_person, basis.share) == (5, Decimal(1000), Decimal("0.50"))
    assert basis.formula == "5 人 × 标准 1000.00 元/人 × 预拨比例 50% = 2500.00 元"
    assert advance(h).amount == Decimal("2500.00")  # not 20 × 1000 × 50 % = 10000


def test_the_advance_page_shows_the_roster_basis():
    h = completed_class(until=ClassStatus.APPROVED, people=4)
    TrainingClass.objects.filter(pk=h.training_class.pk).update(planned_headcount=20)
    client = Client()
    client.force_login(h.finance)
    response = client.get(f"/claims/payments/classes/{h.training_class.pk}/advance/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "4 人 × 标准 1000.00 元/人 × 预拨比例 50% = 2000.00 元" in html
    assert "2000.00" in html and "10000.00" not in html


def test_the_advance_share_and_the_basis_come_from_data():
    RegionSettingFactory(region=region("231202"), advance_share=Decimal("0.60"))
    make_standard("2312", basis="per_day", amount=100, min_hours_per_day=6, skill_level=level("level5"))
    h = completed_class(until=ClassStatus.APPROVED)
    # 12 standard hours / 6 a day = 2 days × 100 yuan × 3 on the roster × 60 %
    assert advance(h).amount == Decimal("360.00")


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
    assert advance(h, actor=finance(region_code)).amount == Decimal("1500.00")


# --- settlement ---------------------------------------------------------------------------------------------


def test_no_settlement_before_the_claim_is_approved():
    h = completed_class()
    claim, _notice = noticed_claim(h)
    with pytest.raises(DomainError, match="批准后才能清算"):
        settle(h, claim)
    assert not Payment.objects.exists()


def test_the_settlement_is_approved_minus_advance_and_happens_once():
    h = completed_class()
    advance(h)  # 1500
    claim, _ = approved_claim(h)
    assert claim.approved_amount == Decimal("3000.00")
    payment = settle(h, claim)
    assert (payment.kind, payment.amount, payment.is_recovery) == (PaymentKind.SETTLEMENT, Decimal("1500.00"), False)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SETTLED
    assert settle(h, claim).pk == payment.pk  # a retried request with the same key
    with pytest.raises((DomainError, PermissionDenied)):
        settle(h, claim, key="stl-2")
    with pytest.raises((DomainError, PermissionDenied)):
        settle(h, claim, key="stl-3", actor=finance("23"))
    assert Payment.objects.filter(kind=PaymentKind.SETTLEMENT).count() == 1
    with pytest.raises(IntegrityError, match="one_settlement_per_claim"), transaction.atomic():
        PaymentFactory(training_class=h.training_class, claim=claim, kind=PaymentKind.SETTLEMENT, recorded_by=h.finance)


def test_a_second_settlement_by_the_payer_is_refused_as_already_settled_not_as_a_conflict_of_duties():
    """The SETTLED status change is recorded with the finance user as its actor; it is the payer's own step,
    not a review, so the payer is told the claim is already settled, not that they reviewed it."""
    h = completed_class()
    claim, _ = approved_claim(h)
    settle(h, claim)
    with pytest.raises(DomainError):
        settle(h, claim, key="stl-2")


def test_a_settlement_below_the_advance_is_a_recovery():
    RegionSettingFactory(region=region("231202"), advance_share=Decimal("1.00"))
    h = completed_class(outcome=lambda n: EnrollmentResult.FAILED if n == 2 else EnrollmentResult.PASSED)
    advance(h)  # 3000: all of the 3 on the roster
    claim, _ = approved_claim(h)  # 2 approved: 2000
    payment = settle(h, claim)
    assert payment.amount == Decimal("-1000.00") and payment.is_recovery
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
    with pytest.raises(DomainError, match="职责分离"):
        settle(h, claim, actor=reviewer)
    assert settle(h, claim).recorded_by == h.finance  # another finance user may


def test_a_second_staff_member_who_decided_lines_cannot_record_the_settlement():
    """Two county staff share the review: the first decides one line (and becomes reviewed_by), the second
    decides the others. Both reviewed the claim, so the second, later moved to finance, may not pay it."""
    h = completed_class()
    second = user(Role.COUNTY, "231202", username="sub-county-second")
    claim, _ = noticed_claim_split_review(h, second)
    second.role, second.region = Role.FINANCE, Region.objects.get(code="2312")
    second.save()
    with pytest.raises(DomainError, match="职责分离"):
        settle(h, claim, actor=second)


def transferred_to_finance(person):
    """A county staff member moved to the city's finance bureau: now a finance user in scope of the class."""
    person.role, person.region = Role.FINANCE, Region.objects.get(code="2312")
    person.save()
    return person


def test_the_class_approver_cannot_record_the_advance():
    h = completed_class(until=ClassStatus.APPROVED)
    approver = transferred_to_finance(h.bureau)
    with pytest.raises(DomainError, match="您审批过该培训班或审核过其补贴申请，不能为其登记拨付（职责分离）。"):
        advance(h, actor=approver)
    assert not Payment.objects.exists()
    assert advance(h).recorded_by == h.finance  # an uninvolved finance user may


def test_whoever_approved_the_change_of_a_class_cannot_record_the_advance():
    h = completed_class(until=ClassStatus.APPROVED)
    second = user(Role.COUNTY, "231202", username="sub-county-change")
    with clock(START - timedelta(days=9)):
        classes.class_request_change(actor=h.owner, training_class=h.training_class, reason="开班时间调整")
        classes.class_transition(actor=h.owner, training_class=h.training_class, to_status=ClassStatus.SUBMITTED)
        classes.class_transition(
            actor=second, training_class=h.training_class, to_status=ClassStatus.APPROVED, reason="同意变更。"
        )
    h.training_class.refresh_from_db()
    with pytest.raises(DomainError, match="职责分离"):
        advance(h, actor=transferred_to_finance(second))
    assert not Payment.objects.exists()


def test_a_line_decider_cannot_record_the_advance():
    h = completed_class()
    second = user(Role.COUNTY, "231202", username="sub-county-lines")
    claim, _ = noticed_claim_split_review(h, second)
    with pytest.raises(DomainError, match="职责分离"):
        advance(h, actor=transferred_to_finance(second))
    assert not Payment.objects.exists()
    # nor does the claim page offer them the settlement
    settle_url = f"/claims/{claim.pk}/settle/"
    for person, offered in ((second, False), (h.finance, True)):
        person.refresh_from_db()
        client = Client()
        client.force_login(person)
        assert (settle_url in client.get(f"/claims/{claim.pk}/").content.decode()) is offered


def test_an_uninvolved_finance_user_records_the_advance_and_the_settlement_of_a_reviewed_class():
    h = completed_class()
    second = user(Role.COUNTY, "231202", username="sub-county-others")
    claim, _ = noticed_claim_split_review(h, second)
    assert payments.payment_barred_class_ids(actor=h.finance, class_ids=[h.training_class.pk]) == set()
    assert advance(h).recorded_by == h.finance
    assert settle(h, claim).recorded_by == h.finance


def test_the_payment_pages_offer_no_payment_to_a_conflicted_finance_user():
    h = completed_class(until=ClassStatus.APPROVED)
    url = f"/claims/payments/classes/{h.training_class.pk}/advance/"
    h.finance.refresh_from_db()
    uninvolved = Client()
    uninvolved.force_login(h.finance)
    assert url in uninvolved.get("/claims/payments/").content.decode()
    approver = transferred_to_finance(h.bureau)
    approver.refresh_from_db()
    client = Client()
    client.force_login(approver)
    listing = client.get("/claims/payments/").content.decode()
    assert url not in listing
    assert 'data-testid="payment-barred"' in listing
    form = client.get(url).content.decode()
    assert 'data-testid="payment-form"' not in form
    assert "不能为其登记拨付（职责分离）" in form
    refused = client.post(url, {"bank_reference": "ADV9", "idempotency_key": "k" * 32})
    assert refused.status_code == 400
    assert not Payment.objects.exists()


def noticed_claim_split_review(h, second):
    from .factories import claim_day, verified_claim

    on = claim_day(h, 10)
    claim = verified_claim(h, on=on)
    lines = list(claim.lines.order_by("id"))
    with clock(on):
        claims.line_decide(actor=h.bureau, line=lines[0], approve=True)
        for line in lines[1:]:
            claims.line_decide(actor=second, line=line, approve=True)
        notice = notices.claim_send_to_notice(actor=h.bureau, claim=claim)
    with clock(notice.ends_on + timedelta(days=1)):
        notices.claim_approve_after_notice(claim.pk)
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
