"""Excel import (preview, then all-or-nothing confirm) and export (in scope only, never a formula)."""

import io
import re
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEvent
from catalog.models import Region
from institutions.models import Institution, Program
from institutions.services.imports import KINDS

from .factories import DesignatedInstitutionFactory, InstitutionFactory, ProgramFactory, credit_code
from .pages_kit import build_world, snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INSTITUTION_COLUMNS = KINDS["institutions"].columns
PROGRAM_COLUMNS = KINDS["programs"].columns


def workbook(headers: list[str], rows: dict[int, list]) -> bytes:
    """An .xlsx with `headers` in row 1 and each row at its Excel row number (gaps stay blank rows)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for number, values in rows.items():
        for column, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(row=number, column=column, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def institution_row(n: int, **changes) -> list:
    values = {
        "机构名称": f"北林区导入培训学校{n}",
        "统一社会信用代码": credit_code(550000 + n),
        "机构类型": "民办职业培训机构",
        "所在县（市、区）": "北林区",
        "地址": f"北林区中直路 {n} 号",
        "联系人": "吴芳",
        "联系电话": "13845512345",
        "办学许可证号": "",
        "许可证有效期至": None,
        "培训能力（人/期）": 50,
    } | changes
    return [values[c] for c in INSTITUTION_COLUMNS]


def program_row(institution: Institution, **changes) -> list:
    values = {
        "机构统一社会信用代码": institution.credit_code,
        "职业编码": "4-10-01-05",
        "技能等级": "五级/初级工",
        "培训类型": "就业技能培训",
        "培训方式": "线下",
        "理论课时": 20,
        "实操课时": 60,
        "培训费（元/人）": 1200,
        "列入日期": date(2024, 3, 1),
    } | changes
    return [values[c] for c in PROGRAM_COLUMNS]


def upload(client, kind: str, data: bytes, name: str = "目录.xlsx", content_type: str = XLSX):
    return client.post(f"/institutions/import/{kind}/", {"file": SimpleUploadedFile(name, data, content_type)})


def error_rows(response) -> list[tuple[str, str, str]]:
    """(row, column, message) of the error table on the import page."""
    block = re.search(r'data-testid="import-errors">(.*?)</table>', response.content.decode(), re.S).group(1)
    body = block.split("<tbody>", 1)[1]
    return re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", body, re.S)


def wrong_check_character(code: str) -> str:
    return code[:-1] + ("1" if code[-1] != "1" else "2")


@pytest.fixture
def county_client(client, county_user):
    client.force_login(county_user)
    return client


# --- import of institutions --------------------------------------------------------------------------


def test_every_bad_row_is_listed_with_its_excel_row_and_column_and_nothing_is_saved(county_client):
    data = workbook(
        INSTITUTION_COLUMNS,
        {
            2: institution_row(1),
            3: institution_row(2, 统一社会信用代码=wrong_check_character(credit_code(550002))),
            # 4 blank
            5: institution_row(3, **{"所在县（市、区）": "不存在县"}),
            6: institution_row(4),
            # 7 and 8 blank
            9: institution_row(5, 地址=None),
            10: institution_row(6, 机构名称="=1+1"),
        },
    )
    response = upload(county_client, "institutions", data)

    assert response.status_code == 400
    errors = error_rows(response)
    assert {(row, column) for row, column, _ in errors} == {
        ("3", "统一社会信用代码"),
        ("5", "所在县（市、区）"),
        ("9", "地址"),
        ("10", "机构名称"),
    }
    messages = {(row, column): message for row, column, message in errors}
    assert "校验位不正确" in messages[("3", "统一社会信用代码")]
    assert "不是您管辖范围内的县" in messages[("5", "所在县（市、区）")]
    assert "不能为空" in messages[("9", "地址")]
    # a formula the file holds no value for (openpyxl writes none) is read as an empty cell, and refused as one
    assert any(row == "10" for row, _, message in errors), errors
    assert not Institution.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="institution.").exists()


def test_missing_headers_are_named(county_client):
    headers = [c for c in INSTITUTION_COLUMNS if c not in ("地址", "联系人")]
    response = upload(county_client, "institutions", workbook(headers, {2: ["x"] * len(headers)}))
    assert response.status_code == 400
    [(row, _column, message)] = error_rows(response)
    assert row == "—" and "表头缺少列" in message and "地址" in message and "联系人" in message


@pytest.mark.parametrize(
    ("name", "content_type", "data"),
    [
        ("机构.csv", "text/csv", "机构名称,统一社会信用代码\n甲,123\n".encode()),
        ("机构.pdf", "application/pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"),
    ],
)
def test_csv_or_pdf_upload_is_refused_in_chinese(county_client, name, content_type, data):
    response = upload(county_client, "institutions", data, name, content_type)
    assert response.status_code == 400
    assert "只支持 Excel（.xlsx、.xls）" in response.content.decode()
    assert not Institution.objects.exists()


def test_a_good_file_is_previewed_then_saved_whole_on_confirm(county_client, county_user):
    data = workbook(INSTITUTION_COLUMNS, {2: institution_row(1), 3: institution_row(2), 5: institution_row(3)})
    preview = upload(county_client, "institutions", data)

    assert preview.status_code == 200
    html = preview.content.decode()
    assert 'data-testid="import-preview"' in html and "共 3 行" in html
    assert not Institution.objects.exists()

    token = re.search(r'name="token" value="([0-9a-f]+)"', html).group(1)
    confirm = county_client.post("/institutions/import/institutions/", {"token": token})
    assert confirm.status_code == 302 and confirm["Location"] == "/institutions/"
    assert set(Institution.objects.values_list("name", flat=True)) == {f"北林区导入培训学校{n}" for n in (1, 2, 3)}
    assert all(i.status == "applied" for i in Institution.objects.all())
    event = AuditEvent.objects.get(action="directory.institutions_imported")
    assert event.actor == county_user and event.details == {"rows": 3}

    replay = county_client.post("/institutions/import/institutions/", {"token": token}, follow=True)
    assert "预览已过期" in replay.content.decode()
    assert Institution.objects.count() == 3


def test_other_county_cannot_import_institutions_into_beilin(client, make_user):
    client.force_login(make_user("county", "231281", username="anda"))
    response = upload(client, "institutions", workbook(INSTITUTION_COLUMNS, {2: institution_row(1)}))
    assert response.status_code == 400
    assert [(r, c) for r, c, _ in error_rows(response)] == [("2", "所在县（市、区）")]
    assert not Institution.objects.exists()


# --- import of programs ------------------------------------------------------------------------------


def test_program_for_a_not_designated_institution_is_refused_with_its_row(county_client):
    designated = DesignatedInstitutionFactory()
    applied = InstitutionFactory()
    response = upload(
        county_client, "programs", workbook(PROGRAM_COLUMNS, {2: program_row(designated), 3: program_row(applied)})
    )
    assert response.status_code == 400
    [(row, column, message)] = error_rows(response)
    assert (row, column) == ("3", "机构统一社会信用代码") and "只有已认定的机构才能列入培训项目" in message
    assert not Program.objects.exists()


def test_duplicate_program_rows_in_one_file_are_refused(county_client):
    institution = DesignatedInstitutionFactory()
    row = program_row(institution)
    response = upload(county_client, "programs", workbook(PROGRAM_COLUMNS, {2: row, 3: row}))
    assert response.status_code == 400
    [(number, _column, message)] = error_rows(response)
    assert number == "3" and "重复" in message
    assert not Program.objects.exists()


def test_a_good_program_file_is_saved_on_confirm(county_client):
    institution = DesignatedInstitutionFactory()
    rows = {2: program_row(institution), 3: program_row(institution, 技能等级="四级", 培训方式="线上")}
    preview = upload(county_client, "programs", workbook(PROGRAM_COLUMNS, rows))
    token = re.search(r'name="token" value="([0-9a-f]+)"', preview.content.decode()).group(1)
    confirm = county_client.post("/institutions/import/programs/", {"token": token})
    assert confirm.status_code == 302 and confirm["Location"] == "/institutions/programs/"
    assert Program.objects.filter(institution=institution).count() == 2
    assert AuditEvent.objects.filter(action="directory.programs_imported").exists()


def test_other_county_cannot_import_programs_for_b(client, make_user):
    world = build_world(make_user)
    client.force_login(world.anda)
    before = snapshot(world.b)
    response = upload(client, "programs", workbook(PROGRAM_COLUMNS, {2: program_row(world.b, 技能等级="四级")}))
    assert response.status_code == 400
    assert [r for r, _, _ in error_rows(response)] == ["2"]
    assert snapshot(world.b) == before


def test_other_county_is_told_b_s_credit_code_does_not_exist_like_an_unknown_one(client, make_user):
    """Out of scope is "does not exist" (as in the API): the error must not reveal that B is registered."""
    world = build_world(make_user)
    client.force_login(world.anda)
    unknown = Institution(credit_code=credit_code(123456))
    response = upload(client, "programs", workbook(PROGRAM_COLUMNS, {2: program_row(world.b), 3: program_row(unknown)}))
    errors = error_rows(response)
    assert errors[0][:2] == ("2", "机构统一社会信用代码")
    assert errors[0][2] == errors[1][2].replace(unknown.credit_code, world.b.credit_code)


def test_import_template_has_the_chinese_columns(county_client):
    response = county_client.get("/institutions/import/programs/", {"template": "1"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == PROGRAM_COLUMNS


# --- export ------------------------------------------------------------------------------------------

FORMULA_NAME = '=HYPERLINK("http://x","y")'


def exported(response) -> list[list]:
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    return list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows())


@pytest.fixture
def formula_named(reference_data):
    institution = DesignatedInstitutionFactory(name=FORMULA_NAME)
    ProgramFactory(institution=institution)
    anda = DesignatedInstitutionFactory(name="安达市导出测试学校", county=Region.objects.get(code="231281"))
    ProgramFactory(institution=anda)
    return institution


@pytest.mark.parametrize("path", ["/institutions/?export=xlsx", "/institutions/programs/?export=xlsx"])
def test_export_keeps_a_formula_like_name_as_text_and_only_in_scope_rows(county_client, formula_named, path):
    rows = exported(county_client.get(path))
    cells = [cell for row in rows[1:] for cell in row]
    names = [cell for cell in cells if cell.value == FORMULA_NAME]
    assert len(names) == 1 and names[0].data_type == "s"
    assert not any(cell.data_type == "f" for cell in cells)
    assert "安达市导出测试学校" not in {cell.value for cell in cells}
    assert len(rows) == 2


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("anda", "/institutions/?export=xlsx"),
        ("anda", "/institutions/programs/?export=xlsx"),
        ("inst_a", "/institutions/programs/?export=xlsx"),
    ],
)
def test_exports_of_outsiders_do_not_contain_b(client, make_user, who, path):
    world = build_world(make_user)
    client.force_login(getattr(world, who))
    values = {cell.value for row in exported(client.get(path)) for cell in row}
    assert world.b.name not in values and world.b.credit_code not in values
    assert (world.c.name if who == "anda" else world.a.name) in values
