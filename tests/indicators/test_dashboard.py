"""The dashboard: time elapsed and status thresholds, the forecast on a known series, reported indicators,
overdue key tasks, and the scope of every page and API (a region outside it is 404 on pages, 403 in the API)."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from core.clock import replaying as clock
from indicators.models import Indicator, KeyTask, Plan, ProgressStatus, ReportedValue, Target
from indicators.selectors.dashboard import dashboard
from indicators.selectors.plans import overdue_tasks
from indicators.selectors.progress import Context, elapsed_share, forecast, status_of
from indicators.services.plans import plans_load, reported_value_set, task_progress_report
from indicators.services.rollups import progress_recompute_all
from tests.indicators.factories import ledger, person, plan_with, region, training_class
from training.models import ClassStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

YEAR_START, YEAR_END = date(2025, 1, 1), date(2025, 12, 31)


# --- time elapsed and status ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "share"),
    [
        (date(2024, 12, 31), 0.0),
        (YEAR_START, 0.0),
        (date(2025, 7, 2), 0.5),  # 182 of 364 days
        (YEAR_END, 1.0),
        (date(2026, 3, 1), 1.0),
    ],
)
def test_elapsed_share_is_the_share_of_the_period_gone_by(today, share):
    assert elapsed_share(YEAR_START, YEAR_END, today) == share


@pytest.mark.parametrize(
    ("done", "target", "elapsed", "status"),
    [
        (50, 100, 0.5, ProgressStatus.ON_TRACK),  # share = time elapsed
        (60, 100, 0.5, ProgressStatus.ON_TRACK),
        (40, 100, 0.5, ProgressStatus.BEHIND),  # exactly 80 % of the time elapsed
        (39, 100, 0.5, ProgressStatus.AT_RISK),
        (0, 100, 0.0, ProgressStatus.ON_TRACK),
        (0, 0, 0.9, ProgressStatus.ON_TRACK),  # no target: nothing to be behind
    ],
)
def test_status_compares_share_of_target_with_time_elapsed(done, target, elapsed, status):
    assert status_of(done, target, elapsed) == status


# --- forecast ------------------------------------------------------------------------------------------------


@pytest.fixture
def series():
    """10 subsidized trainings a month in 北林区, January to June 2025; classes approved (4 people) and in
    training (2) in 绥化, a draft (5) and an approved class in 哈尔滨 (7), none counted yet."""
    someone = person()
    for month in range(1, 7):
        ledger(someone, end=date(2025, month, 15), count=10)
    training_class(county="231281", end=date(2025, 8, 20), status=ClassStatus.APPROVED, size=4)
    training_class(county="231202", end=date(2025, 8, 20), status=ClassStatus.IN_TRAINING, size=2)
    training_class(county="231202", end=date(2025, 8, 20), status=ClassStatus.DRAFT, size=5)
    training_class(county="230102", end=date(2025, 8, 20), status=ClassStatus.APPROVED, size=7)
    progress_recompute_all()


def test_forecast_adds_the_recent_monthly_rate_for_the_months_left_and_the_pipeline(series, city_user):
    plan, _ = plan_with(targets={"2312": 200})

    with clock(date(2025, 7, 15)):
        data = dashboard(user=city_user, plan=plan, region=region("2312"))

    row = data["rows"][0]
    assert row["forecast"] == {"projected": 60 + 10 * 5 + 6, "monthly_rate": 10.0, "months_left": 5, "pipeline": 6}
    assert (row["done"], row["target"], row["share"]) == (60, 200, 0.3)
    assert row["elapsed"] == round(195 / 364, 4)
    assert row["status"] == ProgressStatus.AT_RISK and row["forecast_misses"]


def test_a_period_not_yet_begun_projects_every_one_of_its_months(series):
    plan, indicator = plan_with(start=date(2026, 1, 1), end=date(2026, 12, 31))

    result = forecast(Context(plan, region("2312"), date(2025, 7, 15)), indicator, plan.start, plan.end)

    assert result == {"projected": 10 * 12 + 6, "monthly_rate": 10.0, "months_left": 12, "pipeline": 6}


def test_an_ended_period_projects_what_was_done(series):
    plan, indicator = plan_with()

    result = forecast(Context(plan, region("2312"), date(2026, 2, 1)), indicator, plan.start, plan.end)

    assert result == {"projected": 60, "monthly_rate": 0.0, "months_left": 0, "pipeline": 0}


def test_the_pipeline_counts_only_the_regions_classes(series):
    plan, indicator = plan_with(code="county-plan", region_code="231202")

    result = forecast(Context(plan, region("231202"), date(2025, 7, 15)), indicator, plan.start, plan.end)

    assert result["pipeline"] == 2 and result["projected"] == 60 + 50 + 2


def test_certificate_indicators_have_no_pipeline(series):
    plan, indicator = plan_with("new_certificates")

    result = forecast(Context(plan, region("2312"), date(2025, 7, 15)), indicator, plan.start, plan.end)

    assert result == {"projected": 0, "monthly_rate": 0.0, "months_left": 5, "pipeline": 0}


def test_status_on_the_dashboard_follows_the_target_on_known_dates(series, city_user):
    plan, _ = plan_with(targets={"2312": 100})  # 60 done by the end of June

    def status_on(day):
        with clock(day):
            return dashboard(user=city_user, plan=plan, region=region("2312"))["rows"][0]["status"]

    assert status_on(date(2025, 7, 2)) == ProgressStatus.ON_TRACK  # 60 % done, 50 % elapsed
    assert status_on(date(2025, 9, 10)) == ProgressStatus.BEHIND  # 60 % done, 69 % elapsed
    assert status_on(date(2025, 11, 20)) == ProgressStatus.AT_RISK  # 60 % done, 88 % elapsed


# --- reported indicators and key tasks ---------------------------------------------------------------------------


@pytest.fixture
def seeds(reference_data):
    plans_load()


def reported(indicator_code, user, code, period, value):
    indicator = Indicator.objects.get(plan__code="hlj-2022-2025", code=indicator_code)
    reported_value_set(
        actor=user, indicator=indicator, region=region(code), period=period, value=value, evidence="文件"
    )


def row_of(data, code):
    return next(r for r in data["rows"] if r["code"] == code)


def test_a_stock_indicator_shows_the_latest_report_and_a_cumulative_one_the_sum(seeds, province_user):
    reported("high_skill_training_bases", province_user, "23", date(2024, 1, 1), 12)
    reported("high_skill_training_bases", province_user, "23", date(2024, 3, 1), 15)
    reported("competition_training_bases", province_user, "23", date(2024, 1, 1), 2)
    reported("competition_training_bases", province_user, "23", date(2024, 3, 1), 3)

    with clock(date(2024, 6, 1)):
        data = dashboard(user=province_user, plan=Plan.objects.get(code="hlj-2022-2025"), region=region("23"))

    assert row_of(data, "high_skill_training_bases")["done"] == 15
    assert row_of(data, "competition_training_bases")["done"] == 5


def test_a_region_without_its_own_report_adds_up_its_subordinates_reports(seeds, city_user):
    plan = Plan.objects.get(code="hlj-2022-2025")
    reported("competition_training_bases", city_user, "231202", date(2024, 1, 1), 2)
    reported("competition_training_bases", city_user, "231281", date(2024, 2, 1), 1)

    def done(code):
        with clock(date(2024, 6, 1)):
            data = dashboard(user=city_user, plan=plan, region=region(code))
        return row_of(data, "competition_training_bases")["done"]

    assert (done("2312"), done("231202"), done("231281")) == (3, 2, 1)
    reported("competition_training_bases", city_user, "2312", date(2024, 2, 1), 4)  # the city's own figure
    assert done("2312") == 4  # never its own and its counties' together


def test_a_stock_reported_by_counties_in_different_months_sums_each_countys_latest(seeds, province_user, city_user):
    reported("high_skill_training_bases", city_user, "231202", date(2024, 1, 1), 3)
    reported("high_skill_training_bases", city_user, "231281", date(2024, 2, 1), 2)

    with clock(date(2024, 6, 1)):
        data = dashboard(user=city_user, plan=Plan.objects.get(code="hlj-2022-2025"), region=region("2312"))

    assert row_of(data, "high_skill_training_bases")["done"] == 5


def test_overdue_tasks_are_listed_until_the_plans_region_confirms_them_done(seeds, province_user, county_user):
    plan = Plan.objects.get(code="hlj-2025-2027")
    due_2025 = list(KeyTask.objects.filter(plan=plan, deadline=date(2025, 12, 31)))

    with clock(date(2026, 1, 10)):
        assert set(dashboard(user=province_user, plan=plan, region=region("23"))["overdue_tasks"]) == set(due_2025)
        assert set(dashboard(user=county_user, plan=plan, region=region("231202"))["overdue_tasks"]) == set(due_2025)
        task_progress_report(actor=province_user, task=due_2025[0], note="已完成", completed=True)
        assert dashboard(user=province_user, plan=plan, region=region("23"))["overdue_tasks"] == due_2025[1:]
        assert list(overdue_tasks(plan)) == due_2025[1:]
    with clock(date(2025, 12, 31)):
        assert dashboard(user=province_user, plan=plan, region=region("23"))["overdue_tasks"] == []


def test_the_dashboard_service_refuses_a_region_outside_the_users_scope(seeds, county_user):
    plan = Plan.objects.get(code="suihua-2019")

    with pytest.raises(PermissionDenied):
        dashboard(user=county_user, plan=plan, region=region("231281"))
    with pytest.raises(PermissionDenied):
        dashboard(user=county_user, plan=plan, region=None)


# --- scope of pages and API -----------------------------------------------------------------------------------------


def statuses(client, user, urls):
    client.force_login(user)
    return {url: client.get(url).status_code for url in urls}


def test_a_county_user_sees_only_its_own_county(client, seeds, county_user):
    assert statuses(
        client,
        county_user,
        [
            "/dashboard/",
            "/dashboard/231202/",
            "/dashboard/231281/",
            "/dashboard/2312/",
            "/dashboard/targets/",
            "/dashboard/targets/import/?plan=suihua-2019",
            "/api/dashboard/?region=231202",
            "/api/dashboard/?region=231281",
            "/api/dashboard/?region=2312",
        ],
    ) == {
        "/dashboard/": 200,
        "/dashboard/231202/": 200,
        "/dashboard/231281/": 404,
        "/dashboard/2312/": 404,
        "/dashboard/targets/": 403,
        "/dashboard/targets/import/?plan=suihua-2019": 403,
        "/api/dashboard/?region=231202": 200,
        "/api/dashboard/?region=231281": 403,
        "/api/dashboard/?region=2312": 403,
    }
    targets = client.get("/api/targets/").json()
    assert [(t["plan"], t["region"]) for t in targets["results"]] == [("suihua-2019", "231202")]


def test_a_city_user_drills_into_its_counties_but_not_another_city(client, seeds, city_user):
    assert statuses(
        client,
        city_user,
        [
            "/dashboard/2312/",
            "/dashboard/231202/",
            "/dashboard/231281/",
            "/dashboard/2301/",
            "/dashboard/230102/",
            "/dashboard/23/",
            "/api/dashboard/?region=231281",
            "/api/dashboard/?region=230102",
        ],
    ) == {
        "/dashboard/2312/": 200,
        "/dashboard/231202/": 200,
        "/dashboard/231281/": 200,
        "/dashboard/2301/": 404,
        "/dashboard/230102/": 404,
        "/dashboard/23/": 404,
        "/api/dashboard/?region=231281": 200,
        "/api/dashboard/?region=230102": 403,
    }
    data = client.get("/api/dashboard/?region=2312&plan=suihua-2019").json()
    children = {c["code"]: c for c in data["children"]}
    assert set(children) == {
        "231202", "231281", "231283", "231282", "231222", "231225", "231223", "231224", "231226", "231221", "2312",
    }  # fmt: skip
    assert children["231202"]["url"] == "/dashboard/231202/?plan=suihua-2019&year=2019"
    assert children["2312"]["city_own"] and children["2312"]["target"] == 1254
    targets = client.get("/api/targets/").json()
    assert targets["count"] == 14  # 12 of suihua-2019, the two ratios of suihua-2020-2021
    assert all(t["region"].startswith("2312") for t in targets["results"])


def test_a_province_user_sees_its_whole_province_and_nothing_beyond(client, seeds, province_user):
    assert statuses(
        client,
        province_user,
        [
            "/dashboard/23/",
            "/dashboard/2301/",
            "/dashboard/230102/",
            "/dashboard/231281/",
            "/dashboard/22/",
            "/dashboard/2201/",
            "/api/dashboard/?region=22",
            "/api/dashboard/?region=231281",
        ],
    ) == {
        "/dashboard/23/": 200,
        "/dashboard/2301/": 200,
        "/dashboard/230102/": 200,
        "/dashboard/231281/": 200,
        "/dashboard/22/": 404,
        "/dashboard/2201/": 404,
        "/api/dashboard/?region=22": 403,
        "/api/dashboard/?region=231281": 200,
    }
    in_province = Target.objects.filter(region__code__startswith="23").count()
    assert client.get("/api/targets/").json()["count"] == in_province < Target.objects.count()
    data = client.get("/api/dashboard/").json()
    assert data["region"]["code"] == "23" and len(data["children"]) == 13  # 黑龙江's 13 cities


def test_reported_values_are_entered_only_for_the_users_own_page(client, seeds, city_user):
    indicator = Indicator.objects.get(plan__code="hlj-2022-2025", code="high_skill_training_bases")
    client.force_login(city_user)
    form = {"plan": "hlj-2022-2025", "indicator": indicator.pk, "period": "2024-03", "value": 4, "evidence": "文件"}

    assert client.post("/dashboard/2312/reported/", form).status_code == 302
    assert client.post("/dashboard/2301/reported/", form).status_code == 404
    assert list(ReportedValue.objects.values_list("region__code", "period", "value")) == [("2312", date(2024, 3, 1), 4)]
