"""Step-up: before an act that moves money the user must have re-entered password and code in the last minutes.
Pages (ReauthRequiredMixin) and the API (StepUpRequired) ask the same test, accounts.twofactor.step_up_missing."""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from rest_framework.permissions import BasePermission

from . import twofactor


class ReauthRequiredMixin:
    """Page mixin; put it before the permission mixin in the bases."""

    def dispatch(self, request, *args, **kwargs):
        if twofactor.step_up_missing(request):
            back = request.headers.get("Referer") or ""
            if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
                back = request.path
            return redirect(f"{reverse('accounts:reauth')}?{urlencode({'next': back})}")
        return super().dispatch(request, *args, **kwargs)


class StepUpRequired(BasePermission):
    """API permission for the acts that move money: the session re-authenticated (password + fresh code on
    /accounts/2fa/reauth/) within the last minutes, exactly as the pages ask."""

    message = "此操作需要重新验证身份：请在 /accounts/2fa/reauth/ 输入密码和新的验证码（5 分钟内有效）后重试。"
    code = "reauth_required"

    def has_permission(self, request, view):
        return not twofactor.step_up_missing(request)
