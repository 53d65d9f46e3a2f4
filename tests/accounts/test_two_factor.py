import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEvent

from .factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def required(settings):
    settings.TWO_FACTOR_REQUIRED = True


def code(device) -> str:
    device.refresh_from_db()
    device.last_t = -1  # the same 30-second step may be used once more in a test
    device.throttling_failure_count, device.throttling_failure_timestamp = 0, None  # django-otp's back-off
    device.save(update_fields=["last_t", "throttling_failure_count", "throttling_failure_timestamp"])
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def enable(client, user) -> TOTPDevice:
    client.force_login(user)
    client.get("/accounts/2fa/setup/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    client.post("/accounts/2fa/setup/", {"token": code(device), "next": "/"})
    return device


def test_bureau_staff_must_set_up_an_authenticator_before_any_page(client, county_user):
    client.force_login(county_user)
    response = client.get("/institutions/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/setup/")
    assert client.get("/api/regions/").status_code == 403


def test_a_wrong_code_is_refused_and_the_right_one_enables_and_verifies(client, county_user):
    client.force_login(county_user)
    page = client.get("/accounts/2fa/setup/")
    assert "密钥" in page.content.decode()
    assert client.post("/accounts/2fa/setup/", {"token": "000000"}).status_code == 400
    device = TOTPDevice.objects.get(user=county_user, confirmed=False)
    response = client.post("/accounts/2fa/setup/", {"token": code(device), "next": "/institutions/"})
    assert response.status_code == 302 and response["Location"] == "/institutions/"
    assert client.get("/institutions/").status_code == 200
    assert AuditEvent.objects.filter(action="user.two_factor_enabled", actor=county_user).exists()


def test_the_next_sign_in_asks_for_a_code(client, county_user):
    device = enable(client, county_user)
    client.logout()
    client.force_login(county_user)
    response = client.get("/")
    assert response["Location"].startswith("/accounts/2fa/verify/")
    assert client.post("/accounts/2fa/verify/", {"token": "123456"}).status_code == 400
    assert AuditEvent.objects.filter(action="user.two_factor_failed", actor=county_user).exists()
    assert client.post("/accounts/2fa/verify/", {"token": code(device), "next": "/"}).status_code == 302
    assert client.get("/").status_code == 200


def test_institution_users_are_not_required_to_use_two_factor(client, make_user):
    client.force_login(make_user("institution", None))
    assert client.get("/").status_code == 200


def test_finance_needs_a_fresh_password_and_code_before_recording_a_payment(client, make_user):
    finance = make_user("finance", "2312", username="fin2fa")
    device = enable(client, finance)
    response = client.post("/claims/payments/classes/999999/advance/", {"bank_reference": "X"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/reauth/")
    refused = client.post("/accounts/2fa/reauth/", {"password": "wrong", "token": code(device), "next": "/"})
    assert refused.status_code == 400
    ok = client.post("/accounts/2fa/reauth/", {"password": PASSWORD, "token": code(device), "next": "/"})
    assert ok.status_code == 302
    # Re-authenticated: the request now reaches the view (which finds no such class).
    assert client.post("/claims/payments/classes/999999/advance/", {"bank_reference": "X"}).status_code == 404
    assert AuditEvent.objects.filter(action="user.reauthenticated", actor=finance).exists()
