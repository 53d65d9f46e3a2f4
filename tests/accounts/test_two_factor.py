import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEvent
from tests.accounts.factories import TOTPDeviceFactory

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


# --- the probe's attack and the rules around it (issue 12, item 1) ------------------------------------------------


def password_only(client, user):
    """A fresh session that has passed the password step only."""
    client.logout()
    client.force_login(user)


def test_a_password_only_session_cannot_open_the_setup_page_or_enrol_another_authenticator(client, county_user):
    device = enable(client, county_user)
    password_only(client, county_user)
    page = client.get("/accounts/2fa/setup/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/2fa/verify/")
    posted = client.post("/accounts/2fa/setup/", {"token": code(device)})
    assert posted.status_code == 302 and posted["Location"].startswith("/accounts/2fa/verify/")
    assert list(TOTPDevice.objects.filter(user=county_user)) == [device]
    assert client.get("/api/trainees/").status_code == 403
    assert client.get("/accounts/2fa/reauth/")["Location"].startswith("/accounts/2fa/verify/")


def test_the_setup_service_refuses_an_unverified_session_of_a_user_with_an_authenticator(rf, county_user):
    from django_otp.middleware import OTPMiddleware

    from accounts import twofactor
    from core.errors import DomainError

    TOTPDeviceFactory(user=county_user)
    request = rf.get("/")
    request.user = county_user
    request.session = {}
    OTPMiddleware(lambda r: None)(request)
    with pytest.raises(DomainError):
        twofactor.device_start(request)
    with pytest.raises(DomainError):
        twofactor.device_confirm(request, "123456")


def test_a_verified_session_may_add_an_authenticator_and_the_next_sign_in_is_told(client, county_user):
    first = enable(client, county_user)
    page = client.get("/accounts/2fa/setup/")
    assert page.status_code == 200 and 'data-testid="totp-devices"' in page.content.decode()
    second = TOTPDevice.objects.get(user=county_user, confirmed=False)
    assert client.post("/accounts/2fa/setup/", {"token": code(second), "next": "/"}).status_code == 302
    assert TOTPDevice.objects.filter(user=county_user, confirmed=True).count() == 2
    assert AuditEvent.objects.filter(action="user.two_factor_enabled", actor=county_user).count() == 2
    client.logout()
    signed_in = client.post("/accounts/login/", {"username": county_user.username, "password": PASSWORD}, follow=True)
    text = signed_in.content.decode()
    assert "安全提醒" in text and "新增了验证器" in text
    assert signed_in.redirect_chain[-1][0].startswith("/accounts/2fa/verify/")
    assert client.post("/accounts/2fa/verify/", {"token": code(first), "next": "/"}).status_code == 302
    client.logout()
    again = client.post("/accounts/login/", {"username": county_user.username, "password": PASSWORD}, follow=True)
    assert "安全提醒" not in again.content.decode(), "a change is told once, at the next sign-in only"


def test_the_setup_page_shows_the_key_as_a_qr_code(client, county_user):
    client.force_login(county_user)
    text = client.get("/accounts/2fa/setup/").content.decode()
    assert 'src="data:image/svg+xml' in text and 'data-testid="totp-qr"' in text


def test_an_administrator_resets_a_lost_authenticator_audited_and_the_user_sets_up_again(
    client, county_user, admin_user
):
    from accounts import twofactor

    enable(client, county_user)
    client.logout()
    assert twofactor.devices_reset(actor=admin_user, user=county_user, reason="手机丢失") == 1
    assert not TOTPDevice.objects.filter(user=county_user).exists()
    event = AuditEvent.objects.get(action="user.two_factor_reset")
    assert event.actor == admin_user and event.target_id == str(county_user.pk)
    signed_in = client.post("/accounts/login/", {"username": county_user.username, "password": PASSWORD}, follow=True)
    assert signed_in.redirect_chain[-1][0].startswith("/accounts/2fa/setup/")
    assert "重置了双因素认证" in signed_in.content.decode()


def test_only_an_administrator_may_reset_someone_elses_authenticator(county_user, make_user):
    from accounts import twofactor
    from core.errors import DomainError

    TOTPDeviceFactory(user=county_user)
    with pytest.raises(DomainError):
        twofactor.devices_reset(actor=make_user("city", "2312", username="other"), user=county_user)
    assert TOTPDevice.objects.filter(user=county_user).exists()


def test_the_admin_action_resets_through_the_audited_service(client, county_user, admin_user):
    TOTPDeviceFactory(user=county_user)
    client.force_login(admin_user)  # two-factor is enforced: the admin verifies first
    admin_device = TOTPDeviceFactory(user=admin_user, name="admin phone")
    client.post("/accounts/2fa/verify/", {"token": code(admin_device), "next": "/"})
    response = client.post(
        "/admin/accounts/user/", {"action": "reset_two_factor", "_selected_action": [county_user.pk]}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=county_user).exists()
    assert AuditEvent.objects.filter(action="user.two_factor_reset", actor=admin_user).exists()


def test_removing_ones_own_authenticator_is_audited(client, county_user):
    first = enable(client, county_user)
    second = TOTPDeviceFactory(user=county_user, name="spare")
    assert client.post(f"/accounts/2fa/devices/{second.pk}/remove/").status_code == 302
    assert list(TOTPDevice.objects.filter(user=county_user)) == [first]
    assert AuditEvent.objects.filter(action="user.two_factor_removed", actor=county_user).exists()
    # The last one stays where two-factor is required.
    client.post(f"/accounts/2fa/devices/{first.pk}/remove/")
    assert TOTPDevice.objects.filter(pk=first.pk).exists()


@pytest.mark.parametrize("enforced", [True, False])
def test_an_institution_user_who_turned_two_factor_on_is_asked_at_every_sign_in(client, make_user, settings, enforced):
    user = make_user("institution", None, username="inst2fa")
    device = enable(client, user)
    settings.TWO_FACTOR_REQUIRED = enforced
    password_only(client, user)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/verify/")
    assert client.get("/api/classes/").status_code == 403
    assert client.post("/accounts/2fa/verify/", {"token": code(device), "next": "/"}).status_code == 302
    assert client.get("/").status_code == 200


# --- step-up on the API (item 4) and no tokens for people (item 5) --------------------------------------------------


def test_approving_a_claim_line_over_the_api_asks_for_the_same_step_up_as_the_page(client, county_user):
    device = enable(client, county_user)
    client.session.pop("reauth_at", None)
    session = client.session
    session["reauth_at"] = 0  # signed in long ago
    session.save()
    url = "/api/claims/999999/lines/1/decide/"
    refused = client.post(url, {"approve": True}, content_type="application/json")
    assert refused.status_code == 403 and "重新验证身份" in refused.json()["detail"]
    client.post("/accounts/2fa/reauth/", {"password": PASSWORD, "token": code(device), "next": "/"})
    # Re-authenticated: the request reaches the view, which finds no such claim.
    assert client.post(url, {"approve": True}, content_type="application/json").status_code == 404


def test_the_api_takes_people_only_by_their_session(client, county_user):
    """A token would carry no two-factor state: the API knows no token scheme for people."""
    from django.conf import settings as django_settings
    from django.urls import URLPattern, URLResolver, get_resolver
    from rest_framework.authentication import SessionAuthentication

    from training.apis import DeviceTokenAuthentication

    assert django_settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] == [
        "rest_framework.authentication.SessionAuthentication"
    ]

    def views(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from views(p.url_patterns)
            elif isinstance(p, URLPattern) and hasattr(p.callback, "cls"):
                yield p.callback.cls

    for view in views(get_resolver().url_patterns):
        for auth in getattr(view, "authentication_classes", []):
            assert issubclass(auth, SessionAuthentication | DeviceTokenAuthentication), (view, auth)
    anonymous = client.get("/api/trainees/", HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert anonymous.status_code in (401, 403)
