from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import clock

from .audit_labels import label_of


class Role(models.TextChoices):
    PROVINCE = "province", _("省级人社厅")
    CITY = "city", _("市人社局")
    COUNTY = "county", _("县（市、区）人社局")
    FINANCE = "finance", _("财政部门")
    INSTITUTION = "institution", _("培训机构")
    ADMIN = "admin", _("系统管理员")


# The region level each bureau role is scoped to; finance may sit at any level.
ROLE_REGION_LEVELS = {
    Role.PROVINCE: {"province"},
    Role.CITY: {"city"},
    Role.COUNTY: {"county"},
    Role.FINANCE: {"province", "city", "county"},
}
BUREAU_ROLES = {Role.PROVINCE, Role.CITY, Role.COUNTY}


class User(AbstractUser):
    """A person who signs in. The data scope is a region (bureau roles, finance) or, for institution
    users, an institution (the link arrives with the institutions app). A user without a scope sees nothing.
    """

    name = models.CharField(_("姓名"), max_length=50, blank=True)
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, blank=True)
    region = models.ForeignKey(
        "catalog.Region",
        verbose_name=_("管辖区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("所属培训机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.name or self.username

    def clean(self):
        super().clean()
        levels = ROLE_REGION_LEVELS.get(self.role)
        if levels and self.region and self.region.level not in levels:
            raise ValidationError({"region": _("该角色的管辖区划层级不正确。")})
        if self.institution_id and self.role != Role.INSTITUTION:
            raise ValidationError({"institution": _("只有培训机构用户可以关联培训机构。")})

    @property
    def is_bureau(self) -> bool:
        return self.role in BUREAU_ROLES

    @property
    def is_system_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser

    @property
    def effective_role(self) -> str:
        """The role the user works in: a superuser is the system administrator whatever their role field says."""
        return Role.ADMIN if self.is_superuser else self.role


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("audit events are append-only")

    def delete(self):
        raise PermissionError("audit events are append-only")


class AuditEvent(models.Model):
    """One thing someone did. Append-only: written by services, never changed or removed
    (enforced here and, on PostgreSQL, by a trigger)."""

    created_at = models.DateTimeField(_("时间"), default=clock.now, db_index=True)
    actor = models.ForeignKey(
        User, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_repr = models.CharField(_("操作人"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(_("对象"), max_length=200, blank=True)
    region = models.ForeignKey(
        "catalog.Region", verbose_name=_("区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    details = models.JSONField(_("详情"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_repr} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events are append-only")

    @property
    def action_label(self) -> str:
        return label_of(self.action)
