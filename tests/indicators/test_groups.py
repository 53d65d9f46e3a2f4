"""Group indicators over group sets (issue 15): 其中：农民工 counts each subsidized person-time whose groups include
农民工 once, however many groups it has; the 人员类别 breakdown counts a person in every group cell they are in,
without multiplying the total or the other breakdowns. The full recompute, the incremental refresh and a direct
count agree."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db.models import Exists, OuterRef

from catalog.models import SkillLevel, TraineeCategory, TrainingType
from core.clock import replaying as clock
from indicators.models import Breakdown
from indicators.services.rollups import progress_recompute_all, progress_refresh
from tests.indicators.factories import (
    breakdown_table,
    month_cells,
    occupation,
    person,
    progress_table,
    region,
    total,
    training_class,
)
from trainees.models import RecordSource, SubsidyKind, TrainingRecord, TrainingRecordGroup
from trainees.services.records import training_records_append_bulk
from training.models import EnrollmentGroup

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

MAR, MAY = date(2024, 3, 1), date(2024, 5, 1)
_refs = itertools.count(1)


def ids(*codes: str) -> list[int]:
    pk = dict(TraineeCategory.objects.values_list("code", "pk"))
    return [pk[c] for c in codes]


def record(trainee, *groups: str, county="231202", end=date(2024, 3, 20), subsidy_kind=SubsidyKind.TRAINING, **kw):
    """One ledger row for `trainee` with the group set `groups` (codes), written as an approval writes it."""
    with clock(kw.get("approved") or end):
        training_records_append_bulk(
            records=[
                {"trainee_id": trainee.pk, "amount": Decimal(1000), "source_ref": f"g-{next(_refs)}"}
                | {"group_ids": ids(*groups)}
            ],
            occupation=occupation(0),
            skill_level=SkillLevel.objects.get(code="level5"),
            training_type=TrainingType.objects.get(code="employment_skills"),
            start_date=end - timedelta(days=10),
            end_date=end,
            county=region(county),
            subsidy_kind=subsidy_kind,
            source=kw.get("source", RecordSource.HISTORY),
        )


def by(definition: str, dimension: str, unit: str = "231202") -> dict:
    rows = Breakdown.objects.filter(definition=definition, unit=unit, dimension=dimension)
    return dict(rows.values_list("key", "value"))


def test_a_person_in_two_groups_counts_once_in_the_total_and_once_in_each_group():
    record(person(), "migrant_worker", "poverty_alleviated")
    record(person(), "poverty_alleviated")
    record(person(), "college_graduate", "registered_unemployed")
    record(person())
    record(person(), "migrant_worker", subsidy_kind=SubsidyKind.NONE)  # not subsidized: not counted
    progress_recompute_all()

    assert month_cells("subsidized_training", "231202") == {MAR: 4}
    assert month_cells("migrant_workers", "231202") == {MAR: 1}
    assert month_cells("migrant_workers", "2312") == {MAR: 1}
    assert by("subsidized_training", "category") == {
        "农民工": 1,
        "脱贫人口": 2,
        "高校毕业生": 1,
        "登记失业人员": 1,
        "未登记": 1,
    }
    assert by("migrant_workers", "category") == {"农民工": 1, "脱贫人口": 1}
    # The other breakdowns are not multiplied by the groups.
    assert by("subsidized_training", "training_type") == {"就业技能培训": 4}
    assert by("subsidized_training", "category", "2312")["脱贫人口"] == 2


def test_a_person_who_is_not_a_migrant_worker_does_not_count_as_one():
    record(person(), "poverty_alleviated", "low_income_rural")
    record(person(), "enterprise_worker")
    progress_recompute_all()

    assert month_cells("subsidized_training", "231202") == {MAR: 2}
    assert month_cells("migrant_workers", "231202") == {}


def test_an_enrollment_in_two_groups_counts_once_in_all_training_and_in_both_group_cells():
    tc = training_class(end=date(2024, 5, 20), size=2)
    first = tc.enrollments.order_by("id").first()
    EnrollmentGroup.objects.bulk_create(
        [EnrollmentGroup(enrollment=first, category_id=pk) for pk in ids("migrant_worker", "poverty_alleviated")]
    )
    progress_recompute_all()

    assert month_cells("all_training", "231202") == {MAY: 2}
    assert by("all_training", "category") == {"农民工": 1, "脱贫人口": 1, "未登记": 1}


def migrants(prefix: str) -> int:
    """A direct count: subsidized ledger rows in `prefix` whose groups include 农民工."""
    is_migrant = TrainingRecordGroup.objects.filter(record=OuterRef("pk"), category__code="migrant_worker")
    rows = TrainingRecord.objects.filter(county__code__startswith=prefix, subsidy_kind=SubsidyKind.TRAINING)
    return rows.filter(Exists(is_migrant)).count()


def group_cells(prefix: str, year: int) -> dict:
    """A direct count of the 人员类别 breakdown: subsidized rows per group they hold."""
    members = TrainingRecordGroup.objects.filter(
        record__in=TrainingRecord.objects.filter(
            county__code__startswith=prefix, subsidy_kind=SubsidyKind.TRAINING, year=year
        )
    )
    cells = {}
    for name in members.values_list("category__name", flat=True):
        cells[name] = cells.get(name, 0) + 1
    return cells


def test_recompute_incremental_refresh_and_a_direct_count_agree():
    mixes = [("migrant_worker", "poverty_alleviated"), ("migrant_worker",), ("college_graduate",), ()]
    for n, county in enumerate(["231202", "231281", "231221"] * 4):
        record(person(county), *mixes[n % 4], county=county, end=date(2024, 3, 1 + n))
    progress_recompute_all()
    # New facts in 安达市 only, incl. a two-group claim approved in March 2024 and an unsubsidized migrant.
    anda = [person("231281") for _ in range(4)]
    record(anda[0], "migrant_worker", "poverty_alleviated", county="231281", source=RecordSource.CLAIM)
    record(anda[1], "migrant_worker", "registered_unemployed", county="231281", end=date(2024, 3, 25))
    record(anda[2], "migrant_worker", county="231281", subsidy_kind=SubsidyKind.NONE)
    record(anda[3], "college_graduate", "registered_unemployed", county="231281")

    progress_refresh(counties=[region("231281").pk], months=[MAR])
    incremental = progress_table(), breakdown_table()
    progress_recompute_all()

    assert incremental == (progress_table(), breakdown_table())
    for prefix in ["231202", "231281", "231221", "2312", "23"]:
        assert total("migrant_workers", prefix) == migrants(prefix), prefix
        in_cells = by("subsidized_training", "category", prefix)
        in_cells.pop("未登记", None)
        assert in_cells == group_cells(prefix, 2024), prefix
    assert total("migrant_workers", "231281") == 4
    assert by("migrant_workers", "category", "231281") == {"农民工": 4, "脱贫人口": 2, "登记失业人员": 1}
