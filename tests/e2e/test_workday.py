"""Each role's day in the demo world, in a browser at 1366×768: open the 工作台, follow its first to-do, finish
it, and find it gone from the 工作台. Every page on the way has no serious or critical axe violation; the
工作台 of each role is kept as a screenshot in test-artifacts/."""

import io

import pytest
from django.core.management import call_command
from django.test import TestCase
from playwright.sync_api import expect

from .axe import violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Peixun@2026"  # the demo users' password (README)


@pytest.fixture
def demo(reference_data):
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def day(page, live_server, sign_in, demo, screenshot):
    """Signed in as a demo user on their 工作台 at 1366×768; returns a checker for each page of the day."""
    page.set_viewport_size({"width": 1366, "height": 768})

    def start(username: str):
        sign_in(username, PASSWORD)
        expect(page.get_by_test_id("home-title")).to_be_visible()
        screenshot(f"workday_{username}")
        assert violations(page) == [], page.url

    return start


def accessible(page) -> None:
    assert violations(page) == [], page.url


def test_the_county_clerk_approves_the_class_waiting_on_the_workbench(page, day):
    day("beilin")
    card = page.get_by_test_id("todo-class_approvals")
    waiting = int(card.get_by_test_id("todo-count").inner_text())
    card.get_by_test_id("todo-item").first.click()
    accessible(page)
    page.get_by_test_id("decision-form").get_by_role("button", name="批准", exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()
    page.get_by_role("link", name="工作台").first.click()
    after = page.get_by_test_id("todo-class_approvals")
    if waiting == 1:
        expect(after).to_have_count(0)
    else:
        expect(after.get_by_test_id("todo-count")).to_have_text(str(waiting - 1))


def test_finance_records_the_advance_waiting_on_the_workbench(page, day):
    day("finance")
    card = page.get_by_test_id("todo-advances_to_record")
    card.get_by_role("link").first.click()
    accessible(page)
    page.get_by_test_id("payable-classes").get_by_role("link", name="登记预拨").first.click()
    accessible(page)
    page.get_by_label("银行流水号").fill("ADV-2026-0001")
    page.get_by_role("button", name="登记").click()
    expect(page.get_by_role("alert")).to_contain_text("预拨")


def test_the_institution_files_a_claim_for_its_finished_class(page, day):
    day("institution")
    card = page.get_by_test_id("todo-classes_to_claim")
    card.get_by_test_id("todo-item").first.click()  # the class, preselected on the claim form
    accessible(page)
    page.get_by_role("button", name="生成申请").click()
    expect(page.get_by_test_id("claim-name")).to_be_visible()
    accessible(page)
    page.get_by_test_id("submit-claim").click()
    expect(page.get_by_role("alert")).to_be_visible()


def test_the_provincial_official_opens_the_dashboard_from_the_workbench(page, day):
    day("province")
    page.get_by_test_id("sidebar").get_by_role("link", name="进度看板").click()
    expect(page.get_by_test_id("indicator-table")).to_be_visible()
    accessible(page)
