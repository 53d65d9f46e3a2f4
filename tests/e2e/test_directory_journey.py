import re
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from catalog.models import Occupation, Region
from institutions.models import Institution, InstitutionStatus, Program
from institutions.services.institutions import institution_register
from tests.accounts.factories import PASSWORD
from tests.institutions.factories import credit_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_county_staff_designates_an_institution_lists_a_program_and_the_public_directory_shows_it(
    page, live_server, sign_in, make_user, reference_data, screenshot
):
    staff = make_user("county", "231202")
    institution = institution_register(
        actor=staff,
        name="北林区旅程职业技能培训学校",
        credit_code=credit_code(990001),
        type="private",
        county=Region.objects.get(code="231202"),
        address="北林区中直路 66 号",
        contact_person="王丽",
        contact_phone="13845512345",
        applied_on=date(2024, 1, 1),
    )
    occupation = Occupation.objects.get(code="4-10-01-05")

    sign_in(staff.username, PASSWORD)
    page.goto(f"{live_server.url}/institutions/")
    page.get_by_test_id("institution-table").get_by_role("link", name=institution.name).click()
    expect(page.get_by_test_id("institution-name")).to_have_text(institution.name)

    form = page.get_by_test_id("transition-form")
    form.get_by_label("变更为").select_option(label="已认定")
    expect(form.get_by_label("生效日期")).to_have_value(timezone.localdate().isoformat())
    form.get_by_label("理由", exact=True).fill("经现场评审符合认定条件")
    form.get_by_role("button", name="确认变更").click()
    expect(page.get_by_role("alert")).to_contain_text("认定状态已变更")
    expect(page.get_by_test_id("history")).to_contain_text("申请中 → 已认定")
    expect(page.get_by_test_id("history")).to_contain_text("经现场评审符合认定条件")

    page.get_by_role("link", name="列入培训项目").click()
    expect(page.get_by_role("heading", name="列入培训项目")).to_be_visible()
    expect(page.get_by_label("培训机构")).to_have_value(str(institution.pk))
    page.get_by_label("职业（工种）").select_option(value=str(occupation.pk))
    page.get_by_label("技能等级").select_option(label="五级/初级工")
    page.get_by_label("培训类型").select_option(label="就业技能培训")
    page.get_by_label("培训方式").select_option(label="线下")
    page.get_by_label("理论课时").fill("20")
    page.get_by_label("实操课时").fill("60")
    page.get_by_label("培训费（元/人）").fill("1200")
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(rf"/institutions/{institution.pk}/$"))
    expect(page.get_by_test_id("program-table")).to_contain_text(occupation.name)

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/public/")
    page.get_by_test_id("public-directory").get_by_role("link", name=institution.name).click()
    expect(page.get_by_role("heading", name=institution.name)).to_be_visible()
    expect(page.get_by_test_id("public-programs")).to_contain_text(occupation.name)
    expect(page.get_by_test_id("public-programs")).to_contain_text("1200")
    expect(page.get_by_text("王丽")).to_have_count(0)

    assert Institution.objects.get(pk=institution.pk).status == InstitutionStatus.DESIGNATED
    assert Program.objects.filter(institution=institution, status="listed").count() == 1
    screenshot()
