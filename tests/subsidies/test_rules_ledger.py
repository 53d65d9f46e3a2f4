"""The verification rules that hold a person against the training ledger, each with a case where it finds
something and a case where it does not, built through the services: the same occupation and level subsidized
before (anywhere, the history migration included), a lower level after a higher one, the yearly limit, and
another class attended at overlapping times."""

import csv
from datetime import date

import pytest

from catalog.models import Region
from trainees.history_rows import COLUMNS as HISTORY_COLUMNS
from trainees.models import RecordSource, SubsidyKind
from trainees.services.history import history_import

from ..institutions.factories import DesignatedInstitutionFactory, occupation
from ..trainees.factories import add_record
from ..training.factories import row
from .factories import EVENING, World, codes, completed_class, findings, level, verified_claim
from .rule_kit import county_setting, covers, line_codes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


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
