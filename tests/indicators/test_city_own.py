"""市本级: what a city does itself — a class of an institution it administers (市直), a record placed at the city —
counts in the city's own unit of the roll-up, <city>00 (绥化市 2312 → 231200), a child of the city beside its
counties: in the city's and the province's totals, in no county's. The province's own level is 230000, under the
province only. The full recompute, the incremental refresh (of the city itself, or through a PendingRefresh row)
and a direct count of the facts agree; the dashboards, the at-risk card and the monthly report read 市本级 from
that unit."""

from datetime import date, timedelta

import pytest

from core.models import PendingRefresh
from core.progress import progress_changed
from indicators.models import Plan, Progress
from indicators.selectors.dashboard import dashboard
from indicators.services.plans import plans_load
from indicators.services.rollups import (
    _ancestors,
    _parent,
    progress_recompute_all,
    progress_refresh,
    progress_refresh_pending,
)
from tests.indicators.factories import (
    breakdown_table,
    ledger,
    person,
    plan_with,
    progress_table,
    public_base,
    region,
    total,
    training_class,
)
from tests.institutions.factories import DesignatedInstitutionFactory, ProgramFactory
from trainees.models import RecordSource, SubsidyKind, TrainingRecord
from training.models import Enrollment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

DEFINITIONS = ["subsidized_training", "all_training", "public_training_bases", "migrant_workers"]


def city_class(*, end: date, size: int):
    """A completed class of size `size` of a city-level institution (市直, seated at 绥化市 2312)."""
    program = ProgramFactory(institution=DesignatedInstitutionFactory(county=region("2312")))
    return training_class(county="231202", program=program, end=end, size=size)  # its people live in 北林区


@pytest.fixture
def facts():
    """2025: 北林区 3 and 安达市 2 subsidized trainings; 4 placed at 绥化市 itself (one of a 农民工) and a class
    of 5 of a city-level institution; a public training base the city runs, designated in May; 1 placed at the
    province itself; 哈尔滨's 道里区 2."""
    someone = person("231202")
    ledger(someone, county="231202", end=date(2025, 3, 10), count=3)
    ledger(someone, county="231281", end=date(2025, 3, 11), count=2)
    ledger(someone, county="2312", end=date(2025, 4, 2), count=3)
    ledger(someone, county="2312", end=date(2025, 4, 3), category="migrant_worker")
    city_class(end=date(2025, 4, 20), size=5)
    public_base(county="2312", designated_on=date(2025, 5, 10))
    ledger(someone, county="23", end=date(2025, 6, 1))
    ledger(someone, county="230102", end=date(2025, 6, 2), count=2)
    progress_recompute_all()
    return someone


def subsidized(prefix: str, exact: bool = False):
    rows = TrainingRecord.objects.filter(subsidy_kind=SubsidyKind.TRAINING)
    return rows.filter(county__code=prefix) if exact else rows.filter(county__code__startswith=prefix)


def test_the_units_of_the_own_levels_sit_under_their_city_and_province():
    assert [_parent(u) for u in ["231202", "231200", "231000", "230000", "2312", "23"]] == [
        "2312", "2312", "2310", "23", "23", "",
    ]  # fmt: skip
    assert _ancestors("231200") == ["2312", "23"] and _ancestors("230000") == ["23"] and _ancestors("2312") == ["23"]


def test_city_level_facts_count_in_its_own_unit_and_its_total_and_in_no_county(facts):
    assert total("subsidized_training", "231200") == subsidized("2312", exact=True).count() == 4
    assert total("migrant_workers", "231200") == 1
    assert total("all_training", "231200") == 4 + 5  # the history placed at the city and the class's enrollments
    assert total("public_training_bases", "231200") == 1
    assert total("subsidized_training", "2312") == subsidized("2312").count() == 3 + 2 + 4
    assert total("all_training", "2312") == 9 + 5
    counties = Progress.objects.filter(definition="all_training", parent="2312", institution="").exclude(unit="231200")
    assert sum(counties.values_list("value", flat=True)) == 3 + 2
    assert set(Progress.objects.filter(unit="231200", institution="").values_list("parent", flat=True)) == {"2312"}


def test_the_class_of_a_city_level_institution_has_its_institution_cell_under_the_city_own_unit(facts):
    cells = Progress.objects.filter(definition="all_training", unit="231200").exclude(institution="")

    assert sum(c.value for c in cells) == Enrollment.objects.filter(training_class__county__code="2312").count() == 5
    assert {c.parent for c in cells} == {"231200"}


def test_province_level_facts_count_in_the_province_own_unit_and_in_no_city(facts):
    assert total("subsidized_training", "230000") == subsidized("23", exact=True).count() == 1
    assert (
        Progress.objects.filter(unit="230000", institution="").values_list("parent", flat=True).distinct().get() == "23"
    )
    assert total("subsidized_training", "23") == subsidized("23").count() == 3 + 2 + 4 + 1 + 2
    assert total("subsidized_training", "2301") == 2 and not Progress.objects.filter(unit="2300").exists()


def append_at_the_city(someone) -> list[date]:
    """New facts placed at 绥化市 itself: a claim approved in July, a class ending in August, a base designated in
    September, and a record of 2024. Returns the touched months."""
    ledger(someone, county="2312", source=RecordSource.CLAIM, end=date(2025, 6, 20), approved=date(2025, 7, 3))
    ledger(someone, county="2312", end=date(2024, 11, 5), category="migrant_worker")
    city_class(end=date(2025, 8, 15), size=2)
    public_base(county="2312", designated_on=date(2025, 9, 1))
    return [date(2025, 7, 1), date(2025, 8, 1), date(2025, 9, 1), date(2024, 11, 1)]


def test_refreshing_the_city_itself_equals_the_full_recompute_and_a_direct_count(facts):
    months = append_at_the_city(facts)

    progress_refresh(counties=[region("2312").pk], months=months)
    incremental = progress_table(), breakdown_table()
    progress_recompute_all()

    assert incremental == (progress_table(), breakdown_table())
    assert total("subsidized_training", "231200") == subsidized("2312", exact=True).count() == 4 + 2
    assert total("subsidized_training", "23") == subsidized("23").count()
    assert total("all_training", "231200") == (
        TrainingRecord.objects.filter(county__code="2312", source=RecordSource.HISTORY).count()
        + Enrollment.objects.filter(training_class__county__code="2312").count()
    )


def test_a_pending_refresh_of_the_city_is_counted_by_the_sweeper_as_the_full_recompute_counts_it(facts):
    months = append_at_the_city(facts)
    progress_changed(counties={region("2312").pk}, months=set(months))

    assert PendingRefresh.objects.filter(county=region("2312")).exists()
    assert progress_refresh_pending(older_than=timedelta(0)) == 1
    swept = progress_table(), breakdown_table()
    progress_recompute_all()
    assert swept == (progress_table(), breakdown_table()) and not PendingRefresh.objects.exists()


def test_refreshing_the_province_itself_equals_the_full_recompute(facts):
    ledger(facts, county="23", end=date(2025, 10, 8), count=2)

    progress_refresh(counties=[region("23").pk], months=[date(2025, 10, 1)])
    incremental = progress_table(), breakdown_table()
    progress_recompute_all()

    assert incremental == (progress_table(), breakdown_table())
    assert total("subsidized_training", "230000") == 3


def test_a_city_whose_own_unit_is_also_its_county_refreshes_both(reference_data):
    """东莞市 (city 4419) has no counties: its county-level unit is 441900, the code of its own unit too."""
    someone = person("231202")
    ledger(someone, county="441900", end=date(2025, 3, 10), count=2)
    progress_recompute_all()
    ledger(someone, county="4419", end=date(2025, 3, 12))

    progress_refresh(counties=[region("4419").pk], months=[date(2025, 3, 1)])

    assert total("subsidized_training", "441900") == total("subsidized_training", "4419") == 3
    incremental = progress_table()
    progress_recompute_all()
    assert incremental == progress_table()


# --- what the dashboards show ---------------------------------------------------------------------------------


def children(user, plan, code, year, **kw) -> dict:
    data = dashboard(user=user, plan=plan, region=region(code), year=year, **kw)
    return {row["name"]: row for row in data["children"]}, data


def test_the_city_dashboard_shows_city_own_progress_against_its_target(city_user):
    plans_load()
    someone = person("231202")
    ledger(someone, county="2312", end=date(2019, 6, 5), count=6)
    ledger(someone, county="231202", end=date(2019, 6, 6), count=4)
    progress_recompute_all()
    plan = Plan.objects.get(code="suihua-2019")

    rows, data = children(city_user, plan, "2312", 2019)

    own = rows["市本级"]
    assert (own["target"], own["done"], own["share"]) == (1254, 6, round(6 / 1254, 4))
    assert own["city_own"] and own["own_level"] and rows["北林区"]["done"] == 4
    assert sum(r["done"] for r in rows.values()) == next(r["done"] for r in data["rows"]) == 10


def test_the_city_row_is_shown_where_it_has_a_count_even_without_a_target(facts, city_user, province_user):
    plan, _ = plan_with(targets={"231202": 10, "2312": 20})

    rows, _ = children(city_user, plan, "2312", 2025)
    assert rows["市本级"]["done"] == 4 and rows["市本级"]["target"] is None
    assert sum(r["done"] for r in rows.values()) == 3 + 2 + 4
    provinces, data = children(province_user, plan, "23", 2025)
    assert provinces["绥化市"]["done"] == 9 and provinces["省本级"]["done"] == 1
    assert (
        sum(r["done"] for r in provinces.values()) == next(r["done"] for r in data["rows"]) == subsidized("23").count()
    )


def test_without_a_count_or_a_target_there_is_no_city_own_row(city_user):
    plan, _ = plan_with(targets={"231202": 10})
    ledger(person("231202"), county="231202", end=date(2025, 3, 10))
    progress_recompute_all()

    rows, _ = children(city_user, plan, "2312", 2025)

    assert "市本级" not in rows and rows["北林区"]["done"] == 1
