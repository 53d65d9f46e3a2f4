"""The one permission policy. Every named permission (`claim.decide`, `trainee.reveal`) is a predicate over the
user and, where it is about one object, the object — declared once, in the permissions.py of the app that owns
the object, and asked only through `can` (services, views, the API's `Allowed`, the `{% can %}` template tag,
and the access-matrix test).

Predicates are django-rules predicates: small, named, composable with & | ~, and testable on their own. The
permissions live in a rule set of their own, not behind Django's `user.has_perm`, because that answers True to a
superuser for everything, and a system administrator runs the system without deciding cases."""

import functools

import rules
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission

POLICY = rules.RuleSet()


def permission(name: str, predicate) -> None:
    """Declare `name` (once: a second declaration is an error, so two apps cannot disagree about it)."""
    POLICY.add_rule(name, predicate)


def can(user, name: str, obj=None) -> bool:
    if name not in POLICY:
        raise KeyError(f"no permission named {name!r}: declare it in its app's permissions.py")
    return bool(user and user.is_authenticated and user.is_active and POLICY.test_rule(name, user, obj))


def require(user, name: str, obj=None, message: str = "") -> None:
    """PermissionDenied unless `can(user, name, obj)`; `message` says why, in Chinese."""
    if not can(user, name, obj):
        raise PermissionDenied(message or _("没有权限进行此操作。"))


def names() -> list[str]:
    return sorted(POLICY)


def permission_required(name: str):
    """Function-view decorator: 403 unless `can(user, name)` (anonymous too: a download is not a page to sign in
    to). The view keeps the name as `view.permission`, for the access-matrix test."""

    def decorate(view):
        @functools.wraps(view)
        def guarded(request, *args, **kwargs):
            require(request.user, name)
            return view(request, *args, **kwargs)

        guarded.permission = name
        return guarded

    return decorate


class PermissionRequiredMixin(LoginRequiredMixin):
    """Page mixin: a signed-in user without `permission` gets 403 — or without `permissions[method]`, for a method
    that needs another (a list page whose POST publishes). Pages about one object ask again, with the object,
    where they load it."""

    permission: str = ""
    permissions: dict[str, str] = {}

    def dispatch(self, request, *args, **kwargs):
        needed = self.permissions.get(request.method.lower(), self.permission)
        if request.user.is_authenticated and not can(request.user, needed):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class Allowed(BasePermission):
    """API permission: the view's `permission`, or `permissions[key]` where key is the viewset's action ("list",
    "create", a custom action) or else the request's method ("post")."""

    def has_permission(self, request, view):
        return can(request.user, permission_for(view, getattr(view, "action", None), request.method.lower()))


def permission_for(view, action: str | None, method: str) -> str:
    """The permission a view asks at the door for `action` (viewsets) or `method`."""
    per_key = getattr(view, "permissions", None) or {}
    return per_key.get(action) or per_key.get(method) or view.permission
