"""Indicators at risk (the 工作台's card): the cells (indicator × region) of the plans in force in the user's scope
whose share of target is more than 10 points below the share of time elapsed, the furthest behind first, with the
link to the dashboard on the cell; the card lists them or says all is on track."""

from datetime import date

import pytest
from django.template.loader import render_to_string

from core.clock import replaying as clock
from indicators.models import Progress
from indicators.selectors import indicators_at_risk
from tests.indicators.factories import IndicatorFactory, ProgressFactory, TargetFactory, plan_with, region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

MID_YEAR = date(2025, 7, 2)  # 50 % of 2025 elapsed


@pytest.fixture
def cells():
    """Targets of 100 each: 北林区 10 done (lagging), 安达市 60 (ahead), 望奎县 45 (behind by less than 10 points),
    海伦市 0 (furthest behind); 市本级 5 of 10 (on track: its own unit 231200); a 2019 plan far behind (not in
    force)."""
    plan, indicator = plan_with(targets={"231202": 100, "231281": 100, "231221": 100, "231283": 100})
    TargetFactory(indicator=indicator, region=region("2312"), city_own=True, value=10)
    for unit, value in [("231202", 10), ("231281", 60), ("231221", 45), ("231200", 5)]:
        ProgressFactory(unit=unit, month=date(2025, 3, 1), value=value)
    ProgressFactory(unit="2312", parent="23", month=date(2025, 3, 1), value=120)
    plan_with(code="old", start=date(2019, 1, 1), end=date(2019, 12, 31), targets={"231202": 1000})
    return plan


def at_risk(user, **kwargs):
    with clock(MID_YEAR):
        return indicators_at_risk(user, **kwargs)


def test_a_lagging_cell_is_listed_and_an_on_track_one_is_not(cells, province_user):
    result = at_risk(province_user)

    assert [(c["region"].code, c["rate"], c["expected"]) for c in result] == [
        ("231283", 0.0, 0.5),  # furthest behind first
        ("231202", 0.1, 0.5),
    ]  # 安达市 (60 %), 望奎县 (45 %: within 10 points) and 市本级 (50 %) are on track; the 2019 plan has ended
    lagging = result[1]
    assert lagging["indicator_name"] == "指标 subsidized_training" and lagging["region_name"] == "北林区"
    assert (lagging["target"], lagging["actual"], lagging["lag"]) == (100, 10, 0.4)
    assert lagging["url"] == "/dashboard/231202/?plan=test-plan&indicator=subsidized_training"


def test_the_list_is_limited_and_the_margin_is_ten_points(cells, province_user):
    assert len(at_risk(province_user, limit=1)) == 1
    assert {c["region"].code for c in at_risk(province_user, margin=0.0)} == {"231283", "231202", "231221"}


def test_city_own_lagging_is_read_from_the_city_own_unit(cells, province_user):
    TargetFactory(indicator=cells.indicators.get(), region=region("2312"), value=1000)  # the city's whole target

    codes = [(c["region_name"], c["actual"]) for c in at_risk(province_user)]

    assert ("绥化市", 120) in codes and ("绥化市（市本级）", 5) not in codes
    Progress.objects.filter(unit="231200").update(value=1)  # 1 of 10 at mid-year: lagging

    assert ("绥化市（市本级）", 1) in [(c["region_name"], c["actual"]) for c in at_risk(province_user)]


def test_each_user_sees_only_the_cells_of_its_scope(cells, county_user, make_user):
    assert [c["region"].code for c in at_risk(county_user)] == ["231202"]
    assert at_risk(make_user("city", "2301")) == []
    assert at_risk(make_user("institution", None)) == []


def test_a_reported_indicator_lags_by_its_reports(cells, province_user, city_user):
    from indicators.models import Indicator
    from indicators.services.plans import reported_value_set

    indicator = IndicatorFactory(
        plan=cells, code="bases", definition="", source=Indicator.Source.REPORTED, name="基地数", sort_order=1
    )
    TargetFactory(indicator=indicator, region=region("231202"), value=10)
    with clock(MID_YEAR):
        reported_value_set(
            actor=city_user,
            indicator=indicator,
            region=region("231202"),
            period=date(2025, 5, 1),
            value=2,
            evidence="文件",
        )

    bases = [c for c in at_risk(province_user) if c["indicator"] == indicator]
    assert [(c["actual"], c["rate"]) for c in bases] == [(2, 0.2)]


def test_the_card_lists_the_cells_or_says_all_is_on_track(cells, province_user, county_user):
    html = render_to_string("indicators/_at_risk.html", {"at_risk": at_risk(province_user)})
    assert "北林区" in html and 'href="/dashboard/231202/?plan=test-plan&amp;indicator=subsidized_training"' in html
    assert "各项指标进度正常" not in html

    html = render_to_string("indicators/_at_risk.html", {"at_risk": at_risk(county_user, margin=0.5)})
    assert "各项指标进度正常" in html and "北林区" not in html


def test_the_link_opens_the_dashboard_on_the_indicator(client, cells, county_user):
    client.force_login(county_user)
    url = at_risk(county_user)[0]["url"]

    with clock(MID_YEAR):
        response = client.get(url)

    assert response.status_code == 200 and response.context["data"]["main"]["code"] == "subsidized_training"
