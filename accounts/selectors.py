"""Data scope: which regions a user may see. Every list in the product filters through here."""

from django.db.models import Q, QuerySet

from catalog.models import Region

from .models import AuditEvent, User
from .predicates import is_institution

NOTHING = Q(pk__in=[])


def region_scope_q(user: User, region_field: str = "") -> Q:
    """A filter keeping rows whose region (reached by `region_field`, "" for a Region itself) lies inside
    the user's scope. Admins see all; a user without a region scope sees nothing, never everything."""
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_system_admin:
        return Q()
    if is_institution(user) or user.region_id is None:
        return NOTHING
    prefix = f"{region_field}__code__startswith" if region_field else "code__startswith"
    return Q(**{prefix: user.region.code})


def data_scope_q(user: User, *, region_field: str, institution_field: str | None = None) -> Q:
    """The scope of any row that has a region and, optionally, an institution: bureau users by region,
    institution users by their own institution only (never by region)."""
    if user.is_authenticated and user.is_active and is_institution(user) and not user.is_superuser:
        if institution_field is None or user.institution_id is None:
            return NOTHING
        return Q(**{institution_field: user.institution_id})
    return region_scope_q(user, region_field)


def regions_visible_to(user: User) -> QuerySet[Region]:
    return Region.objects.filter(region_scope_q(user))


def audit_event_list(*, user: User, filters: dict | None = None) -> QuerySet[AuditEvent]:
    """Audit events in the user's scope: events in their regions, and their own actions."""
    if user.is_system_admin:
        qs = AuditEvent.objects.all()
    else:
        qs = AuditEvent.objects.filter(region_scope_q(user, "region") | Q(actor=user))
    filters = filters or {}
    if filters.get("action"):
        qs = qs.filter(action__startswith=filters["action"])
    if filters.get("actor"):
        qs = qs.filter(actor_repr__icontains=filters["actor"])
    if filters.get("date_from"):
        qs = qs.filter(created_at__date__gte=filters["date_from"])
    if filters.get("date_to"):
        qs = qs.filter(created_at__date__lte=filters["date_to"])
    if filters.get("region"):
        qs = qs.filter(region__code__startswith=filters["region"].code)
    return qs.select_related("region", "target_type")
