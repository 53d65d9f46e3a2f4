from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import clock
from trainees.crypto import EncryptedTextField


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


class PaymentKind(models.TextChoices):
    ADVANCE = "advance", _("预拨")
    SETTLEMENT = "settlement", _("清算")


class Payment(models.Model):
    """Exactly one advance per class and one settlement per claim (database constraints and an idempotency
    key). A negative settlement is a recovery (追回)."""

    training_class = models.ForeignKey("training.TrainingClass", on_delete=models.PROTECT, related_name="payments")
    claim = models.ForeignKey(SubsidyClaim, null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(_("类型"), max_length=12, choices=PaymentKind.choices)
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    bank_reference = models.CharField(_("银行流水号"), max_length=64)
    idempotency_key = models.CharField(max_length=64, unique=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("拨付")
        verbose_name_plural = _("拨付")
        ordering = ["recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["training_class"], condition=models.Q(kind="advance"), name="one_advance_per_class"
            ),
            models.UniqueConstraint(
                fields=["claim"], condition=models.Q(kind="settlement"), name="one_settlement_per_claim"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="advance", amount__gt=0) | models.Q(kind="settlement"),
                name="advance_is_positive",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"

    @property
    def is_recovery(self) -> bool:
        return self.kind == PaymentKind.SETTLEMENT and self.amount < 0


class CategoryEligibility(models.Model):
    """Which trainee categories a training type subsidizes; a type with no rows accepts every category."""

    training_type = models.ForeignKey("catalog.TrainingType", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("catalog.TraineeCategory", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["training_type", "category"], name="one_eligibility_row")]

    def __str__(self):
        return f"{self.training_type_id}:{self.category_id}"


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
