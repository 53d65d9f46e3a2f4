"""Role checks shared by pages and API views."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from .models import Role

BUREAU_AND_ADMIN = (Role.PROVINCE, Role.CITY, Role.COUNTY, Role.FINANCE, Role.ADMIN)


def user_has_role(user, roles) -> bool:
    return user.is_authenticated and (user.role in roles or (Role.ADMIN in roles and user.is_superuser))


class RoleRequiredMixin(LoginRequiredMixin):
    """Page mixin: signed-in users of `allowed_roles` only; others get 403."""

    allowed_roles: tuple = ()

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not user_has_role(request.user, self.allowed_roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class HasRole(BasePermission):
    """API permission: set `allowed_roles` on the view."""

    def has_permission(self, request, view):
        return user_has_role(request.user, getattr(view, "allowed_roles", ()))


class ReauthRequiredMixin:
    """Before an act that moves money: the user must have re-entered password and code in the last minutes
    (accounts.twofactor.step_up_missing, the same test as the API's StepUpRequired). Put it before
    RoleRequiredMixin in the bases."""

    def dispatch(self, request, *args, **kwargs):
        from django.shortcuts import redirect
        from django.urls import reverse
        from django.utils.http import url_has_allowed_host_and_scheme, urlencode

        from . import twofactor

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
        from . import twofactor

        return not twofactor.step_up_missing(request)
