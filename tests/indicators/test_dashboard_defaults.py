"""The plan and year a dashboard opens on without ?plan=/?year=: a city or county the newest plan with a target for
it (current first), a province the newest current plan; the plan selector marks the plans without a target for the
page's region; the API opens on the same plan."""

from datetime import date

import pytest

from core.clock import replaying as clock
from indicators.models import Indicator, Plan
from indicators.selectors.plans import plan_for_region, plans_for, year_for_region
from indicators.services.plans import plans_load
from tests.indicators.factories import TargetFactory, plan_with, region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

TODAY = date(2026, 12, 2)  # hlj-2025-2027 (targets for the province only) is the plan in force


@pytest.fixture
def seeds(reference_data):
    plans_load()


def opened(client, user, url="/dashboard/"):
    client.force_login(user)
    with clock(TODAY):
        response = client.get(url)
    assert response.status_code == 200
    return response


def options(response) -> dict[str, bool]:
    """{plan code: marked as having no target for the page's region} of the plan selector."""
    return {o["plan"].code: not o["has_targets"] for o in response.context["plans"]}


def test_a_county_user_opens_on_the_plan_that_has_a_target_for_the_county(client, seeds, county_user):
    response = opened(client, county_user)

    assert (response.context["plan"].code, response.context["year"]) == ("suihua-2019", 2019)
    assert response.context["has_targets"]
    assert 'data-testid="no-own-targets"' not in response.content.decode()
    assert options(response) == {
        "hlj-2025-2027": True,
        "hlj-2022-2025": True,
        "national-2021-2025": True,
        "suihua-2019": False,
        "suihua-2020-2021": True,
    }
    assert "（本级无目标）" in response.content.decode()


def test_a_city_user_opens_on_the_plan_that_has_a_target_for_the_city(client, seeds, city_user):
    response = opened(client, city_user)

    # The newest plan with a target for the city: the 2021 ratios of suihua-2020-2021.
    assert (response.context["plan"].code, response.context["year"]) == ("suihua-2020-2021", 2021)
    assert options(response)["suihua-2019"] is False and options(response)["hlj-2025-2027"] is True


def test_a_province_user_opens_on_the_newest_current_plan(client, seeds, province_user):
    response = opened(client, province_user)

    assert (response.context["plan"].code, response.context["year"]) == ("hlj-2025-2027", 2026)
    assert options(response) == {"hlj-2025-2027": False, "hlj-2022-2025": False, "national-2021-2025": True}


def test_a_province_opens_on_the_newest_current_plan_even_without_its_own_target(seeds):
    plan_with(code="national-2026", region_code=None, start=date(2026, 1, 1), end=date(2028, 12, 31))

    plan = plan_for_region(plans_for(region("23")), region("23"), TODAY)

    assert plan.code == "national-2026"


def test_a_current_plan_with_a_target_for_the_county_comes_before_an_older_one(client, seeds, county_user):
    plan_with(code="other-county", start=date(2026, 1, 1), end=date(2026, 12, 31), targets={"231281": 5})
    assert opened(client, county_user).context["plan"].code == "suihua-2019"  # a target for 安达市 only

    plan_with(code="suihua-2026", start=date(2026, 1, 1), end=date(2026, 12, 31), targets={"231202": 40})

    response = opened(client, county_user)
    assert (response.context["plan"].code, response.context["year"]) == ("suihua-2026", 2026)
    assert options(response)["other-county"] is True


def test_a_plan_asked_for_is_opened_even_without_a_target_and_says_so(client, seeds, county_user):
    response = opened(client, county_user, "/dashboard/?plan=hlj-2025-2027")

    assert response.context["plan"].code == "hlj-2025-2027" and not response.context["has_targets"]
    assert "上级尚未下达本级目标" in response.content.decode()


def test_a_drilled_down_page_without_a_plan_opens_on_the_plan_with_that_regions_target(client, seeds, city_user):
    assert opened(client, city_user, "/dashboard/231281/").context["plan"].code == "suihua-2019"


def test_yearly_targets_open_on_the_latest_year_with_a_target_for_the_region(seeds):
    plan, indicator = plan_with(
        code="yearly", start=date(2025, 1, 1), end=date(2027, 12, 31), kind=Indicator.Kind.YEARLY, targets={}
    )
    TargetFactory(indicator=indicator, region=region("231202"), year=2025, value=10)
    TargetFactory(indicator=indicator, region=region("231281"), year=2027, value=10)

    assert year_for_region(plan, region("231202"), TODAY) == 2025  # none for 2026: the latest before it
    assert year_for_region(plan, region("231281"), TODAY) == 2027  # none up to 2026: the first after it
    assert year_for_region(plan, region("231283"), TODAY) == 2026  # no target at all: this year


def test_the_api_opens_on_the_same_plan_as_the_page(client, seeds, county_user, province_user):
    for user, code in [(county_user, "suihua-2019"), (province_user, "hlj-2025-2027")]:
        client.force_login(user)
        with clock(TODAY):
            data = client.get("/api/dashboard/").json()
        assert data["plan"]["code"] == code
    assert Plan.objects.count() == 6
