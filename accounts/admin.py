from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin as BaseTOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import twofactor
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
    actions = ["reset_two_factor"]

    @admin.action(description=_("重置双因素认证（验证器丢失；下次登录时重新绑定）"))
    def reset_two_factor(self, request, queryset):
        for user in queryset:
            twofactor.devices_reset(actor=request.user, user=user, reason="admin action")
        messages.success(request, _("已重置 %(n)s 个账号的双因素认证。") % {"n": queryset.count()})


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(BaseTOTPDeviceAdmin):
    """Authenticators are added by their owner only; an administrator may delete one, and that is audited."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        twofactor.device_remove(actor=request.user, device=obj)

    def delete_queryset(self, request, queryset):
        for device in queryset:
            twofactor.device_remove(actor=request.user, device=device)


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
