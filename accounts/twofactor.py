"""Two-factor sign-in (TOTP, django-otp) and step-up re-authentication: the one policy that pages, the API and
the middleware ask.

The rules:
- A session must pass two-factor when the user has a confirmed authenticator (anyone, institution users who
  turned it on included) or when two-factor is enforced (`TWO_FACTOR_REQUIRED`) for their role (bureau staff,
  finance, administrators). Until it has, the session can only verify, set up a first authenticator (a user with
  none) or sign out (`allowed_while_pending`).
- A user who already has a confirmed authenticator adds or replaces one only from a verified session. Adding and
  removing devices (by the user or by an administrator's reset) is audited and shown at the next sign-in.
- Acts that move money (approving claim lines, sending a claim to public notice, recording a payment) need the
  password and a fresh code within `REAUTH_MAX_AGE_SECONDS`, on pages and on the API alike (`step_up_missing`).
- On the API, people authenticate with their session only, so every API request carries the session's
  two-factor state; machine clients (check-in devices) have tokens of their own with narrow permissions.
"""

import time

import segno
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.errors import DomainError
from core.policy import can

from .models import AuditEvent, User
from .services import audit_log

REAUTH_KEY = "reauth_at"
DEVICE_EVENTS = ("user.two_factor_enabled", "user.two_factor_removed", "user.two_factor_reset")

# URL names a session that has not passed two-factor may still open.
PENDING_WITH_DEVICE = frozenset({"accounts:two_factor_verify", "accounts:logout"})
PENDING_WITHOUT_DEVICE = frozenset({"accounts:two_factor_setup", "accounts:logout"})


def enforced() -> bool:
    return settings.TWO_FACTOR_REQUIRED


def required_for(user: User) -> bool:
    """Institutions may enable it; everyone else who decides or pays must."""
    return can(user, "two_factor.required")


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_confirmed_device(user: User) -> bool:
    return user.is_authenticated and TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def session_pending(request) -> bool:
    """True while the signed-in session still owes its second factor."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_verified():
        return False
    return (enforced() and required_for(user)) or has_confirmed_device(user)


def allowed_while_pending(user: User) -> frozenset[str]:
    return PENDING_WITH_DEVICE if has_confirmed_device(user) else PENDING_WITHOUT_DEVICE


def may_enrol(request) -> bool:
    """A first authenticator from any signed-in session; another one only from a verified session."""
    return request.user.is_authenticated and (request.user.is_verified() or not has_confirmed_device(request.user))


def _refuse_unless_may_enrol(request) -> None:
    if not may_enrol(request):
        raise DomainError(_("您已绑定验证器：请先用现有验证器完成验证，再添加新的验证器。"))


@transaction.atomic
def device_start(request) -> TOTPDevice:
    """A fresh, unconfirmed authenticator for the user to scan (replacing an earlier unconfirmed one)."""
    _refuse_unless_may_enrol(request)
    TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=request.user, name="authenticator", confirmed=False)


def pending_device(request) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    return device or device_start(request)


@transaction.atomic
def device_confirm(request, token: str) -> TOTPDevice:
    _refuse_unless_may_enrol(request)
    user = request.user
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token((token or "").strip()):
        raise DomainError(_("验证码不正确，请输入验证器上当前显示的 6 位数字。"), field="token")
    device.confirmed = True
    device.name = f"authenticator {timezone.localtime():%Y-%m-%d %H:%M}"
    device.save(update_fields=["confirmed", "name"])
    otp_login(request, device)
    count = TOTPDevice.objects.filter(user=user, confirmed=True).count()
    audit_log(actor=user, action="user.two_factor_enabled", target=user, region=user.region, details={"devices": count})
    return device


@transaction.atomic
def device_remove(*, actor: User, device: TOTPDevice) -> None:
    """The user removes one of their authenticators (from a verified session) or an administrator removes it."""
    user = device.user
    if actor.pk != user.pk and not actor.is_system_admin:
        raise DomainError(_("只有本人或系统管理员可以删除验证器。"))
    device.delete()
    audit_log(actor=actor, action="user.two_factor_removed", target=user, region=user.region)


@transaction.atomic
def devices_reset(*, actor: User, user: User, reason: str = "") -> int:
    """An administrator resets a lost authenticator: the user sets up a new one at the next sign-in."""
    if not actor.is_system_admin:
        raise DomainError(_("只有系统管理员可以重置他人的双因素认证。"))
    removed, _detail = TOTPDevice.objects.filter(user=user).delete()
    audit_log(
        actor=actor, action="user.two_factor_reset", target=user, region=user.region, details={"reason": reason[:200]}
    )
    return removed


def device_changes_since(user: User, since) -> list[AuditEvent]:
    """Device additions and removals on this account since the previous sign-in, to show at this one."""
    events = AuditEvent.objects.filter(target_type__model="user", target_id=str(user.pk), action__in=DEVICE_EVENTS)
    if since is not None:
        events = events.filter(created_at__gt=since)
    return list(events.order_by("created_at"))


def qr_svg_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// key as a QR code for the authenticator app (an inline SVG, allowed by the CSP's img-src)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=4, border=2)


def verify(request, user: User, token: str) -> None:
    device = confirmed_device(user)
    if device is None or not device.verify_token((token or "").strip()):
        audit_log(actor=user, action="user.two_factor_failed", target=user, region=user.region)
        raise DomainError(_("验证码不正确或已过期。"), field="token")
    otp_login(request, device)
    request.session[REAUTH_KEY] = int(time.time())


def _step_up_applies(user: User) -> bool:
    return enforced() or has_confirmed_device(user)


def reauthenticated_recently(request) -> bool:
    if not _step_up_applies(request.user):
        return True
    return time.time() - request.session.get(REAUTH_KEY, 0) < settings.REAUTH_MAX_AGE_SECONDS


def step_up_missing(request) -> bool:
    """True when an act that moves money must first ask for the password and a fresh code (pages and API)."""
    return request.method == "POST" and request.user.is_authenticated and not reauthenticated_recently(request)


def reauthenticate(request, user: User, password: str, token: str) -> None:
    """Password and a fresh code again, before approving or paying."""
    if authenticate(request, username=user.get_username(), password=password) is None:
        raise DomainError(_("密码不正确。"), field="password")
    verify(request, user, token)
    audit_log(actor=user, action="user.reauthenticated", target=user, region=user.region)
