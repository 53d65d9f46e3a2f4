"""The base of every scoped API view: querysets are filtered by the user's data scope, so no endpoint can forget it."""

from django.core.exceptions import ImproperlyConfigured
from rest_framework import viewsets

from .selectors import data_scope_q


class ScopedQuerysetMixin:
    """Set `scope_region_field` to the path from the model to its Region ("" for Region itself) and, where
    institution users may see rows, `scope_institution_field` to the path to their Institution."""

    scope_region_field: str | None = None
    scope_institution_field: str | None = None

    def scope_filter(self, queryset):
        if self.scope_region_field is None:
            raise ImproperlyConfigured(f"{type(self).__name__} must set scope_region_field")
        q = data_scope_q(
            self.request.user, region_field=self.scope_region_field, institution_field=self.scope_institution_field
        )
        return queryset.filter(q)

    def get_queryset(self):
        return self.scope_filter(super().get_queryset())


class ScopedReadOnlyViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    pass
