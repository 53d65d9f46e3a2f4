"""Key-area tags (重点领域): their history rules, the Excel import and the province's page."""

import io
from datetime import date

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import KeyArea, Occupation, OccupationKeyArea
from core.errors import DomainError
from institutions.models import ProgramKeyArea, TrainingMode
from institutions.services.key_areas import (
    COLUMNS,
    key_area_import,
    key_area_tag_end,
    occupation_key_area_tag,
    program_key_area_tag,
)
from tests.institutions.factories import DesignatedInstitutionFactory, ProgramFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

CARE_WORKER = "4-10-01-05"


@pytest.fixture
def province(make_user):
    return make_user("province", "23", username="province-official")


def area(code: str) -> KeyArea:
    return KeyArea.objects.get(code=code)


def tag(province, code=CARE_WORKER, key_area="care", valid_from=date(2025, 1, 1)):
    occupation = Occupation.objects.get(code=code)
    return occupation_key_area_tag(
        actor=province, occupation=occupation, key_area=area(key_area), valid_from=valid_from
    )


def test_the_key_areas_are_seed_001s_words():
    names = set(KeyArea.objects.values_list("name", flat=True))
    assert {"人工智能", "康养照护", "乡村振兴", "现代物流", "冰雪经济", "智慧农机", "低空经济"} <= names


def test_a_tag_from_a_later_date_ends_the_open_one_the_day_before(province):
    first = tag(province)
    second = tag(province, key_area="platform_economy", valid_from=date(2026, 3, 1))

    first.refresh_from_db()
    assert first.valid_to == date(2026, 2, 28) and second.valid_to is None
    assert OccupationKeyArea.objects.filter(occupation__code=CARE_WORKER).count() == 2


def test_a_tag_that_would_overlap_a_later_one_is_refused(province):
    tag(province, valid_from=date(2026, 1, 1))

    with pytest.raises(DomainError, match="已有重点领域标记"):
        tag(province, key_area="new_energy", valid_from=date(2025, 6, 1))


def test_a_tag_starting_inside_an_ended_one_is_refused(province):
    ended = tag(province, valid_from=date(2025, 1, 1))
    key_area_tag_end(actor=province, tag=ended, valid_to=date(2025, 12, 31))

    with pytest.raises(DomainError, match="已有重点领域标记"):
        tag(province, key_area="new_energy", valid_from=date(2025, 6, 1))
    assert tag(province, key_area="new_energy", valid_from=date(2026, 1, 1)).valid_to is None


def test_the_same_area_again_is_refused(province):
    tag(province)

    with pytest.raises(DomainError, match="已标记为"):
        tag(province, valid_from=date(2026, 1, 1))


def test_a_tag_cannot_end_before_it_starts_or_twice(province):
    t = tag(province, valid_from=date(2025, 3, 1))

    with pytest.raises(DomainError, match="不能早于起始日期"):
        key_area_tag_end(actor=province, tag=t, valid_to=date(2025, 2, 28))
    key_area_tag_end(actor=province, tag=t, valid_to=date(2025, 3, 1))
    with pytest.raises(DomainError, match="已于"):
        key_area_tag_end(actor=province, tag=t, valid_to=date(2025, 4, 1))


def test_programs_the_ledger_cannot_tell_apart_cannot_have_overlapping_tags(province):
    """The ledger knows institution, occupation, level and type, not the mode: two modes are one key."""
    offline = ProgramFactory(mode=TrainingMode.OFFLINE)
    online = ProgramFactory(institution=offline.institution, occupation=offline.occupation, mode=TrainingMode.ONLINE)
    program_key_area_tag(actor=province, program=offline, key_area=area("care"), valid_from=date(2025, 1, 1))

    with pytest.raises(DomainError, match="已有重点领域标记"):
        program_key_area_tag(actor=province, program=online, key_area=area("care"), valid_from=date(2024, 1, 1))
    copied = ProgramKeyArea.objects.get(program=offline)
    assert (copied.institution_id, copied.occupation_id, copied.skill_level_id) == (
        offline.institution_id,
        offline.occupation_id,
        offline.skill_level_id,
    )


@pytest.mark.parametrize("role,region", [("city", "2312"), ("county", "231202"), ("admin", None)])
def test_only_the_province_tags(make_user, role, region):
    someone = make_user(role, region)

    with pytest.raises(PermissionDenied):
        tag(someone)
    assert not OccupationKeyArea.objects.exists()


def workbook(headers, rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_import_tags_occupations_and_programs(province):
    program = ProgramFactory(institution=DesignatedInstitutionFactory())
    data = workbook(
        COLUMNS,
        [[CARE_WORKER, None, "康养照护", "2025-01-01"], [None, str(program.pk), "冰雪经济", date(2025, 2, 1)]],
    )

    report = key_area_import(actor=province, data=data, filename="重点领域.xlsx")

    assert report.ok and report.created == 2
    assert OccupationKeyArea.objects.get(occupation__code=CARE_WORKER).key_area.name == "康养照护"
    assert ProgramKeyArea.objects.get(program=program).valid_from == date(2025, 2, 1)


def test_the_import_names_every_bad_row_and_saves_nothing(province):
    tag(province, code="4-01-02-01", valid_from=date(2026, 1, 1))
    data = workbook(
        COLUMNS,
        [
            [CARE_WORKER, None, "康养照护", "2025-01-01"],  # good, but not saved
            ["9-99-99-99", None, "康养照护", "2025-01-01"],
            [CARE_WORKER, None, "数字孪生", "2025-01-01"],
            [CARE_WORKER, None, "康养照护", "2025年1月"],
            [None, None, "康养照护", "2025-01-01"],
            [None, "999999", "康养照护", "2025-01-01"],
            ["4-01-02-01", None, "新能源", "2025-06-01"],  # overlaps the tag from 2026
        ],
    )

    report = key_area_import(actor=province, data=data, filename="重点领域.xlsx")

    assert report.created == 0 and OccupationKeyArea.objects.count() == 1
    errors = [(e.row, e.column) for e in report.errors]
    assert errors == [(3, "职业编码"), (4, "重点领域"), (5, "起始日期"), (6, "职业编码"), (7, "项目"), (8, "起始日期")]
    assert "找不到职业编码 9-99-99-99" in report.errors[0].message
    assert "康养照护" in report.errors[1].message  # the list to choose from
    assert "已有重点领域标记" in report.errors[5].message


def test_the_import_says_which_columns_are_missing(province):
    report = key_area_import(
        actor=province, data=workbook(["职业编码", "起始日期"], [[CARE_WORKER, "2025-01-01"]]), filename="a.xlsx"
    )

    assert not report.ok and "重点领域" in str(report.errors[0])


def test_the_page_adds_ends_and_imports_tags(client, province):
    client.force_login(province)
    response = client.post(
        "/institutions/key-areas/",
        {"occupation_code": CARE_WORKER, "key_area": area("care").pk, "valid_from": "2025-01-01"},
    )
    assert response.status_code == 302
    t = OccupationKeyArea.objects.get()

    page = client.get("/institutions/key-areas/")
    assert page.status_code == 200 and "康养照护" in page.content.decode()
    assert "/institutions/key-areas/" in page.content.decode()  # the menu entry

    assert client.post(f"/institutions/key-areas/occupation/{t.pk}/end/", {"valid_to": "2025-12-31"}).status_code == 302
    t.refresh_from_db()
    assert t.valid_to == date(2025, 12, 31)

    bad = workbook(COLUMNS, [["9-99-99-99", None, "康养照护", "2025-01-01"]])
    response = client.post("/institutions/key-areas/import/", {"file": SimpleUploadedFile("k.xlsx", bad)})
    assert response.status_code == 400 and "找不到职业编码" in response.content.decode()
    template = client.get("/institutions/key-areas/import/")
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_page_is_the_provinces_only(client, make_user):
    client.force_login(make_user("city", "2312", username="suihua-official"))

    assert client.get("/institutions/key-areas/").status_code == 403
    assert "/institutions/key-areas/" not in client.get("/").content.decode()
