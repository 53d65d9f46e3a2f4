"""Approval after the public notice appends exactly one ledger row per approved line (not before the notice
ends, and only once), with the class's occupation, level, dates and amount; those people are then
duplicates for the next claim."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from core.clock import replaying as clock
from subsidies.models import ClaimStatus, LineStatus, SubsidyStandard
from subsidies.services import notices
from trainees.models import CertificateType, RecordSource, TrainingRecord
from trainees.services.certificates import certificate_add
from training.models import EnrollmentResult
from training.services import results

from .factories import World, completed_class, noticed_claim, verified_claim

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


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
