"""Remembers the current request's client address so services can audit it without taking a request."""

import ipaddress
import time
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode

_client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)


def current_client_ip() -> str | None:
    return _client_ip.get()


def _trusted_networks() -> list:
    return [ipaddress.ip_network(entry, strict=False) for entry in settings.TRUSTED_PROXIES]


def _parse_ip(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def client_ip(request) -> str:
    """The client's address: the socket's, unless the socket is a configured proxy (TRUSTED_PROXIES); then the
    right-most address in X-Forwarded-For that is not itself a trusted proxy (the left of it is the client's own
    claim), or the proxy's X-Real-IP. Used by the audit log, the API throttles, login lockouts and the
    objection form's limit."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    networks = _trusted_networks()
    remote_ip = _parse_ip(remote)
    if remote_ip is None or not any(remote_ip in net for net in networks):
        return remote
    hops = [_parse_ip(h) for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if hop is None:
            break  # a malformed entry: nothing to its left can be believed
        if not any(hop in net for net in networks):
            return str(hop)
    real = _parse_ip(request.META.get("HTTP_X_REAL_IP", ""))
    return str(real) if real is not None and not hops else remote


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _client_ip.set(client_ip(request) or None)
        try:
            return self.get_response(request)
        finally:
            _client_ip.reset(token)


SIGNED_IN_AT = "signed_in_at"


class AbsoluteSessionTimeoutMiddleware:
    """Ends a session a fixed time after sign-in, however active it has been (the idle timeout is Django's
    SESSION_COOKIE_AGE with SESSION_SAVE_EVERY_REQUEST)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            started = request.session.setdefault(SIGNED_IN_AT, now)
            if now - started > settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS:
                logout(request)
        return self.get_response(request)


class TwoFactorMiddleware:
    """A signed-in session that still owes its second factor (accounts.twofactor.session_pending) reaches only
    the pages `allowed_while_pending` names and static files; every other page redirects to verification (or
    to the first setup) and every API call answers 403."""

    OPEN_PREFIXES = ("/static/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from . import twofactor

        if request.path.startswith(self.OPEN_PREFIXES) or not twofactor.session_pending(request):
            return self.get_response(request)
        if _url_name(request) in twofactor.allowed_while_pending(request.user):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": "需要先完成双因素认证（输入验证器上的验证码）。", "code": "two_factor_required"}, status=403
            )
        target = (
            "accounts:two_factor_verify"
            if twofactor.has_confirmed_device(request.user)
            else "accounts:two_factor_setup"
        )
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


def _url_name(request) -> str | None:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return None
