"""The ranking of a dashboard's children in the order the user chose (?sort=): 完成率 (share of target, units
without a target last by count), 完成数 (count) or 地区 (region code, 市本级 last); the control is labelled and the
caption says the order in use; the Excel export follows it; an unknown order is a 400 with a message."""

import io
from datetime import date

import openpyxl
import pytest

from core.clock import replaying as clock
from tests.indicators.factories import ProgressFactory, TargetFactory, plan_with, region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

URL = "/dashboard/2312/?plan=test-plan&year=2025"


@pytest.fixture
def ranked():
    """北林区 30 of 100 (30 %), 安达市 5 of 10 (50 %), 望奎县 40 of 50 (80 %), 兰西县 60 without a target, 市本级
    2 of 4 (50 %); the other counties nothing."""
    plan, indicator = plan_with(targets={"231202": 100, "231281": 10, "231221": 50})
    TargetFactory(indicator=indicator, region=region("2312"), city_own=True, value=4)
    for unit, value in [("231202", 30), ("231281", 5), ("231221", 40), ("231222", 60)]:
        ProgressFactory(unit=unit, month=date(2025, 3, 1), value=value)
    ProgressFactory(unit="231200", month=date(2025, 3, 1), value=2)  # 市本级: the city's own unit
    ProgressFactory(unit="2312", parent="23", month=date(2025, 3, 1), value=137)  # the city's total
    return plan


def ranking(client, user, sort=None):
    client.force_login(user)
    with clock(date(2025, 7, 1)):
        response = client.get(URL + (f"&sort={sort}" if sort else ""))
    return response, [c["code"] + ("*" if c["city_own"] else "") for c in response.context["children"]]


NOTHING = ["231223", "231224", "231225", "231226", "231282", "231283"]  # no target, nothing done: by code


def test_by_share_the_highest_share_comes_first_and_units_without_a_target_last(client, ranked, city_user):
    response, order = ranking(client, city_user, "share")

    assert order == ["231221", "231281", "2312*", "231202", "231222", *NOTHING]
    assert "按完成率从高到低排序" in response.content.decode()


def test_share_is_the_order_when_none_is_chosen(client, ranked, city_user):
    assert ranking(client, city_user)[1] == ranking(client, city_user, "share")[1]


def test_by_count_the_most_done_comes_first(client, ranked, city_user):
    response, order = ranking(client, city_user, "done")

    assert order == ["231222", "231221", "231202", "231281", "2312*", *NOTHING]
    assert "按完成数从高到低排序" in response.content.decode()


def test_by_region_the_units_follow_the_region_codes_and_city_own_comes_last(client, ranked, city_user):
    response, order = ranking(client, city_user, "region")

    counties = ["231202", "231221", "231222", "231223", "231224", "231225", "231226", "231281", "231282", "231283"]
    assert order == [*counties, "2312*"]
    assert "按区划代码顺序排列" in response.content.decode()


def test_the_sort_control_is_labelled_and_offers_the_three_orders(client, ranked, city_user):
    html = ranking(client, city_user, "done")[0].content.decode()

    assert '<label class="small mb-0" for="id_sort">排序方式</label>' in html
    assert '<option value="done" selected>完成数</option>' in html
    assert '<option value="share">完成率</option>' in html and '<option value="region">地区</option>' in html


def test_the_export_of_the_ranking_follows_the_chosen_order(client, ranked, city_user):
    client.force_login(city_user)
    with clock(date(2025, 7, 1)):
        response = client.get(URL + "&sort=done&export=children")

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    codes = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True) if row[1]]
    assert codes[:4] == ["231222", "231221", "231202", "231281"]


def test_an_unknown_order_is_a_400_with_a_message_and_the_share_order(client, ranked, city_user):
    response, order = ranking(client, city_user, "random")

    assert response.status_code == 400
    assert "排序" in " ".join(str(m) for m in response.context["messages"])
    assert order[:2] == ["231221", "231281"]
