"""Claims: one per completed class and kind, submitted by the institution, decided line by line by the
county, returned and resubmitted, rejected for good, scoped, and appended to the ledger on approval."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from core.clock import replaying as clock
from core.errors import DomainError
from subsidies.models import (
    ClaimKind,
    ClaimStatus,
    LineStatus,
    Objection,
    Severity,
    SubsidyClaim,
    SubsidyStandard,
)
from subsidies.services import claims, follow_ups, notices, objections
from trainees.models import CertificateType, RecordSource, TrainingRecord
from trainees.services.certificates import certificate_add
from training.models import ClassStatus, EnrollmentResult
from training.services import classes, results

from .factories import (
    FindingFactory,
    SubsidyClaimFactory,
    World,
    bureau,
    claim_day,
    completed_class,
    level,
    make_standard,
    noticed_claim,
    review,
    user,
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


# --- scope --------------------------------------------------------------------------------------------------


@pytest.fixture
def scoped():
    """A verified claim with a claim-level warning and follow-ups, plus a claim in public notice with an
    objection: everything a service could be called on."""
    h = completed_class()
    claim = verified_claim(h)
    warning = FindingFactory(claim=claim, rule_code="CHECK_IN_BURST", severity=Severity.WARNING, message="同一考勤设备")
    calls = follow_ups.follow_ups_draw(actor=h.bureau, claim=claim, everyone=True)
    other = completed_class(World.make(), first=20, name="第二期")
    noticed, notice = noticed_claim(other)
    with clock(notice.published_at.date()):
        objection = objections.objection_file(
            notice=notice, text="此人未参加培训", contact_name="李四", contact_phone="13800000000"
        )
    return h, claim, warning, calls, noticed, objection


def services(h, claim, warning, calls, noticed, objection):
    line = claim.lines.first()
    return {
        "claim_create": lambda a: claims.claim_create(actor=a, training_class=h.training_class, kind="living"),
        "claim_submit": lambda a: claims.claim_submit(actor=a, claim=claim),
        "claim_reverify": lambda a: claims.claim_reverify(actor=a, claim=claim),
        "line_decide": lambda a: claims.line_decide(actor=a, line=line, approve=False, reason="不通过"),
        "claim_accept_warning": lambda a: claims.claim_accept_warning(actor=a, finding=warning, reason="接受"),
        "claim_return": lambda a: claims.claim_return(actor=a, claim=claim, reason="退回"),
        "claim_reject": lambda a: claims.claim_reject(actor=a, claim=claim, reason="不予补贴"),
        "claim_send_to_notice": lambda a: notices.claim_send_to_notice(actor=a, claim=claim),
        "objection_resolve": lambda a: objections.objection_resolve(
            actor=a, objection=objection, upheld=True, resolution="成立"
        ),
        "follow_ups_draw": lambda a: follow_ups.follow_ups_draw(actor=a, claim=noticed),
        "follow_up_record": lambda a: follow_ups.follow_up_record(actor=a, follow_up=calls[0], outcome="denies"),
    }


@pytest.mark.parametrize("who", ["another institution", "county 231281", "finance of the city", "province"])
def test_users_outside_the_claims_scope_are_refused_by_every_service(scoped, who):
    h, claim, warning, calls, noticed, objection = scoped
    actor = {
        "another institution": lambda: World.make().owner,
        "county 231281": lambda: bureau("231281"),
        "finance of the city": lambda: h.finance,
        "province": lambda: user("province", "23"),
    }[who]()
    allowed = []
    for name, call in services(h, claim, warning, calls, noticed, objection).items():
        try:
            with transaction.atomic():
                call(actor)
        except PermissionDenied:
            continue
        except Exception as exc:
            allowed.append(f"{name}: {type(exc).__name__}: {exc}")
        else:
            allowed.append(f"{name}: succeeded")
    assert allowed == []
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.VERIFIED and claim.lines.filter(status=LineStatus.PENDING).count() == 3
    assert Objection.objects.get(pk=objection.pk).status == Objection.Status.OPEN


def test_the_institution_cannot_decide_and_the_bureau_cannot_submit(scoped):
    h, claim, *_ = scoped
    with pytest.raises(PermissionDenied):
        claims.line_decide(actor=h.owner, line=claim.lines.first(), approve=True)
    with pytest.raises(PermissionDenied):
        claims.claim_create(actor=h.bureau, training_class=h.training_class, kind="living")
    with pytest.raises(PermissionDenied):
        claims.claim_submit(actor=h.bureau, claim=claim)


def test_city_staff_may_decide_their_counties_claims(scoped):
    _h, claim, *_ = scoped
    city = bureau("2312")
    line = claims.line_decide(actor=city, line=claim.lines.first(), approve=True)
    assert line.status == LineStatus.APPROVED


# --- approval into the ledger -------------------------------------------------------------------------------


def test_approval_appends_exactly_one_ledger_row_per_approved_line():
    h = completed_class(people=4, outcome=lambda n: EnrollmentResult.FAILED if n == 3 else EnrollmentResult.PASSED)
    cert = certificate_add(
        actor=h.bureau,
        trainee=h.trainees[0],
        type=CertificateType.SKILL_LEVEL,
        number="S2025000001",
        occupation=h.program.occupation,
        issuing_body="绥化市职业技能鉴定中心",
        issue_date=h.training_class.end_date,
    )
    with clock(h.training_class.end_date + timedelta(days=1)):
        results.enrollment_record_result(
            actor=h.owner, enrollment=h.enrollments[0], result=EnrollmentResult.PASSED, certificate=cert
        )
    claim, notice = noticed_claim(h)
    assert claim.lines.filter(status=LineStatus.APPROVED).count() == 3
    assert not TrainingRecord.objects.exists()

    with clock(notice.ends_on):  # the last day of the notice: not yet
        notices.claim_approve_after_notice(claim.pk)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PUBLIC_NOTICE and not TrainingRecord.objects.exists()

    with clock(notice.ends_on + timedelta(days=1)):
        notices.claim_approve_after_notice(claim.pk)
        notices.claim_approve_after_notice(claim.pk)  # a second run changes nothing
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    approved = list(claim.lines.filter(status=LineStatus.APPROVED).order_by("id"))
    rows = list(TrainingRecord.objects.order_by("trainee_id"))
    assert len(rows) == len(approved) == 3
    assert sorted(r.source_ref for r in rows) == sorted(f"claim-{claim.pk}-line-{line.pk}" for line in approved)
    tc = h.training_class
    for r in rows:
        assert r.source == RecordSource.CLAIM and r.subsidy_kind == "training"
        assert (r.occupation_id, r.skill_level_id, r.training_type_id) == (
            tc.program.occupation_id,
            tc.program.skill_level_id,
            tc.training_type_id,
        )
        assert (r.start_date, r.end_date, r.year, r.county_id, r.institution_id) == (
            tc.start_date,
            tc.end_date,
            tc.end_date.year,
            tc.county_id,
            tc.institution_id,
        )
        assert r.amount == Decimal("1000.00")
    assert TrainingRecord.objects.get(trainee=h.trainees[0]).certificate_number == "S2025000001"
    assert not TrainingRecord.objects.filter(trainee=h.trainees[3]).exists()
    assert claim.approved_amount == Decimal("3000.00")
    notice.refresh_from_db()
    assert notice.closed_at is not None


def test_an_approved_claims_people_are_duplicates_for_the_next_claim():
    first = completed_class()
    claim, notice = noticed_claim(first)
    with clock(notice.ends_on + timedelta(days=1)):
        notices.claim_approve_after_notice(claim.pk)
    # the same people, same occupation and level, at another institution later in the year
    again = completed_class(World.make(), start=date(2025, 6, 2))
    later = verified_claim(again)
    assert later.findings.filter(rule_code="DUPLICATE_OCCUPATION_LEVEL").count() == 3
    assert SubsidyStandard.objects.count() == 1
