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
    """Before an act that moves money: the user must have re-entered password and code in the last minutes.
    Put it before RoleRequiredMixin in the bases."""

    def dispatch(self, request, *args, **kwargs):
        from django.shortcuts import redirect
        from django.urls import reverse

        from . import twofactor

        if (
            request.method == "POST"
            and request.user.is_authenticated
            and not twofactor.reauthenticated_recently(request)
        ):
            back = request.headers.get("Referer") or request.path
            return redirect(f"{reverse('accounts:reauth')}?next={back}")
        return super().dispatch(request, *args, **kwargs)
