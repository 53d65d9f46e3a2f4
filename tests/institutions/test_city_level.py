"""Institutions seated at a city itself (市直, counted for the city's 市本级): the city bureau registers and designates
them, a county clerk cannot, nobody seats one at the province; the registration form, the API and the Excel import
offer the city as 绥化市（市本级） to the city's staff only; a move to 市本级 is the city's to approve."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient

from core.errors import DomainError
from core.policy import can
from institutions.models import Institution, InstitutionStatus
from institutions.services.imports import KINDS
from institutions.services.institutions import change_request_decide, institution_transition, institution_update_profile

from .factories import DesignatedInstitutionFactory, credit_code
from .services_kit import ON, register
from .test_import_export import institution_row, upload, workbook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def test_the_city_bureau_registers_and_designates_an_institution_at_its_own_level(city_user, region):
    institution = register(city_user, region, county=region("2312"), name="绥化市就业训练中心", applied_on=ON)

    institution_transition(
        actor=city_user,
        institution=institution,
        to_status=InstitutionStatus.DESIGNATED,
        reason="认定",
        effective_date=ON,
    )

    institution.refresh_from_db()
    assert (institution.county.code, institution.status) == ("2312", InstitutionStatus.DESIGNATED)


def test_a_county_clerk_can_neither_seat_an_institution_at_the_city_nor_decide_one_there(county_user, region):
    with pytest.raises(PermissionDenied):
        register(county_user, region, county=region("2312"))
    institution = DesignatedInstitutionFactory(county=region("2312"))

    assert not can(county_user, "institution.view", institution)
    assert not can(county_user, "institution.decide", institution)


@pytest.mark.parametrize(
    ("role", "code"), [("province", "23"), ("city", "2312"), ("county", "231202"), ("admin", None)]
)
def test_nobody_seats_an_institution_at_the_province(make_user, region, role, code):
    actor = make_user(role, code, username=f"seat-{role}")

    with pytest.raises((DomainError, PermissionDenied)):
        register(actor, region, county=region("23"))
    assert not Institution.objects.exists()


def test_the_registration_form_offers_the_city_itself_to_the_city_only(client, city_user, county_user):
    client.force_login(city_user)
    options = re.findall(
        r"<option value=\"\d+\"[^>]*>([^<]+)</option>", client.get("/institutions/new/").content.decode()
    )
    assert "绥化市（市本级）" in options and "北林区" in options
    client.force_login(county_user)
    options = re.findall(
        r"<option value=\"\d+\"[^>]*>([^<]+)</option>", client.get("/institutions/new/").content.decode()
    )
    assert "北林区" in options and not any("市本级" in o for o in options)


def test_the_api_takes_the_city_code_for_the_city_and_refuses_it_to_a_county(city_user, county_user):
    body = {
        "name": "绥化市高技能人才培训基地",
        "credit_code": credit_code(770001),
        "type": "high_skill_base",
        "county": "2312",
        "address": "绥化市北林区康庄路 1 号",
        "contact_person": "周敏",
        "contact_phone": "13845500002",
    }
    city = APIClient()
    city.force_authenticate(city_user)
    county = APIClient()
    county.force_authenticate(county_user)

    assert county.post("/api/institutions/", body, format="json").status_code == 400
    created = city.post("/api/institutions/", body, format="json")
    assert created.status_code == 201, created.json()
    assert Institution.objects.get(name="绥化市高技能人才培训基地").county.code == "2312"


def test_the_excel_import_reads_the_city_seat_as_city_level(client, city_user):
    client.force_login(city_user)
    data = workbook(
        KINDS["institutions"].columns,
        {
            2: institution_row(1, **{"所在县（市、区）": "绥化市（市本级）"}),
            3: institution_row(2, **{"所在县（市、区）": "2312"}),
        },
    )
    preview = upload(client, "institutions", data)
    token = re.search(r'name="token" value="([0-9a-f]+)"', preview.content.decode()).group(1)

    assert client.post("/institutions/import/institutions/", {"token": token}).status_code == 302
    assert set(Institution.objects.values_list("county__code", flat=True)) == {"2312"}


def test_a_move_to_the_city_level_is_approved_by_the_city_not_by_the_county_clerk(
    make_user, region, county_user, city_user
):
    institution = DesignatedInstitutionFactory(county=region("231202"))
    owner = make_user("institution", None, institution=institution, username="owner")
    request = institution_update_profile(actor=owner, institution=institution, changes={"county": region("2312")})

    with pytest.raises(PermissionDenied):
        change_request_decide(actor=county_user, request=request, approve=True)
    institution.refresh_from_db()
    assert institution.county.code == "231202"
    change_request_decide(actor=city_user, request=request, approve=True)
    institution.refresh_from_db()
    assert institution.county.code == "2312"
