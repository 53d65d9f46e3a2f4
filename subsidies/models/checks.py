"""Checks beyond the rules: double-random spot checks of classes and phone follow-ups of people on a claim."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import clock

from .claims import ClaimLine, SubsidyClaim


class Inspector(models.Model):
    """An inspector of a bureau's pool for double-random spot checks."""

    region = models.ForeignKey("catalog.Region", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("姓名"), max_length=50)
    institution = models.ForeignKey(
        "institutions.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("所在单位是培训机构时填写（回避本机构）"),
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class SpotCheck(models.Model):
    """A double-random draw (双随机): classes in training and an inspector for each, reproducible from its seed."""

    region = models.ForeignKey("catalog.Region", on_delete=models.PROTECT, related_name="+")
    seed = models.CharField(_("随机种子"), max_length=64)
    sample_size = models.PositiveSmallIntegerField(_("抽取数量"))
    drawn_at = models.DateTimeField(default=clock.now)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-drawn_at"]

    def __str__(self):
        return f"抽查 {self.drawn_at:%Y-%m-%d}"


class SpotCheckVisit(models.Model):
    class Result(models.TextChoices):
        PENDING = "pending", _("待检查")
        COMPLIANT = "compliant", _("规范")
        ISSUES = "issues", _("发现问题")
        FAKE = "fake", _("虚假培训")

    spot_check = models.ForeignKey(SpotCheck, on_delete=models.CASCADE, related_name="visits")
    training_class = models.ForeignKey("training.TrainingClass", on_delete=models.PROTECT, related_name="+")
    inspector = models.ForeignKey(Inspector, on_delete=models.PROTECT, related_name="visits")
    result = models.CharField(_("结果"), max_length=10, choices=Result.choices, default=Result.PENDING)
    notes = models.TextField(_("检查情况"), blank=True)
    visited_on = models.DateField(_("检查日期"), null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.training_class_id} / {self.inspector}"

    @property
    def badge(self) -> str:
        colours = {self.Result.COMPLIANT: "success", self.Result.ISSUES: "warning", self.Result.FAKE: "danger"}
        return colours.get(self.result, "secondary")


class FollowUpOutcome(models.TextChoices):
    CONFIRMS = "confirms", _("确认参训")
    DENIES = "denies", _("否认参训")
    UNREACHED = "unreached", _("未接通")
    WRONG_NUMBER = "wrong_number", _("号码错误")


class PhoneFollowUp(models.Model):
    """电话回访 of one person on a claim; a denial becomes a blocking finding on the line."""

    claim = models.ForeignKey(SubsidyClaim, on_delete=models.CASCADE, related_name="follow_ups")
    line = models.ForeignKey(ClaimLine, on_delete=models.CASCADE, related_name="follow_ups")
    outcome = models.CharField(_("结果"), max_length=14, choices=FollowUpOutcome.choices, blank=True)
    notes = models.CharField(_("记录"), max_length=500, blank=True)
    called_at = models.DateTimeField(null=True, blank=True)
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["line"], name="one_follow_up_per_line")]

    def __str__(self):
        return f"{self.line_id} {self.outcome}"

    @property
    def badge(self) -> str:
        return {FollowUpOutcome.CONFIRMS: "success", FollowUpOutcome.DENIES: "danger"}.get(self.outcome, "secondary")
