from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, User

SCOPE_FIELDSET = (_("角色与数据范围"), {"fields": ["name", "role", "region"]})


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "name", "role", "region", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "name"]
    autocomplete_fields = ["region"]
    fieldsets = (*BaseUserAdmin.fieldsets, SCOPE_FIELDSET)
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, SCOPE_FIELDSET)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail has no add, change or delete path."""

    list_display = ["created_at", "actor_repr", "action", "target_repr", "region", "ip"]
    list_filter = ["action"]
    search_fields = ["action", "actor_repr", "target_repr"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
