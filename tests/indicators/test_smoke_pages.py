"""Smoke: every dashboard page renders for its roles, regions out of scope are 404 (API: 403), the monthly
report has its fixed layout, and an allocation import with a bad row saves nothing.

World: the seeds' plans (plans_load); users of 黑龙江 (province), 绥化 (city), 北林区 and 安达市 (counties)."""

import io
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.importing import XLSX_CONTENT_TYPE, export_xlsx
from indicators.models import MonthlyReport, Plan, Target
from indicators.services.plans import plans_load
from indicators.services.reports import monthly_report_build
from indicators.services.workbooks import REPORT_HEADERS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


@pytest.fixture
def world(province_user, city_user, county_user, make_user, admin_user):
    plans_load()
    return {
        "province": province_user,
        "city": city_user,
        "county": county_user,
        "anda": make_user("county", "231281", username="anda"),
        "admin": admin_user,
    }


def client_of(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["province", "city", "county", "admin"])
def test_each_bureau_role_sees_its_dashboard_tasks_and_reports(client, world, who):
    c = client_of(client, world[who])
    for url in ["/dashboard/", "/dashboard/tasks/", "/dashboard/reports/", "/api/dashboard/", "/api/targets/"]:
        assert c.get(url).status_code == 200, url


def test_drill_down_stays_inside_the_users_scope(client, world):
    c = client_of(client, world["city"])
    assert c.get("/dashboard/2312/?plan=suihua-2019").status_code == 200
    assert c.get("/dashboard/231281/").status_code == 200
    assert c.get("/dashboard/23/").status_code == 404
    assert c.get("/dashboard/2301/").status_code == 404
    assert c.get("/dashboard/2312/?plan=no-such-plan").status_code == 404
    assert c.get("/api/dashboard/?region=23").status_code == 403
    c = client_of(client, world["county"])
    assert c.get("/dashboard/231281/").status_code == 404
    assert c.get("/dashboard/targets/").status_code == 403


def test_every_chart_exports_to_excel(client, world):
    c = client_of(client, world["city"])
    for chart in ["indicators", "children", "trend"]:
        response = c.get(f"/dashboard/?plan=suihua-2019&export={chart}")
        assert response.status_code == 200 and response["Content-Type"] == XLSX_CONTENT_TYPE
    assert c.get("/dashboard/?plan=suihua-2019&export=nothing").status_code == 404


def test_monthly_report_has_the_fixed_layout_and_rebuilding_replaces_it(world, region):
    plan = Plan.objects.get(code="suihua-2019")
    report = monthly_report_build(region=region("2312"), plan=plan, month=date(2019, 10, 1))
    report = monthly_report_build(region=region("2312"), plan=plan, month=date(2019, 10, 15))
    assert MonthlyReport.objects.count() == 1
    sheet = openpyxl.load_workbook(report.file.open("rb")).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert "绥化市" in rows[0][0] and "2019年10月" in rows[0][0]
    assert list(rows[1]) == REPORT_HEADERS
    assert [r[0] for r in rows[2:]][-2:] == ["市本级", "合计"] and rows[-1][1] == 8000
    assert len(rows) == 2 + 10 + 1 + 1  # ten counties, 市本级, total


def test_allocation_import_with_one_bad_row_saves_nothing(client, world):
    c = client_of(client, world["city"])
    before = Target.objects.get(indicator__plan__code="suihua-2019", region__code="231202").value
    rows = [["231202", 1500, None], ["231281", -3, None], ["230102", 5, None], ["999999", 1, None]]
    upload = SimpleUploadedFile("分解.xlsx", export_xlsx(["区划代码", "目标", "力争目标"], rows))
    data = {"plan": "suihua-2019", "indicator": "subsidized_training", "year": "2019", "file": upload}
    response = c.post("/dashboard/targets/import/", data)
    assert response.status_code == 400
    errors = {(e.row, e.column) for e in response.context["report"].errors}
    assert errors == {(3, "目标"), (4, "区划代码"), (5, "区划代码")}
    assert Target.objects.get(indicator__plan__code="suihua-2019", region__code="231202").value == before


def test_generate_button_builds_the_report_and_it_downloads_in_scope_only(
    client, world, django_capture_on_commit_callbacks
):
    c = client_of(client, world["city"])
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post("/dashboard/reports/", {"plan": "suihua-2019", "month": "2019-10"})
    assert response.status_code == 302
    report = MonthlyReport.objects.get()
    response = c.get(f"/dashboard/reports/{report.pk}/download/")
    assert response.status_code == 200
    openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    c = client_of(client, world["anda"])
    assert c.get(f"/dashboard/reports/{report.pk}/download/").status_code == 404
