"""The verification rules: for every rule code in REGISTRY a case where it finds something and a case where
it does not, each built through the services (a rule that is broken fails its positive or negative test).
Then the findings themselves: version and inputs, idempotent re-verification, accepted warnings, and a
query count that does not grow with the number of lines."""

import csv
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Region, TraineeCategory
from core.clock import replaying as clock
from institutions.models import InstitutionStatus, ProgramStatus
from institutions.services.institutions import institution_transition
from institutions.services.programs import program_set_status
from subsidies import rules
from subsidies.models import CategoryEligibility, ClaimStatus, Finding, RegionSetting, Severity
from subsidies.services import claims, follow_ups
from trainees.history_rows import COLUMNS as HISTORY_COLUMNS
from trainees.models import RecordSource, SubsidyKind
from trainees.services.history import history_import
from trainees.services.people import trainee_update_contact
from training.models import EnrollmentResult, TrainingClass

from ..institutions.factories import DesignatedInstitutionFactory, occupation
from ..trainees.factories import add_record, make_id, register
from ..training.factories import row
from .factories import (
    AFTERNOON,
    EVENING,
    MORNING,
    START,
    World,
    codes,
    completed_class,
    findings,
    level,
    make_standard,
    verified_claim,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

TESTED = set()


def covers(*codes_):
    """Marks the rule codes a test exercises; test_every_registered_rule_has_a_test checks the registry."""
    TESTED.update(codes_)

    def mark(f):
        return f

    return mark


def line_codes(claim, h, n) -> set[str]:
    """Rule codes found on the line of person n (enrollment order)."""
    line = claim.lines.get(enrollment=h.enrollments[n])
    return codes(claim, line=line)


def claim_level_codes(claim) -> set[str]:
    return set(claim.findings.filter(line__isnull=True).values_list("rule_code", flat=True))


def county_setting(code="231202", **kw) -> RegionSetting:
    return RegionSetting.objects.create(region=Region.objects.get(code=code), **kw)


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
    make_standard("231202", amount=1000, skill_level=level("level5"), occupation=occupation(1))
    short = completed_class(per_person, days=[[MORNING, AFTERNOON], [MORNING], [AFTERNOON]], first=10)
    claim = verified_claim(short)
    assert claim.standard.basis == "per_person"
    assert "SCHEDULED_DAY_BELOW_MIN_HOURS" not in codes(claim)


# --- against the ledger -------------------------------------------------------------------------------------


def record(h, n, ref, **kw):
    """A ledger row for person n: same occupation and level as the class unless told otherwise."""
    kw.setdefault("occupation", h.program.occupation)
    kw.setdefault("skill_level", level("level5"))
    return add_record(h.trainees[n], ref=ref, **kw)


def import_history(tmp_path, h, n, *, amount="1000", start="2021-05-10", end="2021-05-28", level_name="初级工"):
    """The person's earlier training arrives through the real history migration (a CSV)."""
    path = tmp_path / "history.csv"
    trainee = h.trainees[n]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HISTORY_COLUMNS)
        writer.writerow(
            [
                trainee.id_number,
                trainee.name,
                h.program.occupation.code,
                level_name,
                "就业技能培训",
                start,
                end,
                "230102",
                "",
                amount,
                "",
            ]
        )
    report = history_import(path=path, workers=1, today=date(2026, 1, 1))
    assert report.records_created == 1 and not report.rejects


@covers("DUPLICATE_OCCUPATION_LEVEL")
@pytest.mark.parametrize(
    "where",
    ["another institution", "another region", "an earlier year", "a migrated history row (add_record)"],
)
def test_the_same_occupation_and_level_subsidized_before_is_found_anywhere(where):
    h = completed_class()
    other = DesignatedInstitutionFactory(county=Region.objects.get(code="231281"))
    kw = {
        "another institution": {"institution": other, "county_code": "231281"},
        "another region": {"county_code": "230102"},
        "an earlier year": {"start_date": date(2019, 4, 1), "end_date": date(2019, 4, 20)},
        "a migrated history row (add_record)": {
            "source": RecordSource.HISTORY,
            "start_date": date(2018, 6, 1),
            "end_date": date(2018, 6, 20),
        },
    }[where]
    record(h, 0, "earlier-1", **kw)
    claim = verified_claim(h)
    assert "DUPLICATE_OCCUPATION_LEVEL" in line_codes(claim, h, 0)
    assert "DUPLICATE_OCCUPATION_LEVEL" not in line_codes(claim, h, 1) | line_codes(claim, h, 2)


def test_a_duplicate_from_the_history_migration_is_found(tmp_path):
    h = completed_class()
    import_history(tmp_path, h, 0)
    claim = verified_claim(h)
    (finding,) = findings(claim, "DUPLICATE_OCCUPATION_LEVEL")
    assert finding.line.enrollment == h.enrollments[0]
    assert finding.inputs["earlier"][0]["year"] == 2021


def test_an_unpaid_history_row_is_not_a_duplicate(tmp_path):
    h = completed_class()
    import_history(tmp_path, h, 0, amount="0")  # migrated as subsidy kind "none"
    assert "DUPLICATE_OCCUPATION_LEVEL" not in codes(verified_claim(h))


@pytest.mark.parametrize(
    "change",
    [
        {"occupation": "other"},  # another occupation, same level
        {"subsidy_kind": SubsidyKind.NONE},  # trained without a subsidy
    ],
)
def test_other_occupations_and_unsubsidized_trainings_are_not_duplicates(change):
    h = completed_class()
    kw = dict(change)
    if kw.get("occupation") == "other":
        kw["occupation"] = occupation(1)
    record(h, 0, "earlier-1", **kw)
    assert "DUPLICATE_OCCUPATION_LEVEL" not in codes(verified_claim(h))


@covers("LOWER_LEVEL_AFTER_HIGHER")
def test_a_lower_level_after_a_higher_one_of_the_same_occupation_is_found():
    h = completed_class()
    record(h, 0, "higher", skill_level=level("level4"))  # 中级工 (rank 3) before this 初级工 (rank 2)
    record(h, 1, "higher-other-occupation", skill_level=level("level4"), occupation=occupation(1))
    record(h, 2, "lower", skill_level=level("apprentice"))  # 学徒工 (rank 1): lower, allowed
    claim = verified_claim(h)
    assert "LOWER_LEVEL_AFTER_HIGHER" in line_codes(claim, h, 0)
    assert "LOWER_LEVEL_AFTER_HIGHER" not in line_codes(claim, h, 1)
    assert not {"LOWER_LEVEL_AFTER_HIGHER", "DUPLICATE_OCCUPATION_LEVEL"} & line_codes(claim, h, 2)
    (finding,) = findings(claim, "LOWER_LEVEL_AFTER_HIGHER")
    assert finding.inputs == {"higher_levels": [3], "this_level": 2}


@covers("YEARLY_LIMIT")
def test_the_yearly_limit_comes_from_the_region_setting():
    county_setting(yearly_limit_training=1)
    h = completed_class()
    record(h, 0, "this-year", occupation=occupation(1), start_date=date(2025, 1, 6), end_date=date(2025, 1, 20))
    record(h, 1, "last-year", occupation=occupation(1), start_date=date(2024, 11, 4), end_date=date(2024, 11, 22))
    claim = verified_claim(h)
    assert "YEARLY_LIMIT" in line_codes(claim, h, 0)
    assert "YEARLY_LIMIT" not in line_codes(claim, h, 1) | line_codes(claim, h, 2)
    (finding,) = findings(claim, "YEARLY_LIMIT")
    assert finding.inputs == {"year": 2025, "count": 1, "limit": 1}


def test_the_default_yearly_limit_is_three():
    h = completed_class()
    for i in range(3):  # person 0: three this year; person 1: two
        record(h, 0, f"p0-{i}", occupation=occupation(i + 1), start_date=date(2025, 1, 6), end_date=date(2025, 1, 20))
    for i in range(2):
        record(h, 1, f"p1-{i}", occupation=occupation(i + 1), start_date=date(2025, 1, 6), end_date=date(2025, 1, 20))
    claim = verified_claim(h)
    assert "YEARLY_LIMIT" in line_codes(claim, h, 0)
    assert "YEARLY_LIMIT" not in line_codes(claim, h, 1)


@covers("TIME_OVERLAP")
def test_another_class_attended_at_overlapping_times_is_found():
    first = completed_class(name="甲机构养老护理员班")
    second_world = World.make(DesignatedInstitutionFactory())
    # person 0 of the first class is also on the second class's roster, same days and hours; both check in.
    roster = [row(0), row(50), row(51)]
    second = completed_class(second_world, roster=roster, name="乙机构养老护理员班")
    claim = verified_claim(second)
    assert "TIME_OVERLAP" in line_codes(claim, second, 0)
    assert "TIME_OVERLAP" not in line_codes(claim, second, 1) | line_codes(claim, second, 2)
    (finding,) = findings(claim, "TIME_OVERLAP")
    assert finding.inputs == {"classes": ["甲机构养老护理员班"]}
    assert "TIME_OVERLAP" in line_codes(verified_claim(first), first, 0)


def test_another_class_at_other_hours_or_without_check_ins_is_not_an_overlap():
    day = completed_class(name="白天班")
    # Person 0 also trains in the evening on the same days (4 evenings of 3 hours): no overlap.
    evening = completed_class(
        World.make(DesignatedInstitutionFactory()), roster=[row(0), row(60)], days=[[EVENING]] * 4, name="晚班"
    )
    # Person 1 is on another roster at the same hours but never checked in there: no overlap either.
    completed_class(
        World.make(DesignatedInstitutionFactory()),
        roster=[row(1), row(61)],
        attend=lambda person, session: person != 0,
        name="缺勤班",
    )
    assert "TIME_OVERLAP" not in codes(verified_claim(evening))
    assert "TIME_OVERLAP" not in codes(verified_claim(day))


# --- phone follow-up ----------------------------------------------------------------------------------------


@covers("PHONE_FOLLOW_UP_DENIED")
def test_a_denial_on_the_phone_is_found_and_a_confirmation_is_not():
    h = completed_class()
    claim = verified_claim(h)
    calls = follow_ups.follow_ups_draw(actor=h.bureau, claim=claim, everyone=True)
    by_line = {c.line.enrollment_id: c for c in calls}
    follow_ups.follow_up_record(actor=h.bureau, follow_up=by_line[h.enrollments[0].pk], outcome="denies")
    follow_ups.follow_up_record(actor=h.bureau, follow_up=by_line[h.enrollments[1].pk], outcome="confirms")
    claims.claim_verify(claim.pk)
    assert "PHONE_FOLLOW_UP_DENIED" in line_codes(claim, h, 0)
    assert "PHONE_FOLLOW_UP_DENIED" not in line_codes(claim, h, 1) | line_codes(claim, h, 2)
    assert findings(claim, "PHONE_FOLLOW_UP_DENIED")[0].severity == Severity.BLOCKING


# --- fraud signals (warnings) -------------------------------------------------------------------------------


@covers("SHARED_PHONE")
def test_three_people_with_one_phone_are_found_counting_the_whole_register():
    phone = "13912345678"
    # two on this class share the phone with a third person registered elsewhere; person 2 has their own
    register(make_id("231221", date(1975, 5, 5), seq=21), name="赵某某", county_code="231221", phone=phone)
    h = completed_class(roster=[row(0, 手机号码=phone), row(1, 手机号码=phone), row(2)])
    claim = verified_claim(h)
    assert "SHARED_PHONE" in line_codes(claim, h, 0) & line_codes(claim, h, 1)
    assert "SHARED_PHONE" not in line_codes(claim, h, 2)
    assert {f.inputs["people_with_this_phone"] for f in findings(claim, "SHARED_PHONE")} == {3}
    assert all(f.severity == Severity.WARNING for f in findings(claim, "SHARED_PHONE"))


def test_two_people_with_one_phone_are_not_found():
    phone = "13912345678"
    h = completed_class(roster=[row(0, 手机号码=phone), row(1, 手机号码=phone), row(2)])
    assert "SHARED_PHONE" not in codes(verified_claim(h))


@covers("CHECK_IN_BURST")
def test_ten_check_ins_within_seconds_on_one_device_are_found():
    h = completed_class(people=10, spacing=1)
    claim = verified_claim(h)
    burst = findings(claim, "CHECK_IN_BURST")
    assert len(burst) == 1 and burst[0].line_id is None
    assert burst[0].inputs["bursts"][0]["count"] == 10
    assert burst[0].inputs["bursts"][0]["device"] == h.world.device.pk


@pytest.mark.parametrize(("people", "spacing"), [(10, 17), (10, 2), (9, 1)])
def test_check_ins_spread_out_or_fewer_than_ten_are_not_a_burst(people, spacing):
    h = completed_class(people=people, spacing=spacing)
    assert "CHECK_IN_BURST" not in codes(verified_claim(h))


def edge_roster(young: int, old: int, total: int = 10) -> list[list]:
    """`young` people aged 17 and `old` aged 61 on 2025-03-03, the rest from the ordinary pool."""
    data = [row(n, 身份证号码=make_id("231202", date(2007, 6, 1), seq=100 + n)) for n in range(young)]
    data += [row(20 + n, 身份证号码=make_id("231202", date(1963, 6, 1), seq=200 + n)) for n in range(old)]
    data += [row(40 + n) for n in range(total - young - old)]
    return data


@covers("AGE_CLUSTER")
def test_half_the_class_at_the_age_edges_is_found():
    h = completed_class(roster=edge_roster(young=3, old=2))
    claim = verified_claim(h)
    (finding,) = findings(claim, "AGE_CLUSTER")
    assert finding.inputs == {"at_edges": 5, "lines": 10}
    assert "AGE_UNDER_16" not in codes(claim)


@pytest.mark.parametrize(("young", "old", "total"), [(2, 2, 10), (3, 2, 5)])
def test_fewer_than_half_at_the_edges_or_fewer_than_ten_people_is_not_found(young, old, total):
    h = completed_class(roster=edge_roster(young=young, old=old, total=total))
    assert "AGE_CLUSTER" not in codes(verified_claim(h))


@covers("PASS_RATE_VS_ATTENDANCE")
def test_everyone_passing_with_attendance_at_the_threshold_is_found():
    county_setting(attendance_threshold=Decimal("0.75"))
    h = completed_class(attend=lambda person, session: session != 3)  # everyone 9/12 = 75 %
    claim = verified_claim(h)
    (finding,) = findings(claim, "PASS_RATE_VS_ATTENDANCE")
    assert finding.inputs == {"median_attendance": 0.75, "threshold": "0.75"}
    assert "ATTENDANCE_BELOW_THRESHOLD" not in codes(claim)


@pytest.mark.parametrize("variant", ["someone failed", "full attendance"])
def test_a_failure_or_full_attendance_is_not_found(variant):
    county_setting(attendance_threshold=Decimal("0.75"))
    if variant == "someone failed":
        h = completed_class(
            attend=lambda person, session: session != 3,
            outcome=lambda n: EnrollmentResult.FAILED if n == 2 else EnrollmentResult.PASSED,
        )
    else:
        h = completed_class()
    assert "PASS_RATE_VS_ATTENDANCE" not in codes(verified_claim(h))


def test_every_registered_rule_has_a_test():
    registered = {r.code for r in rules.REGISTRY}
    assert len(registered) == len(rules.REGISTRY), "two rules share a code"
    assert registered == TESTED


# --- the findings themselves --------------------------------------------------------------------------------


def test_a_finding_records_the_rule_version_severity_message_and_inputs():
    h = completed_class(attend=lambda person, session: not (person == 0 and session == 3))
    claim = verified_claim(h)
    (finding,) = findings(claim, "ATTENDANCE_BELOW_THRESHOLD")
    rule = next(r for r in rules.REGISTRY if r.code == "ATTENDANCE_BELOW_THRESHOLD")
    assert (finding.rule_version, finding.severity) == (rule.version, rule.severity) == (1, Severity.BLOCKING)
    assert finding.message.startswith(rule.message) and "75%" in finding.message
    assert finding.inputs["attended_hours"] == 9 and finding.inputs["rate"] == "0.7500"


def shared_phone_class():
    phone = "13912345678"
    return completed_class(
        people=10,
        spacing=1,  # a claim-level CHECK_IN_BURST warning too
        roster=[row(0, 手机号码=phone), row(1, 手机号码=phone), row(2, 手机号码=phone)]
        + [row(n) for n in range(3, 10)],
    )


def test_re_verifying_replaces_the_findings_and_keeps_accepted_warnings():
    h = shared_phone_class()
    claim = verified_claim(h)
    line = claim.lines.get(enrollment=h.enrollments[0])
    claims.line_decide(actor=h.bureau, line=line, approve=True, reason="三人为一家人，共用手机")
    burst = claim.findings.get(rule_code="CHECK_IN_BURST")
    claims.claim_accept_warning(actor=h.bureau, finding=burst, reason="现场核实为排队签到")

    def state():
        return sorted(
            claim.findings.values_list("line_id", "rule_code", "accepted_reason"), key=lambda r: (r[0] or 0, r[1])
        )

    before = state()
    ids_before = set(claim.findings.values_list("id", flat=True))

    claims.claim_verify(claim.pk)
    claims.claim_verify(claim.pk)

    after = state()
    assert after == before  # same findings, no duplicates, acceptances kept
    assert len(after) == len({(a, b) for a, b, _ in after}) == 4  # 3 SHARED_PHONE + 1 CHECK_IN_BURST
    assert not ids_before & set(claim.findings.values_list("id", flat=True))  # replaced, not added to
    kept = claim.findings.get(line=line, rule_code="SHARED_PHONE")
    assert (kept.accepted_reason, kept.accepted_by) == ("三人为一家人，共用手机", h.bureau)
    assert claim.findings.get(rule_code="CHECK_IN_BURST").accepted_by == h.bureau
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW
    assert claim.status_changes.filter(to_status=ClaimStatus.VERIFIED).count() == 1


def test_an_accepted_warning_is_not_carried_over_when_the_rule_now_finds_something_else():
    """claim_verify's contract: accepted warnings stay accepted "when the same rule finds the same thing
    again". Here the phone accepted as shared by three people is now shared by four: the staff's reason
    was about three people and should not silently cover the new fact."""
    h = shared_phone_class()
    claim = verified_claim(h)
    line = claim.lines.get(enrollment=h.enrollments[0])
    claims.line_decide(actor=h.bureau, line=line, approve=True, reason="三人为一家人，共用手机")
    register(make_id("231221", date(1975, 5, 5), seq=21), name="赵某某", county_code="231221", phone="13912345678")
    claims.claim_verify(claim.pk)
    finding = claim.findings.get(line=line, rule_code="SHARED_PHONE")
    assert finding.inputs == {"people_with_this_phone": 4}
    assert finding.accepted_reason == "", "an acceptance of 3 sharers was carried over to a finding of 4"


def test_a_blocking_finding_is_never_accepted_by_re_verification():
    h = completed_class(attend=lambda person, session: not (person == 0 and session == 3))
    claim = verified_claim(h)
    Finding.objects.filter(claim=claim).update(accepted_reason="（篡改）")
    claims.claim_verify(claim.pk)
    assert claim.findings.get(rule_code="ATTENDANCE_BELOW_THRESHOLD").accepted_reason == ""


def submitted_claim(h):
    with clock(h.training_class.end_date + timedelta(days=3)):
        claim = claims.claim_create(actor=h.owner, training_class=h.training_class)
        claims.claim_submit(actor=h.owner, claim=claim)
    return claim


def test_verification_runs_a_fixed_number_of_queries_whatever_the_number_of_lines():
    small = completed_class(people=5)
    large = completed_class(World.make(DesignatedInstitutionFactory()), people=30, first=100, name="大班")
    counts = {}
    for label, h in (("5 lines", small), ("30 lines", large)):
        claim = submitted_claim(h)
        with CaptureQueriesContext(connection) as ctx:
            claims.claim_verify(claim.pk)
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.VERIFIED and claim.lines.count() == int(label.split()[0])
        counts[label] = len(ctx.captured_queries)
    print(f"\nclaim_verify query counts: {counts}")
    assert counts["5 lines"] == counts["30 lines"], counts
