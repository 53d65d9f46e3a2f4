from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import clock

from .validators import validate_credit_code, validate_mainland_phone


class InstitutionType(models.TextChoices):
    PUBLIC_TRAINING_BASE = "public_base", _("公共实训基地")
    TECHNICIAN_COLLEGE = "technician_college", _("技工院校")
    VOCATIONAL_COLLEGE = "vocational_college", _("职业院校")
    PRIVATE_TRAINING = "private", _("民办职业培训机构")
    ENTERPRISE_CENTER = "enterprise", _("企业培训中心")
    HIGH_SKILL_BASE = "high_skill_base", _("高技能人才培训基地")
    MASTER_STUDIO = "master_studio", _("技能大师工作室")
    ONLINE_PLATFORM = "online", _("线上培训平台")


class InstitutionStatus(models.TextChoices):
    APPLIED = "applied", _("申请中")
    DESIGNATED = "designated", _("已认定")
    SUSPENDED = "suspended", _("暂停")
    REVOKED = "revoked", _("已撤销")


# The colour of a status badge (Bootstrap's text-bg-*); the workflow is in workflows.py.
INSTITUTION_STATUS_TONES = {
    InstitutionStatus.APPLIED: "info",
    InstitutionStatus.DESIGNATED: "success",
    InstitutionStatus.SUSPENDED: "warning",
    InstitutionStatus.REVOKED: "secondary",
}


def seat_label(region) -> str:
    """How an institution's seat is offered and named: a county by its name, a city itself as 绥化市（市本级）."""
    return _("%(city)s（市本级）") % {"city": region.name} if region.level == "city" else region.name


class Institution(models.Model):
    """A training institution (培训机构); only a designated one may run subsidized training.

    `county` is where it sits: a county, or a city itself for an institution the city administers directly
    (市直: a 技师学院, the 市公共实训基地), whose classes count for the city's 市本级 (SEAT_LEVELS)."""

    SEAT_LEVELS = ("county", "city")

    name = models.CharField(_("机构名称"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code])
    type = models.CharField(_("机构类型"), max_length=24, choices=InstitutionType.choices)
    county = models.ForeignKey(
        "catalog.Region", verbose_name=_("所在县（市、区）"), on_delete=models.PROTECT, related_name="institutions"
    )
    address = models.CharField(_("地址"), max_length=200)
    latitude = models.DecimalField(
        _("纬度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("经度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    contact_person = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=20, validators=[validate_mainland_phone])
    license_number = models.CharField(_("办学许可证号"), max_length=50, blank=True)
    license_valid_until = models.DateField(_("办学许可证有效期至"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("培训能力（人/期）"), default=0)
    status = models.CharField(
        _("认定状态"), max_length=12, choices=InstitutionStatus.choices, default=InstitutionStatus.APPLIED
    )
    designated_since = models.DateField(_("本次认定生效日"), null=True, blank=True)
    # When the institution (a public training base) was built: what the plans' 新建公共实训基地 counts.
    founded_on = models.DateField(_("建成日期"), null=True, blank=True)
    # Kept current by the training app's service when a subsidized class starts (see institution_record_class).
    last_class_on = models.DateField(_("最近一次开班日期"), null=True, blank=True)
    # The latest yearly performance grade (A–D), written by the indicators app's nightly rating.
    rating_grade = models.CharField(_("绩效等级"), max_length=1, blank=True)
    rating_year = models.PositiveSmallIntegerField(_("评级年度"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=clock.now)

    class Meta:
        verbose_name = _("培训机构")
        verbose_name_plural = _("培训机构")
        ordering = ["county__code", "name"]
        indexes = [models.Index(fields=["status", "county"])]

    def __str__(self):
        return self.name

    @property
    def is_designated(self) -> bool:
        """Only a designated institution may have programs listed and run subsidized training."""
        return self.status == InstitutionStatus.DESIGNATED

    @property
    def status_tone(self) -> str:
        return INSTITUTION_STATUS_TONES.get(self.status, "secondary")

    # Fields an institution user may not change directly: the bureau approves a change request.
    KEY_FIELDS = ("name", "credit_code", "type", "county", "license_number", "license_valid_until", "founded_on")
    SELF_SERVICE_FIELDS = ("address", "latitude", "longitude", "contact_person", "contact_phone", "capacity")


class StatusChange(models.Model):
    """One row per workflow transition: who, when it takes effect, and why."""

    from_status = models.CharField(_("原状态"), max_length=12, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12)
    effective_date = models.DateField(_("生效日期"))
    reason = models.TextField(_("理由"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("操作时间"), default=clock.now)

    class Meta:
        abstract = True
        ordering = ["effective_date", "created_at", "id"]

    STATUS: type[models.TextChoices]

    def __str__(self):
        return f"{self.effective_date} {self.from_label or '—'} → {self.to_label}"

    @property
    def from_label(self) -> str:
        return self.STATUS(self.from_status).label if self.from_status else ""

    @property
    def to_label(self) -> str:
        return self.STATUS(self.to_status).label


class InstitutionStatusChange(StatusChange):
    STATUS = InstitutionStatus
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChange.Meta):
        verbose_name = _("认定状态变更")
        verbose_name_plural = _("认定状态变更")


class Teacher(models.Model):
    """A teacher of an institution. Only the masked ID number is kept: the directory needs no more."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="teachers")
    name = models.CharField(_("姓名"), max_length=50)
    id_number_masked = models.CharField(_("身份证号（脱敏）"), max_length=18)
    qualifications = models.CharField(_("职称/资格"), max_length=200, blank=True)
    certificates = models.CharField(_("证书"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("师资")
        verbose_name_plural = _("师资")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Venue(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="venues")
    name = models.CharField(_("场地名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200)
    area_m2 = models.PositiveIntegerField(_("面积（平方米）"), default=0)
    capacity = models.PositiveIntegerField(_("容纳人数"), default=0)

    class Meta:
        verbose_name = _("培训场地")
        verbose_name_plural = _("培训场地")
        ordering = ["name"]

    def __str__(self):
        return self.name


class AnnualInspection(models.Model):
    class Kind(models.TextChoices):
        REPORT = "report", _("年度报告")
        INSPECTION = "inspection", _("年度检查")

    class Outcome(models.TextChoices):
        PASSED = "passed", _("合格")
        BASIC = "basic", _("基本合格")
        FAILED = "failed", _("不合格")

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="inspections")
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    outcome = models.CharField(_("结论"), max_length=12, choices=Outcome.choices)
    inspected_on = models.DateField(_("日期"))
    notes = models.TextField(_("说明"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("年度报告/检查")
        verbose_name_plural = _("年度报告/检查")
        ordering = ["-year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "year", "kind"], name="one_inspection_per_kind_and_year")
        ]

    def __str__(self):
        return f"{self.year} {self.get_kind_display()} {self.get_outcome_display()}"


class ProfileChangeRequest(models.Model):
    """An institution's request to change key fields; applied only when the bureau approves it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="change_requests")
    changes = models.JSONField(_("变更内容"))  # {field: new value as text}
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PENDING)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"), default=clock.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_reason = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("机构信息变更申请")
        verbose_name_plural = _("机构信息变更申请")
        ordering = ["-submitted_at"]

    def __str__(self):
        return f"{self.institution} {self.get_status_display()}"


class TrainingMode(models.TextChoices):
    OFFLINE = "offline", _("线下")
    ONLINE = "online", _("线上")
    BLENDED = "blended", _("线上线下融合")


class ProgramStatus(models.TextChoices):
    LISTED = "listed", _("已列入目录")
    DELISTED = "delisted", _("已移出目录")


PROGRAM_STATUS_TONES = {ProgramStatus.LISTED: "success", ProgramStatus.DELISTED: "secondary"}


class Program(models.Model):
    """An entry of the subsidized program directory: what one institution may train, at which level,
    how, for how many hours and at what fee."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("培训机构"), on_delete=models.PROTECT, related_name="programs"
    )
    # A vocational program has an occupation and a level; an entrepreneurship program (创业培训) has a stage
    # and neither (program_is_occupation_or_stage).
    occupation = models.ForeignKey(
        "catalog.Occupation",
        verbose_name=_("职业（工种）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programs",
    )
    skill_level = models.ForeignKey(
        "catalog.SkillLevel",
        verbose_name=_("技能等级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programs",
    )
    entrepreneurship_stage = models.ForeignKey(
        "catalog.EntrepreneurshipStage",
        verbose_name=_("创业培训阶段"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programs",
    )
    training_type = models.ForeignKey(
        "catalog.TrainingType", verbose_name=_("培训类型"), on_delete=models.PROTECT, related_name="programs"
    )
    mode = models.CharField(_("培训方式"), max_length=10, choices=TrainingMode.choices)
    theory_hours = models.PositiveSmallIntegerField(_("理论课时"))
    practice_hours = models.PositiveSmallIntegerField(_("实操课时"))
    fee = models.DecimalField(_("培训费（元/人）"), max_digits=10, decimal_places=2)
    status = models.CharField(_("目录状态"), max_length=10, choices=ProgramStatus.choices, default=ProgramStatus.LISTED)
    listed_on = models.DateField(_("列入日期"))
    delisted_on = models.DateField(_("移出日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("培训项目")
        verbose_name_plural = _("培训项目目录")
        ordering = ["institution", "occupation__code", "skill_level__rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "occupation", "skill_level", "training_type", "mode"],
                name="one_program_per_institution_occupation_level_type_mode",
            ),
            models.UniqueConstraint(
                fields=["institution", "entrepreneurship_stage", "mode"],
                condition=models.Q(entrepreneurship_stage__isnull=False),
                name="one_program_per_institution_stage_mode",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    entrepreneurship_stage__isnull=True, occupation__isnull=False, skill_level__isnull=False
                )
                | models.Q(entrepreneurship_stage__isnull=False, occupation__isnull=True, skill_level__isnull=True),
                name="program_is_occupation_or_stage",
            ),
            models.CheckConstraint(condition=models.Q(fee__gte=0), name="program_fee_not_negative"),
            models.CheckConstraint(
                condition=models.Q(theory_hours__gt=0) | models.Q(practice_hours__gt=0), name="program_has_hours"
            ),
        ]

    def __str__(self):
        if self.entrepreneurship_stage_id:
            return f"{self.entrepreneurship_stage.name}（{self.get_mode_display()}）"
        return f"{self.occupation.name}（{self.skill_level.name}，{self.get_mode_display()}）"

    @property
    def is_entrepreneurship(self) -> bool:
        return self.entrepreneurship_stage_id is not None

    @property
    def standard_hours(self) -> int:
        return self.theory_hours + self.practice_hours

    @property
    def status_tone(self) -> str:
        return PROGRAM_STATUS_TONES.get(self.status, "secondary")


class ProgramStatusChange(StatusChange):
    STATUS = ProgramStatus
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChange.Meta):
        verbose_name = _("目录状态变更")
        verbose_name_plural = _("目录状态变更")


class UrgentOccupationList(models.Model):
    """急需紧缺职业目录: published by a bureau for its region and a year."""

    region = models.ForeignKey(
        "catalog.Region", verbose_name=_("发布区划"), on_delete=models.PROTECT, related_name="urgent_lists"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    document = models.CharField(_("发布文件"), max_length=200, blank=True)
    occupations = models.ManyToManyField("catalog.Occupation", verbose_name=_("职业"), related_name="urgent_lists")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("发布时间"), default=clock.now)

    class Meta:
        verbose_name = _("急需紧缺职业目录")
        verbose_name_plural = _("急需紧缺职业目录")
        ordering = ["-year", "region__code"]
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="one_urgent_list_per_region_year")]

    def __str__(self):
        return f"{self.region.name} {self.year} 年急需紧缺职业目录"


from .key_area_models import ProgramKeyArea  # noqa: E402, F401 (a model of this app, in a module of its own)
