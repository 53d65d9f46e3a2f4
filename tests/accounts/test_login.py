import pytest
from django.urls import reverse

from accounts.models import AuditEvent

from .factories import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def test_login_page_is_chinese(client, reference_data):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert "登录" in response.content.decode() and 'lang="zh-hans"' in response.content.decode()


def test_wrong_password_shows_a_chinese_message(client, county_user):
    response = client.post(LOGIN, {"username": county_user.username, "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_successful_login_lands_on_the_county_home_and_is_audited(client, county_user):
    response = client.post(LOGIN, {"username": county_user.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    home = client.get("/")
    assert "北林区人社局工作台" in home.content.decode()
    assert AuditEvent.objects.filter(action="user.signed_in", actor=county_user).count() == 1


def test_repeated_failures_lock_the_account_even_with_the_right_password(client, county_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": county_user.username, "password": "wrong"})
    response = client.post(LOGIN, {"username": county_user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_below_the_limit_do_not_lock(client, county_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(LOGIN, {"username": county_user.username, "password": "wrong"})
    response = client.post(LOGIN, {"username": county_user.username, "password": PASSWORD})
    assert response.status_code == 302


def test_pages_require_login(client, reference_data):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_session_has_an_idle_timeout(client, county_user, settings):
    client.force_login(county_user)
    client.get("/")
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert 0 < client.session.get_expiry_age() <= 30 * 60


def test_weak_password_is_refused_on_change(client, county_user):
    client.force_login(county_user)
    response = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"}
    )
    assert response.status_code == 200
    assert "密码" in response.content.decode() and "太短" in response.content.decode()


def test_password_change_is_audited(client, county_user):
    client.force_login(county_user)
    new = "Brand-new-secret-2026"
    response = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="user.password_changed", actor=county_user).exists()


@pytest.mark.parametrize("role", ["province", "city", "county", "finance", "institution", "admin"])
def test_every_role_has_a_home_page(client, make_user, role):
    region = {"province": "23", "city": "2312", "county": "231202", "finance": "2312"}.get(role)
    client.force_login(make_user(role, region))
    assert client.get("/").status_code == 200


def test_user_without_role_gets_no_home(client, make_user):
    client.force_login(make_user("", None))
    assert client.get("/").status_code == 403


def test_english_is_available_through_the_language_switch(client, county_user):
    client.force_login(county_user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert 'lang="en"' in page and "Audit log" in page
