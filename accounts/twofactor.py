"""Two-factor sign-in (TOTP, django-otp) for bureau staff, finance and administrators, and re-authentication
before the acts that move money (approving claims, recording payments)."""

import time

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .errors import DomainError
from .models import Role, User
from .services import audit_log

REQUIRED_ROLES = {Role.PROVINCE, Role.CITY, Role.COUNTY, Role.FINANCE, Role.ADMIN}
REAUTH_KEY = "reauth_at"


def enforced() -> bool:
    return settings.TWO_FACTOR_REQUIRED


def required_for(user: User) -> bool:
    """Institutions may enable it; everyone else who decides or pays must."""
    return user.is_authenticated and (user.role in REQUIRED_ROLES or user.is_superuser)


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@transaction.atomic
def device_start(user: User) -> TOTPDevice:
    """A fresh, unconfirmed authenticator for the user to scan (replacing an earlier unconfirmed one)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def device_confirm(request, user: User, token: str) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token((token or "").strip()):
        raise DomainError(_("验证码不正确，请输入验证器上当前显示的 6 位数字。"), field="token")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    audit_log(actor=user, action="user.two_factor_enabled", target=user, region=user.region)
    return device


def verify(request, user: User, token: str) -> None:
    device = confirmed_device(user)
    if device is None or not device.verify_token((token or "").strip()):
        audit_log(actor=user, action="user.two_factor_failed", target=user, region=user.region)
        raise DomainError(_("验证码不正确或已过期。"), field="token")
    otp_login(request, device)
    request.session[REAUTH_KEY] = int(time.time())


def reauthenticated_recently(request) -> bool:
    if not enforced():
        return True
    return time.time() - request.session.get(REAUTH_KEY, 0) < settings.REAUTH_MAX_AGE_SECONDS


def reauthenticate(request, user: User, password: str, token: str) -> None:
    """Password and a fresh code again, before approving or paying."""
    if authenticate(request, username=user.get_username(), password=password) is None:
        raise DomainError(_("密码不正确。"), field="password")
    verify(request, user, token)
    audit_log(actor=user, action="user.reauthenticated", target=user, region=user.region)
