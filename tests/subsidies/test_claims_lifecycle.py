"""A claim from creation to the notice: one per completed class and kind (a standard must apply), submitted
by the institution and verified after commit (a lost task is sent again), decided line by line by the county
(blocking findings refused, warnings accepted with a written reason), returned and resubmitted, or rejected
for good."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from core.clock import replaying as clock
from core.errors import DomainError
from subsidies.models import ClaimKind, ClaimStatus, LineStatus, Severity, SubsidyClaim
from subsidies.services import claims, notices
from training.models import ClassStatus, EnrollmentResult
from training.services import classes, results

from .factories import (
    FindingFactory,
    SubsidyClaimFactory,
    World,
    claim_day,
    completed_class,
    level,
    make_standard,
    review,
    verified_claim,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def statuses(claim) -> list[str]:
    # In order of recording: the tests mix clocked (past) and real timestamps.
    return list(claim.status_changes.order_by("id").values_list("to_status", flat=True))


# --- creation -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("until", [ClassStatus.APPROVED, ClassStatus.IN_TRAINING])
def test_a_claim_is_refused_before_the_class_is_completed(until):
    h = completed_class(until=until)
    with clock(h.training_class.end_date), pytest.raises(DomainError, match="结业后才能申请补贴"):
        claims.claim_create(actor=h.owner, training_class=h.training_class)
    assert not SubsidyClaim.objects.exists()


def test_a_claim_for_a_completed_or_closed_class_has_one_line_per_person():
    h = completed_class(people=4)
    claim = verified_claim(h)
    assert claim.lines.count() == 4 and claim.standard is not None
    assert set(claim.lines.values_list("trainee_id", flat=True)) == {t.pk for t in h.trainees}
    assert statuses(claim) == ["draft", "submitted", "verifying", "verified"]
    closed = completed_class(World.make(), first=10)
    with clock(closed.training_class.end_date + timedelta(days=30)):
        classes.class_transition(
            actor=closed.bureau, training_class=closed.training_class, to_status=ClassStatus.CLOSED, reason="结班"
        )
    assert verified_claim(closed, on=closed.training_class.end_date + timedelta(days=31)).lines.count() == 3


def test_a_claim_without_an_applicable_standard_is_refused():
    h = completed_class(standard=None)
    with clock(claim_day(h)), pytest.raises(DomainError, match="没有适用于该培训班的补贴标准"):
        claims.claim_create(actor=h.owner, training_class=h.training_class)


def test_a_second_claim_of_the_same_kind_is_refused_and_another_kind_is_allowed():
    h = completed_class()
    first = verified_claim(h)
    with clock(claim_day(h)), pytest.raises(DomainError, match="不能重复申请"):
        claims.claim_create(actor=h.owner, training_class=h.training_class)
    make_standard("23", claim_kind="living", basis="per_day", amount=25, min_hours_per_day=1, skill_level=level())
    with clock(claim_day(h)):
        living = claims.claim_create(actor=h.owner, training_class=h.training_class, kind=ClaimKind.LIVING)
    assert living.requested_amount == Decimal("150.00")  # 3 people × 2 days × 25 yuan
    assert living.pk != first.pk
    # the database refuses it too, whoever writes
    with pytest.raises(IntegrityError, match="one_claim_per_class_and_kind"), transaction.atomic():
        SubsidyClaimFactory(training_class=h.training_class, kind=ClaimKind.TRAINING, created_by=h.owner)


def test_a_rejected_claim_cannot_be_resubmitted_or_claimed_again():
    h = completed_class()
    claim = verified_claim(h)
    with pytest.raises(DomainError, match="请填写理由"):
        claims.claim_reject(actor=h.bureau, claim=claim, reason="  ")
    claims.claim_reject(actor=h.bureau, claim=claim, reason="培训期间机构停业，材料不实")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED
    assert set(claim.lines.values_list("status", flat=True)) == {LineStatus.REJECTED}
    with pytest.raises(DomainError, match="不能提交"):
        claims.claim_submit(actor=h.owner, claim=claim)
    with pytest.raises(DomainError, match="不能重复申请"):
        claims.claim_create(actor=h.owner, training_class=h.training_class)
    for action in (claims.claim_return, claims.claim_reject):
        with pytest.raises(DomainError):
            action(actor=h.bureau, claim=claim, reason="再次处理")
    claims.claim_verify(claim.pk)  # a late verification task leaves a rejected claim alone
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED


def test_verification_leaves_a_draft_alone():
    h = completed_class()
    with clock(claim_day(h)):
        claim = claims.claim_create(actor=h.owner, training_class=h.training_class)
    claims.claim_verify(claim.pk)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DRAFT and claim.verified_at is None


def test_submission_queues_the_verification_after_commit(django_capture_on_commit_callbacks):
    h = completed_class(outcome=lambda n: EnrollmentResult.FAILED if n == 0 else EnrollmentResult.PASSED)
    with clock(claim_day(h)):
        claim = claims.claim_create(actor=h.owner, training_class=h.training_class)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            claims.claim_submit(actor=h.owner, claim=claim)
    assert len(callbacks) == 1
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.VERIFIED
    assert claim.findings.filter(rule_code="NOT_PASSED").count() == 1


def test_a_verification_whose_task_was_lost_is_sent_again_by_the_sweeper():
    """The task is queued on commit; a test's transaction never commits, which is what a lost task looks
    like: the claim stays in 'verifying'. The beat task re-sends claims stuck there for over 5 minutes."""
    from django.utils import timezone

    from subsidies.tasks import requeue_stuck_verifications

    h = completed_class()
    with clock(claim_day(h)):
        claim = claims.claim_create(actor=h.owner, training_class=h.training_class)
        claims.claim_submit(actor=h.owner, claim=claim)
    claim.refresh_from_db()
    submitted = claim.submitted_at
    with clock(timezone.localdate(submitted), (timezone.localtime(submitted) + timedelta(minutes=4)).time()):
        assert requeue_stuck_verifications() == 0  # 4 minutes: not yet
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.VERIFYING
    with clock(timezone.localdate(submitted), (timezone.localtime(submitted) + timedelta(minutes=6)).time()):
        assert requeue_stuck_verifications() == 1  # runs inline in the tests
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.VERIFIED
    assert requeue_stuck_verifications() == 0


# --- line decisions -----------------------------------------------------------------------------------------


@pytest.fixture
def mixed():
    """Person 0 failed (blocking NOT_PASSED), persons 1 and 2 share a phone with a third person (warnings),
    person 3 is clean."""
    from ..trainees.factories import make_id, register
    from ..training.factories import row

    phone = "13912345678"
    register(make_id("231221", date(1975, 5, 5), seq=21), name="赵某某", county_code="231221", phone=phone)
    h = completed_class(
        roster=[row(0), row(1, 手机号码=phone), row(2, 手机号码=phone), row(3)],
        outcome=lambda n: EnrollmentResult.FAILED if n == 0 else EnrollmentResult.PASSED,
    )
    claim = verified_claim(h)
    lines = [claim.lines.get(enrollment=e) for e in h.enrollments]
    return h, claim, lines


def test_a_line_with_a_blocking_finding_cannot_be_approved_but_can_be_rejected_with_a_reason(mixed):
    h, _claim, lines = mixed
    assert lines[0].findings.filter(severity=Severity.BLOCKING).exists()
    with pytest.raises(DomainError, match="阻断性问题"):
        claims.line_decide(actor=h.bureau, line=lines[0], approve=True, reason="领导同意")
    with pytest.raises(DomainError, match="不通过须填写理由"):
        claims.line_decide(actor=h.bureau, line=lines[0], approve=False)
    line = claims.line_decide(actor=h.bureau, line=lines[0], approve=False, reason="考核不合格")
    assert (line.status, line.decision_reason) == (LineStatus.REJECTED, "考核不合格")


def test_a_line_with_a_warning_needs_a_written_reason_which_accepts_the_warning(mixed):
    h, claim, lines = mixed
    with pytest.raises(DomainError, match="须填写接受理由") as caught:
        claims.line_decide(actor=h.bureau, line=lines[1], approve=True, reason="   ")
    assert caught.value.field == "reason"
    lines[1].refresh_from_db()
    assert lines[1].status == LineStatus.PENDING
    claims.line_decide(actor=h.bureau, line=lines[1], approve=True, reason="电话核实：夫妻共用手机")
    warning = lines[1].findings.get(rule_code="SHARED_PHONE")
    assert (warning.accepted_reason, warning.accepted_by) == ("电话核实：夫妻共用手机", h.bureau)
    # a clean line needs no reason
    assert claims.line_decide(actor=h.bureau, line=lines[3], approve=True).status == LineStatus.APPROVED
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW and claim.reviewed_by == h.bureau


def test_a_claim_level_blocking_finding_cannot_be_accepted_and_blocks_the_notice(mixed):
    h, claim, _lines = mixed
    blocking = FindingFactory(
        claim=claim, rule_code="NOT_APPROVED_BEFORE_START", severity=Severity.BLOCKING, message="开班前未经审批"
    )
    with pytest.raises(DomainError, match="阻断性问题不能接受"):
        claims.claim_accept_warning(actor=h.bureau, finding=blocking, reason="同意")
    review(h.bureau, claim)
    with pytest.raises(DomainError, match="阻断性问题，不能公示"):
        notices.claim_send_to_notice(actor=h.bureau, claim=claim)


def test_lines_cannot_be_decided_before_verification():
    h = completed_class()
    with clock(claim_day(h)):
        claim = claims.claim_create(actor=h.owner, training_class=h.training_class)
        claims.claim_submit(actor=h.owner, claim=claim)
    with pytest.raises(DomainError, match="核验完成"):
        claims.line_decide(actor=h.bureau, line=claim.lines.first(), approve=True)


def test_the_notice_needs_every_line_decided_and_at_least_one_approved(mixed):
    h, claim, lines = mixed
    claims.line_decide(actor=h.bureau, line=lines[3], approve=True)
    with pytest.raises(DomainError, match="还有人员未审核"):
        notices.claim_send_to_notice(actor=h.bureau, claim=claim)
    for line in lines:
        claims.line_decide(actor=h.bureau, line=line, approve=False, reason="材料不全")
    with pytest.raises(DomainError, match="没有审核通过的人员"):
        notices.claim_send_to_notice(actor=h.bureau, claim=claim)


# --- return and resubmission --------------------------------------------------------------------------------


def test_a_returned_claim_is_resubmitted_and_verified_again(mixed):
    h, claim, lines = mixed
    claims.line_decide(actor=h.bureau, line=lines[3], approve=True)
    with pytest.raises(DomainError, match="退回须填写理由"):
        claims.claim_return(actor=h.bureau, claim=claim, reason="")
    claims.claim_return(actor=h.bureau, claim=claim, reason="请补充考核记录")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.RETURNED
    assert set(claim.lines.values_list("status", flat=True)) == {LineStatus.PENDING}
    assert claim.status_changes.get(to_status=ClaimStatus.RETURNED).reason == "请补充考核记录"
    with pytest.raises(DomainError):
        claims.line_decide(actor=h.bureau, line=lines[3], approve=True)

    # the institution re-records the failed person after a make-up exam and resubmits
    with clock(claim_day(h, 5)):
        results.enrollment_record_result(actor=h.owner, enrollment=h.enrollments[0], result=EnrollmentResult.PASSED)
        claims.claim_submit(actor=h.owner, claim=claim)
    claims.claim_verify(claim.pk)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.VERIFIED
    assert not claim.findings.filter(rule_code="NOT_PASSED").exists()
    assert statuses(claim) == [
        "draft",
        "submitted",
        "verifying",
        "verified",
        "under_review",
        "returned",
        "resubmitted",
        "verifying",
        "verified",
    ]
    with pytest.raises(DomainError, match="不能提交"):
        claims.claim_submit(actor=h.owner, claim=claim)
