import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEvent
from catalog.models import Occupation, Region

pytestmark = pytest.mark.django_db


def xlsx(rows, name="list.xlsx"):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def post(client, kind, upload):
    return client.post("/accounts/reference-import/", {"kind": kind, "file": upload})


def test_occupation_import_with_bad_rows_reports_row_and_column_and_saves_nothing(client, admin_user):
    client.force_login(admin_user)
    before = Occupation.objects.count()
    upload = xlsx(
        [
            ["职业编码", "职业名称", "类别"],
            ["4-10-01-99", "新职业甲", "社会生产服务和生活服务人员"],
            ["41001", "编码错误", ""],
            [None, None, None],
            ["4-10-01-98", "", ""],
        ]
    )
    response = post(client, "occupation", upload)
    assert response.status_code == 400
    page = response.content.decode()
    assert "未保存任何数据" in page
    errors = response.context["report"].errors
    assert {(e.row, e.column) for e in errors} == {(3, "职业编码"), (5, "职业名称")}
    assert "大类-中类-小类-细类" in page
    assert Occupation.objects.count() == before
    assert not Occupation.objects.filter(code="4-10-01-99").exists()


def test_occupation_import_of_a_clean_file_saves_and_is_audited(client, admin_user):
    client.force_login(admin_user)
    upload = xlsx(
        [
            ["职业编码", "职业名称", "类别"],
            ["4-10-01-99", "新职业甲", "服务"],
            ["4-10-01-05", "养老护理员（新）", "服务"],
        ]
    )
    response = post(client, "occupation", upload)
    assert response.status_code == 302
    assert Occupation.objects.get(code="4-10-01-99").name == "新职业甲"
    assert Occupation.objects.get(code="4-10-01-05").name == "养老护理员（新）"
    assert AuditEvent.objects.get(action="occupation.imported").details["created"] == 1


def test_import_with_missing_headers_names_them(client, admin_user):
    client.force_login(admin_user)
    response = post(client, "occupation", xlsx([["编码", "名称"], ["4-10-01-99", "x"]]))
    assert "表头缺少列：职业编码、职业名称" in response.content.decode()


def test_import_of_a_non_spreadsheet_file_is_refused(client, admin_user):
    client.force_login(admin_user)
    response = post(client, "occupation", SimpleUploadedFile("list.pdf", b"%PDF-1.4"))
    assert "只支持 Excel（.xlsx、.xls）" in response.content.decode()


def test_gbk_csv_is_read(client, admin_user):
    client.force_login(admin_user)
    data = "职业编码,职业名称,类别\n4-10-01-97,老年人能力评估师,服务\n".encode("gbk")
    assert post(client, "occupation", SimpleUploadedFile("list.csv", data)).status_code == 302
    assert Occupation.objects.filter(name="老年人能力评估师").exists()


def test_region_import_with_bad_rows_saves_nothing(client, admin_user):
    client.force_login(admin_user)
    upload = xlsx(
        [
            ["区划代码", "名称", "层级", "上级代码", "统计区"],
            ["231299", "新设区", "县级", "2312", "0"],
            ["23129", "位数不对", "县级", "2312", "0"],
            ["231298", "上级不存在", "县级", "9999", "0"],
            ["231297", "层级不对", "乡级", "2312", "0"],
        ]
    )
    response = post(client, "region", upload)
    assert response.status_code == 400
    errors = {(e.row, e.column) for e in response.context["report"].errors}
    assert {(3, "区划代码"), (4, "上级代码"), (5, "层级")} <= errors
    assert not Region.objects.filter(code="231299").exists()


def test_only_system_administrators_may_import(client, city_user):
    client.force_login(city_user)
    assert client.get("/accounts/reference-import/").status_code == 403
    assert client.get("/accounts/reference-import/occupation/template.xlsx").status_code == 403


def test_template_download_has_the_chinese_headers(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/accounts/reference-import/occupation/template.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book.active[1]] == ["职业编码", "职业名称", "类别"]
