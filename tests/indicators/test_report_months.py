"""A monthly report is asked for a month inside the plan's period and not after this month: the page offers only
plans that have begun, each with its months, the month input bounded by the plan shown; the service refuses any
other month (or a plan not yet begun) with a Chinese message saying which months are allowed."""

from datetime import date

import pytest

from core.clock import replaying as clock
from core.errors import DomainError
from indicators.models import Plan
from indicators.services.plans import plans_load
from indicators.services.reports import monthly_report_request, report_months
from tests.indicators.factories import plan_with

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

TODAY = date(2026, 12, 2)


@pytest.fixture
def seeds(reference_data):
    plans_load()


def request_report(user, plan_code, month):
    with clock(TODAY):
        monthly_report_request(actor=user, region=user.region, plan=Plan.objects.get(code=plan_code), month=month)


def test_the_months_of_a_plan_are_its_period_up_to_this_month(seeds):
    assert report_months(Plan.objects.get(code="suihua-2019"), TODAY) == (date(2019, 1, 1), date(2019, 12, 1))
    assert report_months(Plan.objects.get(code="hlj-2025-2027"), TODAY) == (date(2025, 1, 1), date(2026, 12, 1))
    future, _ = plan_with(code="future", start=date(2027, 1, 1), end=date(2027, 12, 31))
    assert report_months(future, TODAY) == (None, None)


@pytest.mark.parametrize("month", [date(2026, 11, 1), date(2020, 1, 1), date(2018, 12, 1)])
def test_a_month_outside_the_plans_period_is_refused_with_the_allowed_months(seeds, city_user, month):
    with pytest.raises(DomainError) as refused:
        request_report(city_user, "suihua-2019", month)

    assert refused.value.field == "month"
    assert "请选择 2019-01 至 2019-12 之间的月份" in str(refused.value)


def test_a_month_after_this_one_is_refused_even_inside_the_plan(seeds, province_user):
    with pytest.raises(DomainError) as refused:
        request_report(province_user, "hlj-2025-2027", date(2027, 1, 1))

    assert "请选择 2025-01 至 2026-12 之间的月份" in str(refused.value)


@pytest.mark.parametrize("month", [date(2019, 1, 1), date(2019, 12, 1)])
def test_the_first_and_last_months_of_the_plan_are_accepted(seeds, city_user, month):
    request_report(city_user, "suihua-2019", month)  # built by the worker after commit


def test_a_plan_not_yet_begun_is_refused(seeds, city_user):
    plan_with(code="future", start=date(2027, 1, 1), end=date(2027, 12, 31))

    with pytest.raises(DomainError) as refused:
        request_report(city_user, "future", date(2026, 12, 1))

    assert refused.value.field == "plan" and "尚未开始" in str(refused.value)


def test_the_page_offers_begun_plans_with_their_months_and_bounds_the_month_input(client, seeds, city_user):
    plan_with(code="future", start=date(2027, 1, 1), end=date(2027, 12, 31))
    client.force_login(city_user)

    with clock(TODAY):
        form = client.get("/dashboard/reports/").context["form"]

    choices = dict(form.fields["plan"].choices)
    assert "future" not in choices
    assert choices["suihua-2019"].endswith("（2019-01 至 2019-12）")
    assert choices["hlj-2025-2027"].endswith("（2025-01 至 2026-12）")
    assert (form.initial["plan"], form.initial["month"]) == ("suihua-2020-2021", date(2021, 12, 1))  # its target
    attrs = form.fields["month"].widget.attrs
    assert (attrs["min"], attrs["max"]) == ("2020-01", "2021-12")


def test_posting_a_2019_plan_with_2026_11_is_a_400_with_the_message_on_the_month(client, seeds, city_user):
    client.force_login(city_user)

    with clock(TODAY):
        response = client.post("/dashboard/reports/", {"plan": "suihua-2019", "month": "2026-11"})

    assert response.status_code == 400
    assert response.context["form"].errors["month"] == [
        "月份应在计划期内且不晚于本月：请选择 2019-01 至 2019-12 之间的月份。"
    ]
    assert 'min="2019-01"' in response.content.decode() and 'max="2019-12"' in response.content.decode()
