"""The base of every API view: querysets are scoped by the user's data scope, so no endpoint can forget it."""

from django.core.exceptions import ImproperlyConfigured
from rest_framework import viewsets

from .selectors import region_scope_q


class ScopedQuerysetMixin:
    """Set `scope_region_field` to the path from the model to its Region ("" for Region itself).

    Apps higher up (institutions) extend `scope_filter` for institution users.
    """

    scope_region_field: str | None = None

    def scope_filter(self, queryset):
        if self.scope_region_field is None:
            raise ImproperlyConfigured(f"{type(self).__name__} must set scope_region_field")
        return queryset.filter(region_scope_q(self.request.user, self.scope_region_field))

    def get_queryset(self):
        return self.scope_filter(super().get_queryset())


class ScopedReadOnlyViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    pass
