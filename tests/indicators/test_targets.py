"""Targets allocated down the region tree (service and Excel import page), reported indicators and key-task
progress. World: the seeds' plans (plans_load) — 绥化 2019 carries the real allocation of seed 004."""

import io
from datetime import date

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import DomainError
from core.importing import export_xlsx
from indicators.models import Indicator, KeyTask, Plan, ReportedValue, Target
from indicators.selectors.targets import allocation_gaps
from indicators.services.plans import plans_load, reported_value_set, target_set, task_progress_report

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

SUIHUA_COUNTIES = {
    "231202": 1360,
    "231281": 750,
    "231283": 760,
    "231282": 1000,
    "231222": 620,
    "231225": 200,
    "231223": 570,
    "231224": 237,
    "231226": 450,
    "231221": 799,
}


@pytest.fixture(autouse=True)
def plans(reference_data):
    plans_load()


def indicator(plan: str, code: str) -> Indicator:
    return Indicator.objects.get(plan__code=plan, code=code)


def suihua() -> Indicator:
    return indicator("suihua-2019", "subsidized_training")


def target(ind: Indicator, code: str, year=None, city_own=False) -> Target:
    return Target.objects.get(indicator=ind, region__code=code, year=year, city_own=city_own)


# --- target_set -----------------------------------------------------------------------------------------------


def test_plans_load_keeps_the_seed_allocation_and_is_idempotent():
    assert plans_load() == 0
    assert Plan.objects.count() == 6
    for code, value in SUIHUA_COUNTIES.items():
        assert target(suihua(), code, 2019).value == value
    assert target(suihua(), "2312", 2019, city_own=True).value == 1254


def test_a_province_allocates_a_period_target_to_a_city(province_user, region):
    hlj = indicator("hlj-2022-2025", "subsidized_training")

    target_set(actor=province_user, indicator=hlj, region=region("2312"), value=90000, stretch=100000)

    assert (target(hlj, "2312").value, target(hlj, "2312").stretch) == (90000, 100000)


def test_a_city_allocates_to_a_county_and_to_its_own_level(city_user, region):
    target_set(actor=city_user, indicator=suihua(), region=region("231202"), value=1500, year=2019, stretch=2300)
    target_set(actor=city_user, indicator=suihua(), region=region("2312"), value=1100, year=2019, city_own=True)

    assert (target(suihua(), "231202", 2019).value, target(suihua(), "231202", 2019).stretch) == (1500, 2300)
    assert target(suihua(), "2312", 2019, city_own=True).value == 1100
    assert target(suihua(), "2312", 2019).value == 8000  # the city's own target from the province is untouched


@pytest.mark.parametrize(
    ("who", "code", "city_own"),
    [
        ("county", "231202", False),  # a county does not allocate
        ("city", "230102", False),  # a county of another city (道里区, 哈尔滨)
        ("city", "2312", False),  # its own region as if it were its child
        ("other_city", "231202", False),
        ("province", "231202", False),  # a province allocates to cities, not to counties
        ("province", "2312", True),  # 市本级 is the city's to set
    ],
)
def test_allocation_outside_the_allocators_children_is_refused(make_user, region, who, code, city_own):
    actor = {
        "county": lambda: make_user("county", "231202"),
        "city": lambda: make_user("city", "2312"),
        "other_city": lambda: make_user("city", "2301"),
        "province": lambda: make_user("province", "23"),
    }[who]()

    with pytest.raises(PermissionDenied):
        target_set(actor=actor, indicator=suihua(), region=region(code), value=10, year=2019, city_own=city_own)
    assert target(suihua(), "231202", 2019).value == 1360


@pytest.mark.parametrize(
    ("value", "stretch", "year", "field"),
    [
        (-1, None, 2019, "value"),
        (1.5, None, 2019, "value"),
        ("10", None, 2019, "value"),
        (True, None, 2019, "value"),
        (100, 99, 2019, "stretch"),
        (100, 150.5, 2019, "stretch"),
        (100, None, 2020, "year"),
        (100, None, None, "year"),  # a yearly indicator needs its year
    ],
)
def test_invalid_targets_are_refused_with_the_field_at_fault(city_user, region, value, stretch, year, field):
    with pytest.raises(DomainError) as refused:
        target_set(
            actor=city_user, indicator=suihua(), region=region("231202"), value=value, stretch=stretch, year=year
        )

    assert refused.value.field == field
    assert target(suihua(), "231202", 2019).value == 1360


def test_allocation_gaps_show_how_far_the_children_are_from_the_parent(city_user, region):
    assert allocation_gaps(suihua(), region("2312"), 2019) == {"parent": 8000, "allocated": 8000, "difference": 0}

    target_set(actor=city_user, indicator=suihua(), region=region("231202"), value=1500, year=2019)
    target_set(actor=city_user, indicator=suihua(), region=region("2312"), value=1000, year=2019, city_own=True)

    assert allocation_gaps(suihua(), region("2312"), 2019) == {"parent": 8000, "allocated": 7886, "difference": -114}
    assert allocation_gaps(suihua(), region("2301"), 2019) is None  # no target there
    hlj = indicator("hlj-2022-2025", "subsidized_training")
    assert allocation_gaps(hlj, region("23"), None) is None  # nothing allocated yet


# --- the Excel import page --------------------------------------------------------------------------------------


def upload(rows, headers=("区划代码", "名称", "目标", "力争目标")):
    return SimpleUploadedFile("分解.xlsx", export_xlsx(list(headers), rows))


def said(response) -> str:
    """The page's flash messages, joined."""
    return " ".join(str(m) for m in response.context["messages"])


def post_import(client, user, rows, **fields):
    client.force_login(user)
    data = {"plan": "suihua-2019", "indicator": "subsidized_training", "year": "2019", "file": upload(rows), **fields}
    return client.post("/dashboard/targets/import/", data)


def test_the_import_template_lists_the_children_and_city_own_with_their_targets(client, city_user):
    client.force_login(city_user)
    response = client.get("/dashboard/targets/import/?plan=suihua-2019&indicator=subsidized_training&year=2019")

    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("区划代码", "名称", "目标", "力争目标")
    assert {r[0]: r[2] for r in rows[1:]} == {**SUIHUA_COUNTIES, "2312": 1254}


def test_a_valid_import_saves_every_row(client, city_user):
    response = post_import(
        client,
        city_user,
        [["231202", "北林区", 1500, 2300], [231281, "安达市", "800", None], ["231200", "市本级", 1000, None]],
    )

    assert response.status_code == 302
    assert "新增 0 条，更新 3 条" in said(client.get(response.url))
    assert (target(suihua(), "231202", 2019).value, target(suihua(), "231202", 2019).stretch) == (1500, 2300)
    assert target(suihua(), "231281", 2019).value == 800
    assert target(suihua(), "2312", 2019, city_own=True).value == 1000


def test_an_import_with_errors_lists_them_by_row_and_column_and_saves_nothing(client, city_user):
    rows = [
        ["231202", "北林区", 1500, None],  # valid, but not saved
        ["999999", "?", 10, None],  # unknown code
        ["230102", "道里区", 10, None],  # not a child of 绥化
        ["231281", "安达市", -5, None],  # negative
        ["231283", "海伦市", 12.5, None],  # not whole
        ["231282", "肇东市", 100, 50],  # stretch below target
        ["231202", "北林区", 1, None],  # duplicate of row 2
        ["231222", "兰西县", None, None],  # missing target
    ]
    response = post_import(client, city_user, rows)

    assert response.status_code == 400
    errors = [(e.row, e.column) for e in response.context["report"].errors]
    assert errors == [
        (3, "区划代码"),
        (4, "区划代码"),
        (5, "目标"),
        (6, "目标"),
        (7, "力争目标"),
        (8, "区划代码"),
        (9, "目标"),
    ]
    assert {t.region.code: t.value for t in Target.objects.filter(indicator=suihua(), city_own=False)} == {
        **SUIHUA_COUNTIES,
        "2312": 8000,
    }


def test_the_targets_page_saves_one_childs_target_and_reports_a_refusal(client, city_user):
    client.force_login(city_user)
    form = {"plan": "suihua-2019", "indicator": "subsidized_training", "year": "2019", "region": "231202"}

    assert "已保存目标" in said(
        client.post("/dashboard/targets/", {**form, "value": "1500", "stretch": "2400"}, follow=True)
    )
    assert "目标应为不小于 0 的整数" in said(client.post("/dashboard/targets/", {**form, "value": "-3"}, follow=True))
    outside = client.post("/dashboard/targets/", {**form, "region": "230102", "value": "5"}, follow=True)
    assert "只能向本级区划的下级" in said(outside)

    assert (target(suihua(), "231202", 2019).value, target(suihua(), "231202", 2019).stretch) == (1500, 2400)
    assert not Target.objects.filter(region__code="230102").exists()


def test_the_import_page_is_for_allocators_only(client, county_user):
    response = post_import(client, county_user, [["231202", "北林区", 1500, None]])

    assert response.status_code == 403
    assert target(suihua(), "231202", 2019).value == 1360


# --- reported indicators -----------------------------------------------------------------------------------------


def stock() -> Indicator:
    return indicator("hlj-2022-2025", "high_skill_training_bases")


def test_reported_values_are_for_reported_indicators_in_the_reporters_scope(make_user, region, admin_user):
    county, city = make_user("county", "231202"), make_user("city", "2312")
    may = {"indicator": stock(), "period": date(2024, 3, 15), "value": 3, "evidence": "绥人社发〔2024〕12号"}

    reported_value_set(actor=county, region=region("231202"), **may)
    reported_value_set(actor=city, region=region("231281"), **may)
    reported_value_set(actor=admin_user, region=None, **may)
    with pytest.raises(PermissionDenied):
        reported_value_set(actor=county, region=region("231281"), **may)
    with pytest.raises(PermissionDenied):
        reported_value_set(actor=county, region=region("2312"), **may)
    with pytest.raises(PermissionDenied):
        reported_value_set(actor=city, region=None, **may)

    assert ReportedValue.objects.count() == 3
    assert set(ReportedValue.objects.values_list("period", flat=True)) == {date(2024, 3, 1)}


@pytest.mark.parametrize(
    ("change", "field"),
    [({"value": -1}, "value"), ({"evidence": "  "}, "evidence"), ({"indicator": "subsidized_training"}, None)],
)
def test_invalid_reports_are_refused(province_user, region, change, field):
    values = {"indicator": stock(), "period": date(2024, 3, 1), "value": 3, "evidence": "文件", **change}
    if isinstance(values["indicator"], str):
        values["indicator"] = indicator("hlj-2022-2025", values["indicator"])  # computed: not reported

    with pytest.raises(DomainError) as refused:
        reported_value_set(actor=province_user, region=region("23"), **values)

    assert refused.value.field == field
    assert not ReportedValue.objects.exists()


def test_reporting_the_same_month_again_replaces_the_value(province_user, region):
    for value in (3, 5):
        reported_value_set(
            actor=province_user,
            indicator=stock(),
            region=region("23"),
            period=date(2024, 3, 9),
            value=value,
            evidence="文件",
        )

    assert list(ReportedValue.objects.values_list("period", "value")) == [(date(2024, 3, 1), 5)]


# --- key tasks ---------------------------------------------------------------------------------------------------


def test_only_the_plans_own_region_confirms_a_task_done_others_report_progress(make_user):
    task = KeyTask.objects.filter(plan__code="hlj-2025-2027").first()
    city, province, jilin = make_user("city", "2312"), make_user("province", "23"), make_user("province", "22")

    task_progress_report(actor=city, task=task, note="已部署")
    with pytest.raises(PermissionDenied):
        task_progress_report(actor=city, task=task, note="已完成", completed=True)
    with pytest.raises(PermissionDenied):
        task_progress_report(actor=jilin, task=task, note="不属于本省")
    with pytest.raises(DomainError):
        task_progress_report(actor=province, task=task, note=" ")
    task.refresh_from_db()
    assert not task.done

    task_progress_report(actor=province, task=task, note="全部完成", completed=True)

    task.refresh_from_db()
    assert task.done and task.progress_reports.count() == 2
