"""Certificates: one by one (unique per type and number) and from Excel (all or nothing)."""

import io
from datetime import date, datetime

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEvent
from catalog.models import Occupation, SkillLevel
from core.errors import DomainError
from core.importing import read_sheet
from trainees.models import Certificate
from trainees.services.certificates import COLUMNS, certificate_add, certificate_import

from .factories import make_id, register

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

ID = make_id(seq=2)


@pytest.fixture
def person():
    return register(ID, name="张晓梅")


def add(actor, trainee, number="ZS-001", type="skill_level", **kw):
    return certificate_add(
        actor=actor,
        trainee=trainee,
        type=type,
        number=number,
        occupation=Occupation.objects.get(code="4-10-01-05"),
        skill_level=SkillLevel.objects.get(code="level5"),
        issuing_body="绥化市职业技能鉴定中心",
        issue_date=kw.pop("issue_date", date(2024, 6, 1)),
        **kw,
    )


def xlsx(*rows, header=COLUMNS) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(header)
    for r in rows:
        book.active.append(r)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def line(number="ZS-100", id_number=ID, name="张晓梅", type="职业技能等级证书", issued="2024-06-01"):
    return [id_number, name, type, number, "4-10-01-05", "五级", "绥化市职业技能鉴定中心", issued]


def test_a_certificate_number_is_unique_per_type(county_user, person):
    first = add(county_user, person, number=" ZS-001 ")
    assert first.number == "ZS-001" and first.recorded_by == county_user
    with pytest.raises(DomainError, match="ZS-001 已登记"):
        add(county_user, person, number="ZS-001")
    add(county_user, person, number="ZS-001", type="special_ability")  # another type may reuse the number
    assert Certificate.objects.count() == 2
    assert AuditEvent.objects.filter(action="certificate.recorded").count() == 2


def test_certificate_add_refuses_bad_values_and_outsiders(county_user, make_user, province_user, person):
    with pytest.raises(DomainError, match="证书类型"):
        add(county_user, person, type="diploma")
    with pytest.raises(DomainError, match="晚于今天"):
        add(county_user, person, issue_date=date(2999, 1, 1))
    for outsider in (make_user("county", "231281", username="anda"), province_user):
        with pytest.raises(PermissionDenied):
            add(outsider, person)
    assert not Certificate.objects.exists()


def test_an_excel_file_of_good_rows_is_imported(county_user, person):
    other = register(make_id("231202", seq=3), name="李建国")
    data = xlsx(line("ZS-100"), line("ZS-101", other.id_number.lower(), "李建国", issued=datetime(2024, 7, 1)))
    report = certificate_import(actor=county_user, sheet=read_sheet(data, "certificates.xlsx"))
    assert report.ok, report.errors
    assert report.created == 2
    assert Certificate.objects.get(number="ZS-101").trainee == other
    assert Certificate.objects.get(number="ZS-100").skill_level.code == "level5"


def test_an_excel_file_with_any_bad_row_imports_nothing_and_names_row_and_column(county_user, person):
    data = xlsx(
        line("ZS-200"),  # row 2: good
        line("ZS-201", id_number=make_id(seq=9)),  # 3: valid number, not registered
        line("ZS-202", name="张小梅"),  # 4
        line("ZS-203", type="毕业证"),  # 5
        line("ZS-204", issued="2024-13-01"),  # 6
        line("ZS-205", id_number=ID[:17] + ("1" if ID[17] != "1" else "2")),  # 7: wrong check character
        line("ZS-200"),  # 8: the same number twice in the file
    )
    report = certificate_import(actor=county_user, sheet=read_sheet(data, "certificates.xlsx"))
    assert report.created == 0
    assert not Certificate.objects.exists()
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "身份证号码"),
        (4, "姓名"),
        (5, "证书类型"),
        (6, "发证日期"),
        (7, "身份证号码"),
        (8, "证书编号"),
    ]
    assert "尚未登记" in report.errors[0].message
    assert "校验位" in report.errors[4].message
    assert str(report.errors[0]).startswith("第 3 行「身份证号码」")


def test_a_sheet_without_the_template_columns_is_refused(county_user):
    report = certificate_import(actor=county_user, sheet=read_sheet(xlsx(header=COLUMNS[:-1]), "c.xlsx"))
    assert "发证日期" in str(report.errors[0])


def test_the_import_page_uploads_a_workbook(client, county_user, person):
    client.force_login(county_user)
    upload = SimpleUploadedFile("certificates.xlsx", xlsx(line("ZS-300")))
    response = client.post("/trainees/certificates/import/", {"file": upload})
    assert response.status_code == 302
    assert Certificate.objects.get().number == "ZS-300"
    bad = SimpleUploadedFile("certificates.xlsx", xlsx(line("ZS-301", name="张小梅")))
    response = client.post("/trainees/certificates/import/", {"file": bad})
    assert response.status_code == 400
    assert "姓名与身份证号登记的姓名不一致" in response.content.decode()
    assert ID not in response.content.decode()


def test_a_date_cell_with_a_time_of_day_is_taken_as_its_date(county_user, person):
    """Excel date cells often carry a time (2024-06-01 08:30); the import must not crash on them."""
    data = xlsx(line("ZS-400", issued=datetime(2024, 6, 1, 8, 30)))
    report = certificate_import(actor=county_user, sheet=read_sheet(data, "certificates.xlsx"))
    assert report.ok, report.errors
    assert Certificate.objects.get().issue_date == date(2024, 6, 1)
