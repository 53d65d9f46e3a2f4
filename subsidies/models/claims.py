"""A claim, its lines (one per person), what the verification found, its materials and its status history."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import clock

from .standards import SubsidyStandard


class ClaimKind(models.TextChoices):
    TRAINING = "training", _("职业培训补贴")
    ASSESSMENT = "assessment", _("职业技能鉴定评价补贴")
    LIVING = "living", _("生活费补贴")


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    VERIFYING = "verifying", _("核验中")
    VERIFIED = "verified", _("已核验")
    UNDER_REVIEW = "under_review", _("审核中")
    RETURNED = "returned", _("退回修改")
    RESUBMITTED = "resubmitted", _("已重新提交")
    PUBLIC_NOTICE = "public_notice", _("公示中")
    APPROVED = "approved", _("已批准")
    SETTLED = "settled", _("已结算")
    REJECTED = "rejected", _("不予补贴")


# How each status shows (a Bootstrap colour): pages never compare a status themselves.
CLAIM_BADGE = {
    ClaimStatus.DRAFT: "secondary",
    ClaimStatus.VERIFIED: "primary",
    ClaimStatus.UNDER_REVIEW: "primary",
    ClaimStatus.RETURNED: "warning",
    ClaimStatus.APPROVED: "success",
    ClaimStatus.SETTLED: "success",
    ClaimStatus.REJECTED: "danger",
}
BEING_VERIFIED = {ClaimStatus.SUBMITTED, ClaimStatus.VERIFYING, ClaimStatus.RESUBMITTED}
AMOUNT_FIXED = {ClaimStatus.APPROVED, ClaimStatus.SETTLED}  # the approved amount is final


class SubsidyClaim(models.Model):
    training_class = models.ForeignKey(
        "training.TrainingClass", verbose_name=_("培训班"), on_delete=models.PROTECT, related_name="claims"
    )
    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT, related_name="claims")
    county = models.ForeignKey("catalog.Region", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("补贴类型"), max_length=12, choices=ClaimKind.choices, default=ClaimKind.TRAINING)
    status = models.CharField(_("状态"), max_length=14, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT)
    standard = models.ForeignKey(
        SubsidyStandard,
        verbose_name=_("适用标准"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
    )
    requested_amount = models.DecimalField(_("申请金额"), max_digits=12, decimal_places=2, default=0)
    approved_amount = models.DecimalField(_("核定金额"), max_digits=12, decimal_places=2, default=0)
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("补贴申请")
        verbose_name_plural = _("补贴申请")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["training_class", "kind"], name="one_claim_per_class_and_kind")]
        indexes = [models.Index(fields=["county", "status"]), models.Index(fields=["institution", "status"])]

    def __str__(self):
        return f"{self.training_class} {self.get_kind_display()}"

    @property
    def badge(self) -> str:
        return CLAIM_BADGE.get(self.status, "info")

    @property
    def is_being_verified(self) -> bool:
        """Submitted and waiting for the rules (the page says to come back later)."""
        return self.status in BEING_VERIFIED

    @property
    def amount_is_fixed(self) -> bool:
        return self.status in AMOUNT_FIXED

    @property
    def decision_tone(self) -> str:
        """The colour of the alert that shows why the claim was returned or rejected; "" for other statuses."""
        return {ClaimStatus.RETURNED: "warning", ClaimStatus.REJECTED: "danger"}.get(self.status, "")


class LineStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("通过")
    REJECTED = "rejected", _("不通过")


class ClaimLine(models.Model):
    """One person on a claim: the amount computed from the standard, and the decision."""

    claim = models.ForeignKey(SubsidyClaim, on_delete=models.CASCADE, related_name="lines")
    enrollment = models.ForeignKey("training.Enrollment", on_delete=models.PROTECT, related_name="claim_lines")
    trainee = models.ForeignKey("trainees.Trainee", on_delete=models.PROTECT, related_name="claim_lines")
    amount = models.DecimalField(_("金额"), max_digits=10, decimal_places=2)
    status = models.CharField(_("审核结果"), max_length=10, choices=LineStatus.choices, default=LineStatus.PENDING)
    decision_reason = models.CharField(_("审核意见"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("补贴申请明细")
        verbose_name_plural = _("补贴申请明细")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["claim", "enrollment"], name="one_line_per_enrollment")]

    def __str__(self):
        return f"{self.claim_id}/{self.enrollment_id}"

    @property
    def is_rejected(self) -> bool:
        return self.status == LineStatus.REJECTED

    @property
    def badge(self) -> str:
        return {LineStatus.APPROVED: "success", LineStatus.REJECTED: "danger"}.get(self.status, "secondary")


class Severity(models.TextChoices):
    BLOCKING = "blocking", _("阻断")
    WARNING = "warning", _("提示")


class Finding(models.Model):
    """What one verification rule found, with the rule's version and the inputs it saw (replayable)."""

    claim = models.ForeignKey(SubsidyClaim, on_delete=models.CASCADE, related_name="findings")
    line = models.ForeignKey(ClaimLine, null=True, blank=True, on_delete=models.CASCADE, related_name="findings")
    rule_code = models.CharField(_("规则"), max_length=40)
    rule_version = models.PositiveSmallIntegerField()
    severity = models.CharField(_("级别"), max_length=10, choices=Severity.choices)
    message = models.CharField(_("说明"), max_length=500)
    inputs = models.JSONField(default=dict)
    accepted_reason = models.CharField(_("接受理由"), max_length=500, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("核验发现")
        verbose_name_plural = _("核验发现")
        ordering = ["line_id", "rule_code"]
        indexes = [models.Index(fields=["claim", "line"])]

    def __str__(self):
        return f"{self.rule_code}: {self.message}"

    @property
    def is_blocking(self) -> bool:
        return self.severity == Severity.BLOCKING

    @property
    def is_warning(self) -> bool:
        return self.severity == Severity.WARNING

    @property
    def badge(self) -> str:
        return "danger" if self.is_blocking else "warning"


class MaterialKind(models.TextChoices):
    ROSTER = "roster", _("花名册")
    TRAINING_PLAN = "training_plan", _("培训计划")
    SYLLABUS = "syllabus", _("教学大纲")
    TIMETABLE = "timetable", _("课程表")
    TEACHERS = "teachers", _("师资信息")
    ATTENDANCE = "attendance", _("考勤记录")
    VIDEO = "video", _("授课视频（存储位置）")
    CLAIM_FORM = "claim_form", _("补贴申请表")


class ClaimMaterial(models.Model):
    claim = models.ForeignKey(SubsidyClaim, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(_("材料"), max_length=20, choices=MaterialKind.choices)
    file = models.FileField(upload_to="claims/", blank=True)
    reference = models.CharField(_("存储位置/说明"), max_length=300, blank=True)  # e.g. the lesson video's location
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["kind"]

    def __str__(self):
        return self.get_kind_display()


class ClaimStatusChange(models.Model):
    claim = models.ForeignKey(SubsidyClaim, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=14, blank=True)
    to_status = models.CharField(max_length=14)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"

    @property
    def to_label(self):
        return ClaimStatus(self.to_status).label
