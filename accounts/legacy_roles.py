"""Role checks from before the policy (core.policy). Being replaced app by app; removed when none is left."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from .models import Role

BUREAU_AND_ADMIN = (Role.PROVINCE, Role.CITY, Role.COUNTY, Role.FINANCE, Role.ADMIN)


def user_has_role(user, roles) -> bool:
    return user.is_authenticated and (user.role in roles or (Role.ADMIN in roles and user.is_superuser))


class RoleRequiredMixin(LoginRequiredMixin):
    allowed_roles: tuple = ()

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not user_has_role(request.user, self.allowed_roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class HasRole(BasePermission):
    def has_permission(self, request, view):
        return user_has_role(request.user, getattr(view, "allowed_roles", ()))
