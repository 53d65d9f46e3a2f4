"""公示 and the objections filed against it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import clock
from trainees.crypto import EncryptedTextField

from .claims import ClaimLine, SubsidyClaim


class PublicNotice(models.Model):
    """公示: the approved lines, masked, for N working days; the hash makes a later edit detectable."""

    claim = models.OneToOneField(SubsidyClaim, on_delete=models.PROTECT, related_name="notice")
    published_at = models.DateTimeField(_("公示时间"))
    ends_on = models.DateField(_("公示截止"))
    content = models.JSONField(_("公示内容"))
    content_hash = models.CharField(max_length=64)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["-published_at"]

    def __str__(self):
        return f"公示 {self.claim}"


class Objection(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        UPHELD = "upheld", _("成立")
        DISMISSED = "dismissed", _("不成立")

    notice = models.ForeignKey(PublicNotice, on_delete=models.PROTECT, related_name="objections")
    line = models.ForeignKey(ClaimLine, null=True, blank=True, on_delete=models.PROTECT, related_name="objections")
    text = models.TextField(_("异议内容"), max_length=2000)
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = EncryptedTextField(_("联系电话"))  # kept private: never shown on public pages
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(_("处理意见"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["-created_at"]

    def __str__(self):
        return f"异议 {self.pk}"

    @property
    def badge(self) -> str:
        return {self.Status.OPEN: "warning", self.Status.UPHELD: "danger"}.get(self.status, "secondary")
