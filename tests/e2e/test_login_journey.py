import pytest
from playwright.sync_api import expect

from tests.accounts.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_county_staff_signs_in_on_the_chinese_login_page_and_sees_the_county_home(
    page, sign_in, county_user, screenshot
):
    sign_in(county_user.username, "wrong-password")
    expect(page.get_by_test_id("login-error")).to_contain_text("请输入一个正确的")

    sign_in(county_user.username, PASSWORD)
    expect(page.get_by_test_id("home-title")).to_have_text("北林区人社局工作台")
    expect(page.get_by_test_id("current-user")).to_contain_text("黑龙江省绥化市北林区")
    expect(page.get_by_role("link", name="审计日志")).to_be_visible()
    screenshot()
