"""The institutions pages' workflows, by the right roles: registration, designation, programs, change requests and
urgent lists, through the pages."""

import re
from datetime import timedelta

import pytest

from accounts.models import AuditEvent
from institutions.models import (
    Institution,
    InstitutionStatus,
    ProfileChangeRequest,
    Program,
    ProgramStatus,
)
from institutions.services.institutions import (
    institution_record_class,
)

from . import pages_kit as kit
from .factories import (
    DesignatedInstitutionFactory,
    InstitutionFactory,
    ProgramFactory,
    credit_code,
)
from .pages_kit import (
    list_rows,
    new_institution_data,
    profile_data,
    program_data,
    today,
    transition_data,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]
world = kit.world  # the fixture


def test_county_user_registers_an_institution_with_the_form(client, county_user, region):
    client.force_login(county_user)
    response = client.post("/institutions/new/", new_institution_data(region("231202")))
    institution = Institution.objects.get(name="北林区新星职业培训学校")
    assert response.status_code == 302 and response["Location"] == f"/institutions/{institution.pk}/"
    assert institution.status == InstitutionStatus.APPLIED
    assert institution.status_changes.get().to_status == InstitutionStatus.APPLIED


def test_wrong_credit_code_check_character_is_a_chinese_form_error_and_nothing_is_saved(client, county_user, region):
    good = credit_code(770002)
    wrong = good[:-1] + ("1" if good[-1] != "1" else "2")
    client.force_login(county_user)
    response = client.post("/institutions/new/", new_institution_data(region("231202"), credit_code=wrong))
    assert response.status_code == 400
    assert "统一社会信用代码校验位不正确" in response.content.decode()
    assert not Institution.objects.exists()
    assert not AuditEvent.objects.filter(action="institution.applied").exists()


def test_county_user_designates_an_applied_institution_and_the_history_shows_it(client, county_user):
    institution = InstitutionFactory()
    client.force_login(county_user)
    response = client.post(
        f"/institutions/{institution.pk}/transition/", transition_data("designated", "经评审符合认定条件"), follow=True
    )
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.DESIGNATED and institution.designated_since == today()
    history = re.search(r'data-testid="history">(.*?)</ul>', response.content.decode(), re.S).group(1)
    assert "申请中 → 已认定" in history and "经评审符合认定条件" in history
    assert AuditEvent.objects.filter(actor=county_user, action="institution.designated").exists()


def test_a_refused_transition_leaves_the_status_and_shows_the_reason(client, county_user):
    institution = InstitutionFactory()
    client.force_login(county_user)
    response = client.post(
        f"/institutions/{institution.pk}/transition/", transition_data("revoked", "测试"), follow=True
    )
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.APPLIED
    assert "不能从“申请中”变更为“已撤销”" in response.content.decode()


def test_county_user_lists_a_program_through_the_program_page(client, county_user):
    institution = DesignatedInstitutionFactory()
    client.force_login(county_user)
    form_page = client.get("/institutions/programs/new/", {"institution": institution.pk})
    assert "列入培训项目" in form_page.content.decode()
    response = client.post("/institutions/programs/new/", program_data(institution))
    assert response.status_code == 302 and response["Location"] == f"/institutions/{institution.pk}/"
    program = Program.objects.get(institution=institution)
    assert program.status == ProgramStatus.LISTED and program.standard_hours == 80


def test_an_applied_institution_cannot_be_chosen_for_a_program(client, county_user):
    institution = InstitutionFactory()
    client.force_login(county_user)
    assert client.post("/institutions/programs/new/", program_data(institution)).status_code == 400
    assert not Program.objects.exists()


def test_county_user_delists_a_program_only_with_a_reason(client, county_user):
    program = ProgramFactory()
    client.force_login(county_user)
    url = f"/institutions/programs/{program.pk}/status/"
    client.post(url, transition_data("delisted", ""))
    program.refresh_from_db()
    assert program.status == ProgramStatus.LISTED

    response = client.post(url, transition_data("delisted", "连续两期无人报名"))
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.status == ProgramStatus.DELISTED and program.delisted_on == today()
    assert program.status_changes.last().reason == "连续两期无人报名"


def test_institution_user_changes_the_contact_phone_directly(client, make_user):
    institution = DesignatedInstitutionFactory()
    client.force_login(make_user("institution", None, institution=institution))
    response = client.post(
        f"/institutions/{institution.pk}/edit/", profile_data(institution, contact_phone="0455-8123456")
    )
    assert response.status_code == 302
    institution.refresh_from_db()
    assert institution.contact_phone == "0455-8123456"
    assert not ProfileChangeRequest.objects.exists()


def test_institution_name_change_waits_for_the_county_and_is_applied_on_approval(client, make_user, county_user):
    institution = DesignatedInstitutionFactory(name="北林区旧名培训学校")
    client.force_login(make_user("institution", None, institution=institution))
    client.post(f"/institutions/{institution.pk}/edit/", profile_data(institution, name="北林区新名培训学校"))
    institution.refresh_from_db()
    assert institution.name == "北林区旧名培训学校"
    change = ProfileChangeRequest.objects.get(institution=institution, status="pending")
    detail = client.get(f"/institutions/{institution.pk}/").content.decode()
    assert "待审核的信息变更" in detail and "北林区新名培训学校" in detail

    client.force_login(county_user)
    response = client.post(
        f"/institutions/{institution.pk}/changes/{change.pk}/decide/", {"approve": "1", "reason": ""}
    )
    assert response.status_code == 302
    institution.refresh_from_db()
    change.refresh_from_db()
    assert institution.name == "北林区新名培训学校" and change.status == "approved"
    assert "待审核的信息变更" not in client.get(f"/institutions/{institution.pk}/").content.decode()


def test_list_flags_an_institution_designated_over_a_year_ago_without_a_class(client, county_user):
    DesignatedInstitutionFactory(name="北林区久未开班学校", designated_on=today() - timedelta(days=400))
    active = DesignatedInstitutionFactory(name="北林区常开班学校", designated_on=today() - timedelta(days=400))
    institution_record_class(institution=active, start_date=today() - timedelta(days=30))
    DesignatedInstitutionFactory(name="北林区新认定学校", designated_on=today() - timedelta(days=100))
    client.force_login(county_user)

    rows = {
        re.search(r">([^<]+)</a>", row).group(1): row
        for row in list_rows(client.get("/institutions/").content.decode())
    }
    assert "满一年未开班" in rows["北林区久未开班学校"]
    assert "满一年未开班" not in rows["北林区常开班学校"]
    assert "满一年未开班" not in rows["北林区新认定学校"]

    only_inactive = list_rows(client.get("/institutions/", {"inactive": "on"}).content.decode())
    assert len(only_inactive) == 1 and "北林区久未开班学校" in only_inactive[0]
