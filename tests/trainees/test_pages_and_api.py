"""Pages and API of the register: masked everywhere, full values only by an audited reveal or full export,
searches by POST, and every read scoped (county, city, institution)."""

import io
from datetime import date

import openpyxl
import pytest
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from catalog.models import SkillLevel
from tests.institutions.factories import InstitutionFactory
from trainees.selectors import records_visible

from .factories import add_record, make_id, register

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

ID = make_id("231202", date(1985, 7, 15), seq=2)  # 231202198507150029
PHONE = "13845561234"
MASKED_ID = "231202***********9"  # area code and check character only (core.masking)
BIRTH_DATES = ("1985-07-15", "19850715", "1985年7月15日", "1985/07/15", "1985-7-15", "July 15, 1985", "7月15日")


@pytest.fixture
def person():
    return register(ID, name="张晓梅", phone=PHONE)


@pytest.fixture
def other():
    """Someone else registered in 北林区."""
    return register(make_id("231202", date(1970, 3, 20), seq=61), name="李建国")


@pytest.fixture
def institution_x():
    return InstitutionFactory(name="北林区甲职业技能培训学校")


@pytest.fixture
def inst_user(make_user, institution_x):
    return make_user("institution", None, institution=institution_x, username="inst-x")


def page_client(client, user):
    client.force_login(user)
    return client


def api(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def text(response) -> str:
    return response.content.decode()


def xlsx_text(response) -> str:
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return "\n".join(str(v) for row in book.active.iter_rows(values_only=True) for v in row if v is not None)


def assert_no_pii(body: str):
    assert ID not in body
    assert PHONE not in body
    assert "张晓梅" not in body
    shown = [d for d in BIRTH_DATES if d in body]
    assert not shown, f"the birth date is shown beside the masked number: {shown}"


# --- masking -------------------------------------------------------------------------------------------


def test_list_and_archive_pages_show_only_masked_values(client, county_user, person):
    c = page_client(client, county_user)
    listing = c.get("/trainees/")
    assert listing.status_code == 200
    assert MASKED_ID in text(listing) and "张*梅" in text(listing) and "138****1234" in text(listing)
    assert_no_pii(text(listing))
    detail = c.get(f"/trainees/{person.pk}/")
    assert detail.status_code == 200
    assert MASKED_ID in text(detail)
    assert 'data-testid="reveal-id_number"' in text(detail)
    assert_no_pii(text(detail))


def test_the_api_list_and_search_return_masked_values(county_user, person):
    listing = api(county_user).get("/api/trainees/")
    assert listing.status_code == 200
    [row] = listing.json()["results"]
    assert (row["id_number"], row["phone"], row["name"]) == (MASKED_ID, "138****1234", "张*梅")
    assert row["age"] == date.today().year - 1985 and "birth_date" not in row
    assert_no_pii(listing.content.decode())
    found = api(county_user).post("/api/trainees/search/", {"id_number": ID.lower()}, format="json")
    assert [r["id"] for r in found.json()] == [person.pk]
    assert_no_pii(found.content.decode())
    assert_no_pii(api(county_user).get(f"/api/trainees/{person.pk}/").content.decode())


def test_masked_export_holds_no_full_values(client, county_user, person):
    response = page_client(client, county_user).post("/trainees/export/")
    assert response.status_code == 200
    assert MASKED_ID in xlsx_text(response)
    assert "年龄" in xlsx_text(response) and "出生日期" not in xlsx_text(response)
    assert_no_pii(xlsx_text(response))
    assert AuditEvent.objects.filter(action="trainee.exported", actor=county_user).exists()


# --- reveal and full export ----------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value"), [("id_number", ID), ("phone", PHONE)])
def test_a_county_user_reveals_one_value_and_it_is_audited_without_the_value(client, county_user, person, field, value):
    response = page_client(client, county_user).post(f"/trainees/{person.pk}/reveal/", {"field": field})
    assert response.status_code == 200
    assert value in text(response)
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="trainee.revealed")
    assert event.actor == county_user and event.target_id == str(person.pk)
    assert event.details["field"] == field
    assert value not in str(event.details) and value not in event.target_repr


def test_the_api_reveal_returns_the_value_and_audits_it(county_user, person):
    response = api(county_user).post(f"/api/trainees/{person.pk}/reveal/", {"field": "id_number"}, format="json")
    assert response.status_code == 200
    assert response.json() == {"field": "id_number", "value": ID}
    assert AuditEvent.objects.filter(action="trainee.revealed", details__field="id_number").count() == 1


def test_province_and_institution_users_may_not_reveal(client, province_user, inst_user, institution_x, person):
    add_record(person, ref="r-x", institution=institution_x)  # the institution trained the person
    for user in (province_user, inst_user):
        client.force_login(user)
        assert client.post(f"/trainees/{person.pk}/reveal/", {"field": "id_number"}).status_code == 403
        api_reveal = api(user).post(f"/api/trainees/{person.pk}/reveal/", {"field": "id_number"}, format="json")
        assert api_reveal.status_code == 403
        assert ID not in api_reveal.content.decode()
    assert not AuditEvent.objects.filter(action="trainee.revealed").exists()


def test_a_county_user_cannot_reveal_someone_outside_the_county(client, make_user, person):
    anda = make_user("county", "231281", username="anda")
    assert page_client(client, anda).post(f"/trainees/{person.pk}/reveal/", {"field": "id_number"}).status_code == 404
    assert api(anda).post(f"/api/trainees/{person.pk}/reveal/", {"field": "id_number"}).status_code == 404


def test_full_export_by_a_county_user_holds_full_values_and_is_audited(client, county_user, person):
    response = page_client(client, county_user).post("/trainees/export/", {"full": "1"})
    assert response.status_code == 200
    content = xlsx_text(response)
    assert ID in content and PHONE in content and "张晓梅" in content
    assert "出生日期" in content and "1985-07-15" in content  # the birth date only behind the audited door
    event = AuditEvent.objects.get(action="trainee.exported_full")
    assert event.details == {"rows": 1, "full": True}


def test_full_export_by_an_institution_user_is_refused(client, inst_user, institution_x, person):
    add_record(person, ref="r-x", institution=institution_x)
    response = page_client(client, inst_user).post("/trainees/export/", {"full": "1"})
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="trainee.exported_full").exists()


# --- searching by POST only ----------------------------------------------------------------------------


def test_searching_by_id_number_is_a_post_and_a_query_string_does_not_filter(client, county_user, person, other):
    c = page_client(client, county_user)
    found = c.post("/trainees/", {"id_number": f" {ID[:6]} {ID[6:]} "})
    assert found.status_code == 200
    assert f"/trainees/{person.pk}/" in text(found) and f"/trainees/{other.pk}/" not in text(found)
    by_get = c.get("/trainees/", {"id_number": ID})
    assert f"/trainees/{person.pk}/" in text(by_get) and f"/trainees/{other.pk}/" in text(by_get)
    api_get = api(county_user).get("/api/trainees/", {"id_number": ID})
    assert {r["id"] for r in api_get.json()["results"]} == {person.pk, other.pk}


def test_a_search_without_criteria_goes_back_to_the_list(client, county_user):
    response = page_client(client, county_user).post("/trainees/", {"id_number": "", "name": ""})
    assert response.status_code == 302 and response.url == "/trainees/"


# --- scope ---------------------------------------------------------------------------------------------


def test_an_institution_cannot_find_a_person_it_never_trained_even_by_exact_id(client, inst_user, person):
    c = page_client(client, inst_user)
    page = c.post("/trainees/", {"id_number": ID})
    assert page.status_code == 200
    assert f"/trainees/{person.pk}/" not in text(page)
    assert "在您的管辖范围内没有找到该学员" in text(page)
    assert c.get(f"/trainees/{person.pk}/").status_code == 404
    assert api(inst_user).post("/api/trainees/search/", {"id_number": ID}, format="json").json() == []
    assert api(inst_user).get(f"/api/trainees/{person.pk}/").status_code == 404
    assert api(inst_user).get("/api/trainees/").json()["results"] == []


def test_another_county_cannot_see_the_person_and_the_city_can(client, make_user, city_user, person):
    anda = make_user("county", "231281", username="anda")
    c = page_client(client, anda)
    assert f"/trainees/{person.pk}/" not in text(c.post("/trainees/", {"id_number": ID}))
    assert c.get(f"/trainees/{person.pk}/").status_code == 404
    assert api(anda).post("/api/trainees/search/", {"id_number": ID}, format="json").json() == []

    c = page_client(client, city_user)
    assert f"/trainees/{person.pk}/" in text(c.post("/trainees/", {"id_number": ID}))
    assert c.get(f"/trainees/{person.pk}/").status_code == 200
    assert [r["id"] for r in api(city_user).get("/api/trainees/").json()["results"]] == [person.pk]


def test_training_in_another_county_makes_the_person_visible_there(client, make_user, person):
    add_record(person, ref="r-anda", county_code="231281")
    anda = make_user("county", "231281", username="anda")
    assert page_client(client, anda).get(f"/trainees/{person.pk}/").status_code == 200


def test_an_institution_sees_the_people_it_trained_but_only_its_own_records(client, inst_user, institution_x, person):
    institution_y = InstitutionFactory(name="北林区乙职业技能培训学校")
    add_record(person, ref="r-x", institution=institution_x, certificate_number="CERT-X-1")
    # Different levels: one claim subsidy per person, occupation and level is a database constraint.
    add_record(
        person,
        ref="r-y",
        institution=institution_y,
        certificate_number="CERT-Y-1",
        end_date=date(2024, 4, 1),
        skill_level=SkillLevel.objects.get(code="level4"),
    )
    add_record(
        person,
        ref="r-none",
        certificate_number="CERT-NONE-1",
        end_date=date(2024, 5, 1),
        skill_level=SkillLevel.objects.get(code="level3"),
    )

    c = page_client(client, inst_user)
    assert f"/trainees/{person.pk}/" in text(c.post("/trainees/", {"id_number": ID}))
    detail = c.get(f"/trainees/{person.pk}/")
    assert detail.status_code == 200
    body = text(detail)
    assert "CERT-X-1" in body and institution_x.name in body
    assert "CERT-Y-1" not in body and institution_y.name not in body and "CERT-NONE-1" not in body
    assert 'data-testid="reveal-' not in body
    assert_no_pii(body)
    assert [r.certificate_number for r in records_visible(user=inst_user, trainee=person)] == ["CERT-X-1"]
