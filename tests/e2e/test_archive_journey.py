from datetime import date

import pytest
from playwright.sync_api import expect

from accounts.models import AuditEvent
from catalog.models import Region
from tests.accounts.factories import PASSWORD
from trainees.idnumber import check_char
from trainees.services.people import trainee_register

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_county_staff_finds_a_person_by_id_number_and_reveals_the_full_number(
    page, live_server, sign_in, make_user, reference_data, screenshot
):
    staff = make_user("county", "231202")
    first17 = f"231202{date(1985, 7, 15):%Y%m%d}002"
    number = first17 + check_char(first17)
    person = trainee_register(
        actor=staff, id_number=number, name="张晓梅", county=Region.objects.get(code="231202"), phone="13845561234"
    )
    trainee_register(
        actor=staff, id_number="11010519491231002X", name="李建国", county=Region.objects.get(code="231202")
    )

    sign_in(staff.username, PASSWORD)
    page.goto(f"{live_server.url}/trainees/")
    expect(page.get_by_test_id("trainee-table").get_by_role("row")).to_have_count(3)  # header + two people
    search = page.get_by_test_id("search-form")
    search.get_by_label("身份证号（精确）").fill(f" {number[:6]} {number[6:]} ")  # typed with spaces
    search.get_by_role("button", name="查找").click()
    table = page.get_by_test_id("trainee-table")
    expect(table.get_by_role("row")).to_have_count(2)
    assert number not in page.url  # searched by POST
    table.get_by_role("link", name="张*梅").click()

    expect(page).to_have_url(f"{live_server.url}/trainees/{person.pk}/")
    shown = page.get_by_test_id("id-number")
    expect(shown).to_contain_text("***********")
    expect(shown).to_contain_text(f"{number[:6]}***********{number[-1]}")
    expect(shown).not_to_contain_text(number)
    page.get_by_test_id("reveal-id_number").click()
    expect(page.get_by_test_id("revealed")).to_have_text(number)

    event = AuditEvent.objects.get(action="trainee.revealed")
    assert event.actor_id == staff.pk and event.details["field"] == "id_number"
    assert number not in str(event.details)
    screenshot()
