"""The public directory, pages and API, without login: designated institutions and listed programs only,
and no personal data."""

import json
from datetime import date

import pytest

from institutions.models import InstitutionStatus
from institutions.services.institutions import teacher_add
from institutions.services.programs import program_set_status

from .factories import DesignatedInstitutionFactory, InstitutionFactory, ProgramFactory, bureau_actor, transition

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

TEACHER = "赵铁柱"
ID_NUMBER = "230102199001011234"
CONTACT = "钱多多"


@pytest.fixture
def directory():
    designated = DesignatedInstitutionFactory(name="北林区公开培训学校", contact_person=CONTACT)
    teacher_add(actor=bureau_actor(designated.county), institution=designated, name=TEACHER, id_number=ID_NUMBER)
    listed = ProgramFactory(institution=designated)
    delisted = ProgramFactory(institution=designated, mode="online", theory_hours=11, practice_hours=22)
    program_set_status(
        actor=bureau_actor(designated.county),
        program=delisted,
        to_status="delisted",
        reason="停止招生",
        effective_date=date(2024, 5, 1),
    )
    applied = InstitutionFactory(name="北林区申请中学校", contact_person=CONTACT)
    suspended = transition(
        DesignatedInstitutionFactory(name="北林区暂停学校", contact_person=CONTACT),
        InstitutionStatus.SUSPENDED,
        date(2024, 6, 1),
    )
    revoked = transition(
        DesignatedInstitutionFactory(name="北林区撤销学校"), InstitutionStatus.REVOKED, date(2024, 6, 1)
    )
    return {"designated": designated, "listed": listed, "applied": applied, "suspended": suspended, "revoked": revoked}


HIDDEN = ("北林区申请中学校", "北林区暂停学校", "北林区撤销学校")
PERSONAL = (TEACHER, ID_NUMBER, "230102***********4", CONTACT)


def test_public_directory_lists_only_designated_institutions(client, directory):
    response = client.get("/public/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "北林区公开培训学校" in html
    assert not [name for name in HIDDEN if name in html]


def test_public_institution_page_shows_listed_programs_only(client, directory):
    response = client.get(f"/public/institutions/{directory['designated'].pk}/")
    assert response.status_code == 200
    programs = response.content.decode().split('data-testid="public-programs"', 1)[1].split("</table>", 1)[0]
    assert programs.count("<tr><td>") == 1
    assert "<td>80</td>" in programs and "<td>33</td>" not in programs  # 20+60 listed; 11+22 delisted


@pytest.mark.parametrize("which", ["applied", "suspended", "revoked"])
def test_public_page_of_a_not_designated_institution_is_not_found(client, directory, which):
    assert client.get(f"/public/institutions/{directory[which].pk}/").status_code == 404
    assert client.get(f"/api/public/institutions/{directory[which].pk}/").status_code == 404


def test_public_api_lists_designated_institutions_with_listed_programs(client, directory):
    response = client.get("/api/public/institutions/")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["name"] == "北林区公开培训学校" and row["county_code"] == "231202"
    assert [(p["theory_hours"], p["practice_hours"]) for p in row["programs"]] == [(20, 60)]


@pytest.mark.parametrize(
    "path",
    ["/public/", "/public/institutions/{pk}/", "/api/public/institutions/", "/api/public/institutions/{pk}/"],
)
def test_no_teacher_or_contact_person_data_is_public(client, directory, path):
    response = client.get(path.format(pk=directory["designated"].pk))
    assert response.status_code == 200
    text = response.content.decode()
    if path.startswith("/api/"):
        text = json.dumps(response.json(), ensure_ascii=False)
        assert "contact_person" not in text and "teachers" not in text
    assert not [value for value in PERSONAL if value in text]


def test_public_search_by_county_keeps_to_designated_institutions(client, directory):
    response = client.get("/api/public/institutions/", {"region": "2312"})
    assert [row["name"] for row in response.json()["results"]] == ["北林区公开培训学校"]
    html = client.get("/public/", {"q": "北林区"}).content.decode()
    assert "北林区公开培训学校" in html and not [name for name in HIDDEN if name in html]
