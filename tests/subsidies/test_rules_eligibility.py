"""The verification rules on who and what may be subsidized, each with a case where it finds something and a
case where it does not, built through the services: a clean class finds nothing; then the person (age,
pension, category, result), the class (designated institution, listed program, approval before the start,
hours) and attendance (the region's threshold, the minimum hours of a day paid by the day)."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import TraineeCategory
from core.clock import replaying as clock
from institutions.models import InstitutionStatus, ProgramStatus
from institutions.services.institutions import institution_transition
from institutions.services.programs import program_set_status
from subsidies.models import CategoryEligibility, Severity
from subsidies.services import claims
from trainees.services.people import trainee_update_contact
from training.models import EnrollmentResult, TrainingClass

from ..institutions.factories import DesignatedInstitutionFactory, occupation
from ..trainees.factories import make_id
from ..training.factories import row
from .factories import (
    AFTERNOON,
    MORNING,
    START,
    World,
    codes,
    completed_class,
    findings,
    level,
    make_standard,
    make_standard_row,
    verified_claim,
)
from .rule_kit import claim_level_codes, county_setting, covers, line_codes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


# --- a clean class finds nothing ----------------------------------------------------------------------------


def test_a_clean_class_has_no_findings():
    h = completed_class()
    claim = verified_claim(h)
    assert claim.lines.count() == 3
    assert claim.requested_amount == Decimal("3000.00")
    assert findings(claim) == []


# --- who may be subsidized ----------------------------------------------------------------------------------


@covers("AGE_UNDER_16")
def test_age_under_16_at_the_start_is_found_and_16_on_the_start_day_is_not():
    # The roster is checked while the class starts on 2025-03-10 (both are 16 then); the class is then moved
    # forward to 2025-03-03, when one of them is still 15.
    roster = [
        row(0, 身份证号码=make_id("231202", date(2009, 3, 4), seq=11)),  # 15 on 2025-03-03
        row(1, 身份证号码=make_id("231202", date(2009, 3, 3), seq=13)),  # 16 exactly on 2025-03-03
    ]
    h = completed_class(roster=roster, roster_start=START + timedelta(days=7))
    claim = verified_claim(h)
    assert "AGE_UNDER_16" in line_codes(claim, h, 0)
    assert "AGE_UNDER_16" not in line_codes(claim, h, 1)
    (finding,) = findings(claim, "AGE_UNDER_16")
    assert finding.severity == Severity.BLOCKING
    assert finding.inputs == {"class_start": "2025-03-03", "age": 15}  # no birth date beside the mask


@covers("DRAWS_PENSION")
def test_a_person_drawing_a_pension_is_found():
    h = completed_class()
    trainee_update_contact(actor=h.bureau, trainee=h.trainees[0], draws_pension=True)
    claim = verified_claim(h)
    assert "DRAWS_PENSION" in line_codes(claim, h, 0)
    assert "DRAWS_PENSION" not in line_codes(claim, h, 1) | line_codes(claim, h, 2)


@covers("CATEGORY_NOT_ELIGIBLE")
def test_a_category_the_training_type_does_not_subsidize_is_found():
    h = completed_class(roster=[row(0, 人员类别="农民工"), row(1, 人员类别="企业职工")])
    CategoryEligibility.objects.create(
        training_type=h.training_class.training_type, category=TraineeCategory.objects.get(code="enterprise_worker")
    )
    claim = verified_claim(h)
    assert "CATEGORY_NOT_ELIGIBLE" in line_codes(claim, h, 0)
    assert "CATEGORY_NOT_ELIGIBLE" not in line_codes(claim, h, 1)


def test_a_training_type_without_eligibility_rows_accepts_every_category():
    h = completed_class(roster=[row(0, 人员类别="农民工"), row(1, 人员类别="企业职工")])
    # Rows for another training type do not restrict this one.
    CategoryEligibility.objects.create(
        training_type=h.training_class.training_type.__class__.objects.get(code="skill_upgrade"),
        category=TraineeCategory.objects.get(code="enterprise_worker"),
    )
    claim = verified_claim(h)
    assert "CATEGORY_NOT_ELIGIBLE" not in codes(claim)


@covers("NOT_PASSED")
def test_only_passed_people_pass_not_passed():
    results = [EnrollmentResult.PASSED, EnrollmentResult.FAILED, EnrollmentResult.PENDING]
    h = completed_class(outcome=lambda n: results[n])
    claim = verified_claim(h)
    assert "NOT_PASSED" not in line_codes(claim, h, 0)
    assert "NOT_PASSED" in line_codes(claim, h, 1)
    assert "NOT_PASSED" in line_codes(claim, h, 2)
    assert sorted(f.inputs["result"] for f in findings(claim, "NOT_PASSED")) == ["failed", "pending"]


# --- the class: directories, approval, hours ----------------------------------------------------------------


@covers("INSTITUTION_NOT_DESIGNATED")
@pytest.mark.parametrize(("suspended_after_end", "found"), [(False, True), (True, False)])
def test_an_institution_suspended_during_the_training_is_found(suspended_after_end, found):
    h = completed_class()
    tc = h.training_class
    effective = tc.end_date + timedelta(days=1) if suspended_after_end else tc.end_date
    with clock(tc.end_date + timedelta(days=2)):
        institution_transition(
            actor=h.bureau,
            institution=h.institution,
            to_status=InstitutionStatus.SUSPENDED,
            reason="年度检查不合格",
            effective_date=effective,
        )
    claim = verified_claim(h)
    assert ("INSTITUTION_NOT_DESIGNATED" in claim_level_codes(claim)) is found


@covers("PROGRAM_NOT_LISTED")
@pytest.mark.parametrize(("delisted_after_end", "found"), [(False, True), (True, False)])
def test_a_program_delisted_during_the_training_is_found(delisted_after_end, found):
    h = completed_class()
    tc = h.training_class
    effective = tc.end_date + timedelta(days=1) if delisted_after_end else tc.end_date
    with clock(tc.end_date + timedelta(days=2)):
        program_set_status(
            actor=h.bureau,
            program=h.program,
            to_status=ProgramStatus.DELISTED,
            reason="移出目录",
            effective_date=effective,
        )
    claim = verified_claim(h)
    assert ("PROGRAM_NOT_LISTED" in claim_level_codes(claim)) is found


@covers("NOT_APPROVED_BEFORE_START")
@pytest.mark.parametrize(
    ("approved_at", "found"),
    [
        ((START - timedelta(days=1), time(23, 30)), False),  # the evening before: in time
        ((START, time(0, 10)), True),  # just after midnight on the start day (local time)
        (None, True),  # a change request cleared the approval
    ],
)
def test_an_approval_on_or_after_the_start_day_is_found(approved_at, found):
    """The services refuse to approve on or after the start day; the rule must still catch a class whose
    recorded approval is not before the start (a migrated or tampered row), so the row is set directly."""
    h = completed_class()
    value = timezone.make_aware(datetime.combine(*approved_at)) if approved_at else None
    TrainingClass.objects.filter(pk=h.training_class.pk).update(approved_at=value)
    claim = verified_claim(h)
    assert ("NOT_APPROVED_BEFORE_START" in claim_level_codes(claim)) is found


def test_a_class_approved_through_the_service_is_approved_before_start():
    h = completed_class()
    assert timezone.localtime(h.training_class.approved_at).date() == START - timedelta(days=10)
    assert "NOT_APPROVED_BEFORE_START" not in codes(verified_claim(h))


@covers("HOURS_BELOW_STANDARD")
def test_a_timetable_shorter_than_the_program_hours_is_found():
    """Approval requires the timetable to equal the program's hours; the program's hours are raised
    afterwards (directly: no service edits hours) so the timetable falls short."""
    h = completed_class()
    claim = verified_claim(h)
    assert "HOURS_BELOW_STANDARD" not in codes(claim)
    type(h.program).objects.filter(pk=h.program.pk).update(practice_hours=8)
    claims.claim_verify(claim.pk)
    (finding,) = findings(claim, "HOURS_BELOW_STANDARD")
    assert finding.line_id is None and finding.inputs == {"scheduled": 12, "standard": 14}


# --- attendance ---------------------------------------------------------------------------------------------


@covers("ATTENDANCE_BELOW_THRESHOLD")
def test_attendance_below_the_regions_threshold_is_found():
    # person 0 misses the last of the 4 sessions of 3 hours: 9/12 = 75 % < 80 %
    h = completed_class(attend=lambda person, session: not (person == 0 and session == 3))
    claim = verified_claim(h)
    assert "ATTENDANCE_BELOW_THRESHOLD" in line_codes(claim, h, 0)
    assert "ATTENDANCE_BELOW_THRESHOLD" not in line_codes(claim, h, 1) | line_codes(claim, h, 2)
    (finding,) = findings(claim, "ATTENDANCE_BELOW_THRESHOLD")
    assert finding.inputs == {"attended_hours": 9, "scheduled_hours": 12, "rate": "0.7500", "threshold": "0.80"}


def test_attendance_equal_to_a_lower_county_threshold_is_not_found():
    county_setting(attendance_threshold=Decimal("0.75"))
    h = completed_class(attend=lambda person, session: not (person == 0 and session == 3))
    assert "ATTENDANCE_BELOW_THRESHOLD" not in codes(verified_claim(h))


@covers("SCHEDULED_DAY_BELOW_MIN_HOURS")
def test_timetable_days_below_the_per_day_minimum_are_found_for_a_per_day_standard():
    make_standard("2312", basis="per_day", amount=100, min_hours_per_day=6, skill_level=level("level5"))
    # 6 + 3 + 3 hours over three days: only the first can be paid by the day
    h = completed_class(days=[[MORNING, AFTERNOON], [MORNING], [AFTERNOON]])
    claim = verified_claim(h)
    assert claim.standard.basis == "per_day"
    (finding,) = findings(claim, "SCHEDULED_DAY_BELOW_MIN_HOURS")
    assert finding.line_id is None and finding.severity == Severity.WARNING
    assert finding.inputs == {"days": ["2025-03-04", "2025-03-05"], "min_hours_per_day": 6}
    assert {line.amount for line in claim.lines.all()} == {Decimal("100.00")}


def test_full_days_under_a_per_day_standard_and_short_days_under_a_per_person_standard_are_not_found():
    make_standard("2312", basis="per_day", amount=100, min_hours_per_day=6, skill_level=level("level5"))
    full = completed_class()
    assert "SCHEDULED_DAY_BELOW_MIN_HOURS" not in codes(verified_claim(full))
    # A county per-person standard for another occupation beats the city's per-day one.
    per_person = World.make(DesignatedInstitutionFactory(), occupation=occupation(1))
    make_standard_row("231202", amount=1000, skill_level=level("level5"), occupation=occupation(1))
    short = completed_class(per_person, days=[[MORNING, AFTERNOON], [MORNING], [AFTERNOON]], first=10)
    claim = verified_claim(short)
    assert claim.standard.basis == "per_person"
    assert "SCHEDULED_DAY_BELOW_MIN_HOURS" not in codes(claim)
