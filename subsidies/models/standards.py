"""Amounts and per-region rules: data, never constants in code."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionSetting(models.Model):
    """Per-region rules that change by policy: the most specific region wins (county › city › province)."""

    region = models.OneToOneField(
        "catalog.Region", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="subsidy_setting"
    )
    advance_share = models.DecimalField(_("预拨比例"), max_digits=4, decimal_places=2, default=Decimal("0.50"))
    attendance_threshold = models.DecimalField(_("出勤率要求"), max_digits=4, decimal_places=2, default=Decimal("0.80"))
    notice_working_days = models.PositiveSmallIntegerField(_("公示期（工作日）"), default=5)
    yearly_limit_training = models.PositiveSmallIntegerField(_("每年职业培训补贴次数上限"), default=3)
    yearly_limit_skill_upgrade = models.PositiveSmallIntegerField(_("每年技能提升补贴次数上限"), default=1)
    # 技能提升补贴: up to this many more a year for urgent-shortage occupations (DOMAIN.md: provinces may allow 2),
    # and whether an approved application is publicly noticed before payment.
    skill_upgrade_urgent_extra = models.PositiveSmallIntegerField(_("急需紧缺职业每年可增加次数"), default=2)
    skill_upgrade_notice = models.BooleanField(_("技能提升补贴须公示"), default=True)

    class Meta:
        verbose_name = _("补贴参数")
        verbose_name_plural = _("补贴参数")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(advance_share__gte=Decimal("0.50"), advance_share__lte=1),
                name="advance_share_at_least_half",
            ),
            models.CheckConstraint(
                condition=models.Q(attendance_threshold__gt=0, attendance_threshold__lte=1),
                name="attendance_threshold_is_a_share",
            ),
        ]

    def __str__(self):
        return f"{self.region} 补贴参数"


class Basis(models.TextChoices):
    PER_PERSON = "per_person", _("按人")
    PER_HOUR = "per_hour", _("按课时")
    PER_DAY = "per_day", _("按天")


class SubsidyStandard(models.Model):
    """An amount, never a constant in code: for a region, a period, a training type and optionally an
    occupation (or urgent-shortage occupations), a skill level and a mode. No two standards overlap for the
    same key (checked by the service; on PostgreSQL also an exclusion constraint)."""

    region = models.ForeignKey("catalog.Region", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    claim_kind = models.CharField(_("补贴类型"), max_length=12, default="training", db_default="training")
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    training_type = models.ForeignKey(
        "catalog.TrainingType", verbose_name=_("培训类型"), on_delete=models.PROTECT, related_name="+"
    )
    occupation = models.ForeignKey(
        "catalog.Occupation", verbose_name=_("职业"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    urgent_only = models.BooleanField(_("仅急需紧缺职业"), default=False)
    skill_level = models.ForeignKey(
        "catalog.SkillLevel",
        verbose_name=_("技能等级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    mode = models.CharField(_("培训方式"), max_length=10, blank=True)  # blank: any mode
    basis = models.CharField(_("计算方式"), max_length=12, choices=Basis.choices, default=Basis.PER_PERSON)
    amount = models.DecimalField(_("标准（元）"), max_digits=10, decimal_places=2)
    min_hours_per_day = models.PositiveSmallIntegerField(_("每天最少课时"), default=0)
    document = models.CharField(_("依据文件"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("补贴标准")
        verbose_name_plural = _("补贴标准")
        ordering = ["region__code", "training_type", "skill_level__rank", "valid_from"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="standard_amount_not_negative"),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="standard_period_in_order",
            ),
        ]

    def __str__(self):
        level = self.skill_level.name if self.skill_level else "各等级"
        return f"{self.region.name} {self.training_type.name} {level} {self.amount}元/{self.get_basis_display()}"


class CategoryEligibility(models.Model):
    """Which trainee categories a training type subsidizes; a type with no rows accepts every category."""

    training_type = models.ForeignKey("catalog.TrainingType", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("catalog.TraineeCategory", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["training_type", "category"], name="one_eligibility_row")]

    def __str__(self):
        return f"{self.training_type_id}:{self.category_id}"
