"""技能提升补贴 (seed 000 §24, DOMAIN.md): paid to the person, not an institution. An insured worker who obtained a
职业资格 or 职业技能等级 certificate applies within 12 months of it; bureau staff file it at the window (窗口代办).
The bank account is encrypted at rest like the register's personal data and shown masked."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import clock
from trainees.crypto import EncryptedTextField


class SkillUpgradeStatus(models.TextChoices):
    FILED = "su_filed", _("已受理")
    VERIFIED = "su_verified", _("核验通过")
    PUBLIC_NOTICE = "su_notice", _("公示中")
    APPROVED = "su_approved", _("审核通过")
    PAID = "su_paid", _("已发放")
    REJECTED = "su_rejected", _("不予补贴")


# The statuses in which money is promised or paid: one per person, occupation and level (the constraint below).
COMMITTED = (SkillUpgradeStatus.PUBLIC_NOTICE, SkillUpgradeStatus.APPROVED, SkillUpgradeStatus.PAID)


def mask_bank_account(value) -> str:
    """6222 **** **** 1234: the last four digits only (what a payee checks), never the bank's prefix and middle."""
    raw = "".join(ch for ch in str(value or "") if ch.isalnum())
    if len(raw) <= 4:
        return "*" * len(raw)
    return "*" * (len(raw) - 4) + raw[-4:]


class SkillUpgradeApplication(models.Model):
    person = models.ForeignKey(
        "trainees.Trainee", verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="skill_upgrades"
    )
    certificate = models.ForeignKey(
        "trainees.Certificate", verbose_name=_("证书"), on_delete=models.PROTECT, related_name="skill_upgrades"
    )
    # Copied from the certificate when filed: the constraint below needs them on the row.
    occupation = models.ForeignKey(
        "catalog.Occupation", verbose_name=_("职业（工种）"), on_delete=models.PROTECT, related_name="+"
    )
    skill_level = models.ForeignKey(
        "catalog.SkillLevel", verbose_name=_("技能等级"), on_delete=models.PROTECT, related_name="+"
    )
    insured_months = models.PositiveSmallIntegerField(_("失业保险参保月数"))
    insured_evidence = models.CharField(_("参保证明"), max_length=200)
    bank_name = models.CharField(_("开户银行"), max_length=60)
    bank_account = EncryptedTextField(_("银行账号"))
    bank_account_masked = models.CharField(_("银行账号"), max_length=40, editable=False)
    amount = models.DecimalField(_("补贴金额（元）"), max_digits=10, decimal_places=2)
    urgent = models.BooleanField(_("急需紧缺职业"), default=False)
    status = models.CharField(
        _("状态"), max_length=12, choices=SkillUpgradeStatus.choices, default=SkillUpgradeStatus.FILED
    )
    county = models.ForeignKey("catalog.Region", verbose_name=_("受理地"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))  # of filing: what the yearly limit counts
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("受理时间"), default=clock.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    notice_ends_on = models.DateField(_("公示截止"), null=True, blank=True)
    rejection_reason = models.CharField(_("不予补贴原因"), max_length=200, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paid_at = models.DateTimeField(_("发放时间"), null=True, blank=True)
    bank_reference = models.CharField(_("银行流水号"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("技能提升补贴申请")
        verbose_name_plural = _("技能提升补贴申请")
        ordering = ["-filed_at", "-id"]
        constraints = [
            # Money: one promised or paid subsidy per person, occupation and level, whatever the services do.
            models.UniqueConstraint(
                fields=["person", "occupation", "skill_level"],
                condition=models.Q(status__in=COMMITTED),
                name="one_skill_upgrade_per_occupation_level",
            ),
            # A certificate is applied for once (a rejected application may be filed again).
            models.UniqueConstraint(
                fields=["certificate"],
                condition=~models.Q(status=SkillUpgradeStatus.REJECTED),
                name="one_open_skill_upgrade_per_certificate",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="skill_upgrade_amount_positive"),
        ]
        indexes = [models.Index(fields=["county", "status"]), models.Index(fields=["person", "year"])]

    def __str__(self):
        return f"{self.person} {self.occupation.name} {self.skill_level.name}"
