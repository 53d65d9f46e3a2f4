"""Browser journey: a province official opens the dashboard, sees the indicator table and the charts (the county
map too), drills down to 绥化市 and to 北林区, then generates and downloads the monthly report."""

import re

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from indicators.services.plans import plans_load
from indicators.services.rollups import progress_recompute_all
from tests.accounts.factories import PASSWORD
from tests.indicators.factories import ledger, person

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def drawn(page, chart: str):
    """The chart's container, scrolled to as a reader would (charts are drawn as they come into view), holds what
    ECharts drew (a canvas, or an svg with the SVG renderer)."""
    container = page.locator(f'[data-chart="{chart}"]')
    container.scroll_into_view_if_needed()
    return container.locator("canvas, svg").first


def opened(page, testid: str):
    """A chart's data table, opened (it sits in a <details> under the chart)."""
    table = page.get_by_test_id(testid)
    page.locator("details").filter(has=table).locator("summary").click()
    expect(table).to_be_visible()
    return table


def test_a_province_official_drills_down_to_a_county_and_downloads_the_monthly_report(
    page, live_server, sign_in, make_user, reference_data, screenshot, tmp_path
):
    plans_load()
    this_month = timezone.localdate().replace(day=1)
    someone = person("231202")
    ledger(someone, county="231202", end=this_month, count=6)  # history: counted in all training
    ledger(someone, county="231281", end=this_month, count=3)
    progress_recompute_all()
    official = make_user("province", "23", username="hlj-official")

    sign_in(official.username, PASSWORD)
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.get_by_test_id("dashboard-title")).to_contain_text("黑龙江省")
    expect(page.get_by_test_id("indicator-table").get_by_role("row")).not_to_have_count(1)
    expect(page.get_by_test_id("status-all_training")).to_be_visible()
    expect(page.locator('[data-chart="progress"] canvas')).to_be_attached()  # in the first screen: drawn at once
    expect(page.locator("script[data-testid=echarts-full]")).to_have_count(0)  # the map's 1 MB build waits for it
    for chart in ["children", "trend", "county-map"]:  # the map: boundaries fetched from static/geo
        expect(drawn(page, chart)).to_be_attached()
    screenshot("dashboard-province")

    opened(page, "children-table").get_by_role("link", name="绥化市").click()
    expect(page).to_have_url(re.compile(r"/dashboard/2312/\?"))
    expect(page.get_by_test_id("dashboard-title")).to_contain_text("绥化市")
    children = opened(page, "children-table")
    expect(children.get_by_role("row").filter(has_text="北林区")).to_contain_text("6")
    expect(children.get_by_role("row").filter(has_text="安达市")).to_contain_text("3")
    expect(drawn(page, "children")).to_be_attached()
    expect(drawn(page, "county-map")).to_be_attached()
    expect(opened(page, "county-map-table").get_by_role("row").filter(has_text="北林区")).to_contain_text("6")
    screenshot("dashboard-city")

    children.get_by_role("link", name="北林区").click()
    expect(page).to_have_url(re.compile(r"/dashboard/231202/\?"))
    expect(page.get_by_test_id("dashboard-title")).to_contain_text("北林区")
    expect(drawn(page, "trend")).to_be_attached()
    trend = opened(page, "trend-table")
    expect(trend.get_by_role("row").filter(has_text=f"{this_month:%Y-%m}")).to_contain_text("6")
    screenshot("dashboard-county")

    page.goto(f"{live_server.url}/dashboard/reports/")
    page.get_by_test_id("report-form").get_by_role("button", name="立即生成").click()
    expect(page.get_by_role("alert")).to_contain_text("已提交生成月报")
    link = page.get_by_test_id("report-table").get_by_test_id("report-download")
    expect(link).to_have_count(1)
    with page.expect_download() as download:
        link.click()

    assert download.value.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    book = openpyxl.load_workbook(saved)
    assert book.worksheets[0].cell(row=2, column=1).value == "单位"
    assert "黑龙江省" in book.worksheets[0].cell(row=1, column=1).value
