from django.conf import settings
from django.db import models
from django.db.models import Case, DateField, F, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext_lazy as _

from core import clock
from core.dates import MonthStart
from core.masking import display_age, mask_name

from .crypto import EncryptedTextField


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Education(models.TextChoices):
    PRIMARY = "primary", _("小学及以下")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中/中专/技校")
    COLLEGE = "college", _("大专")
    BACHELOR = "bachelor", _("本科")
    POSTGRADUATE = "postgraduate", _("研究生")


class EmploymentStatus(models.TextChoices):
    EMPLOYED = "employed", _("就业")
    UNEMPLOYED = "unemployed", _("失业")
    FLEXIBLE = "flexible", _("灵活就业")
    STUDENT = "student", _("在校学生")
    FARMING = "farming", _("务农")
    OTHER = "other", _("其他")


class Trainee(models.Model):
    """One person, by real name and resident ID number (凡补必进，不进不补). The ID number, phone and bank
    account are encrypted; `id_index` (a keyed blind index) finds a person and keeps them unique."""

    name = models.CharField(_("姓名"), max_length=50)
    id_number = EncryptedTextField(_("身份证号"))
    id_index = models.CharField(max_length=32, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, editable=False)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    phone = EncryptedTextField(_("手机号码"), blank=True)
    phone_masked = models.CharField(_("手机号码"), max_length=11, blank=True, editable=False)
    phone_index = models.CharField(max_length=32, blank=True, editable=False)
    bank_account = EncryptedTextField(_("银行账号"), blank=True)
    hukou_region = models.ForeignKey(
        "catalog.Region",
        verbose_name=_("户籍所在地"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    residence_region = models.ForeignKey(
        "catalog.Region", verbose_name=_("常住地"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    education = models.CharField(_("文化程度"), max_length=16, choices=Education.choices, blank=True)
    employment_status = models.CharField(_("就业状态"), max_length=16, choices=EmploymentStatus.choices, blank=True)
    social_security_number = models.CharField(_("社会保障卡号"), max_length=30, blank=True)
    draws_pension = models.BooleanField(
        _("领取基本养老金"), default=False, help_text=_("按月领取基本养老金的人员不属于补贴对象")
    )
    # The county whose bureau or institution first recorded the person: the scope of a trainee with no
    # training yet.
    registered_region = models.ForeignKey(
        "catalog.Region",
        verbose_name=_("登记地"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(_("登记时间"), default=clock.now)

    class Meta:
        verbose_name = _("学员")
        verbose_name_plural = _("学员")
        ordering = ["-created_at", "-id"]
        # Declared here rather than with unique=/db_index= so PostgreSQL gets no extra LIKE indexes: the register
        # is bulk-loaded and each index costs on every row. Names are searched by prefix (pattern ops).
        constraints = [models.UniqueConstraint(fields=["id_index"], name="one_trainee_per_id_number")]
        indexes = [
            models.Index(fields=["name"], name="trainee_name_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["phone_index"], name="trainee_phone_index"),
        ]

    def __str__(self):
        return f"{mask_name(self.name)}（{self.id_number_masked}）"

    @property
    def name_masked(self) -> str:
        return mask_name(self.name)

    @property
    def age(self) -> int:
        """What is shown beside the masked ID number instead of the birth date (core.masking.display_age)."""
        return display_age(self.birth_date, clock.today())


class TraineeCategoryAssignment(models.Model):
    """A category (农民工, 脱贫人口, …) that applies to a person from a date, with its evidence. The category
    in force when a person enrolls is frozen on the enrollment, so later changes do not move counts."""

    trainee = models.ForeignKey(Trainee, on_delete=models.CASCADE, related_name="categories")
    category = models.ForeignKey("catalog.TraineeCategory", verbose_name=_("人员类别"), on_delete=models.PROTECT)
    valid_from = models.DateField(_("起始日期"))
    valid_to = models.DateField(_("截止日期"), null=True, blank=True)
    evidence = models.CharField(_("证明材料"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("人员类别")
        verbose_name_plural = _("人员类别")
        ordering = ["valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["trainee", "category", "valid_from"], name="one_category_start_per_day")
        ]

    def __str__(self):
        return f"{self.category}（{self.valid_from} 起）"


class TraineeAccess(models.Model):
    """Who may see a person: bureaus of the county where they registered, enrolled or trained, and the
    institutions that trained them. Written by the services that create those facts; read by every scoped
    trainee list (one indexed EXISTS instead of joins across apps)."""

    # Derived from facts kept elsewhere and written by the services that record them: no FK checks per row.
    trainee = models.ForeignKey(
        Trainee, on_delete=models.CASCADE, related_name="access", db_index=False, db_constraint=False
    )
    county = models.ForeignKey(
        "catalog.Region", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        constraints = [
            # One row per (person, county, institution or none): bulk loads insert with ON CONFLICT DO NOTHING.
            models.UniqueConstraint("trainee", "county", Coalesce("institution", 0), name="one_access_row"),
        ]
        indexes = [models.Index(fields=["county", "trainee"]), models.Index(fields=["institution", "trainee"])]

    def __str__(self):
        return f"{self.trainee_id} @ {self.county_id}/{self.institution_id}"


class SubsidyKind(models.TextChoices):
    TRAINING = "training", _("职业培训补贴")
    SKILL_UPGRADE = "skill_upgrade", _("技能提升补贴")
    ASSESSMENT = "assessment", _("职业技能鉴定评价补贴")
    LIVING = "living", _("生活费补贴")
    NONE = "none", _("无补贴")


class RecordSource(models.TextChoices):
    HISTORY = "history", _("历史数据迁移")
    CLAIM = "claim", _("本系统补贴申请")


def counted_month():
    """The month a ledger record counts in for the indicators: a claim's in the month it was approved (the
    record is written at approval; Beijing time), migrated history's in the month its training ended."""
    approved_or_ended = Case(
        When(source=RecordSource.CLAIM, then=TruncDate("created_at")), default=F("end_date"), output_field=DateField()
    )
    return MonthStart(approved_or_ended)


class TrainingRecord(models.Model):
    """The archive ledger (终身职业技能培训电子档案): one row per training a person received. It answers "what
    has this person already been subsidized for" for the subsidy rules and roster warnings."""

    # The ledger is bulk-loaded (millions of rows from a province's history): it carries only the indexes its
    # questions need, and the database does not re-check its references row by row. Rows are written only by
    # the services, from joins on existing rows; nothing referenced is ever deleted (PROTECT, no delete path).
    trainee = models.ForeignKey(
        Trainee, on_delete=models.PROTECT, related_name="records", db_index=False, db_constraint=False
    )
    # Null for an entrepreneurship stage (创业培训), which carries its stage instead (record_is_occupation_or_stage).
    occupation = models.ForeignKey(
        "catalog.Occupation",
        verbose_name=_("职业（工种）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    skill_level = models.ForeignKey(
        "catalog.SkillLevel",
        verbose_name=_("技能等级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    entrepreneurship_stage = models.ForeignKey(
        "catalog.EntrepreneurshipStage",
        verbose_name=_("创业培训阶段"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    training_type = models.ForeignKey(
        "catalog.TrainingType",
        verbose_name=_("培训类型"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    subsidy_kind = models.CharField(
        _("补贴类型"), max_length=16, choices=SubsidyKind.choices, default=SubsidyKind.TRAINING
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    year = models.PositiveSmallIntegerField(_("年度"))  # of end_date: "how many this year"
    county = models.ForeignKey(
        "catalog.Region",
        verbose_name=_("培训地"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("培训机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_records",
        db_index=False,
        db_constraint=False,
    )
    institution_credit_code = models.CharField(_("机构统一社会信用代码"), max_length=18, blank=True)
    # The person's groups frozen on the enrollment (农民工 and 脱贫人口 at once, …) are `groups`, what the group
    # indicators count by; `category` is the first of them in the catalog's order (the primary group), kept for
    # the readers that want one.
    groups = models.ManyToManyField(
        "catalog.TraineeCategory", through="TrainingRecordGroup", related_name="+", verbose_name=_("人员类别")
    )
    category = models.ForeignKey(
        "catalog.TraineeCategory",
        verbose_name=_("人员类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    amount = models.DecimalField(_("补贴金额（元）"), max_digits=10, decimal_places=2, default=0)
    certificate_number = models.CharField(_("证书编号"), max_length=50, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=RecordSource.choices)
    # Identifies the origin (a history row's fingerprint, a claim line id): re-imports change nothing.
    source_ref = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("培训档案记录")
        verbose_name_plural = _("培训档案记录")
        ordering = ["-end_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_ref"], name="one_record_per_source_ref"),
            # Never paid twice: one training subsidy per person, occupation and level from this system's claims
            # (migrated history may hold old duplicates; the rules read it, the index cannot).
            models.UniqueConstraint(
                fields=["trainee", "occupation", "skill_level"],
                condition=models.Q(source="claim", subsidy_kind="training", entrepreneurship_stage__isnull=True),
                name="one_claim_subsidy_per_occupation_level",
            ),
            # 创业培训: each stage subsidized once per person; it has no occupation or level to collide on.
            models.UniqueConstraint(
                fields=["trainee", "entrepreneurship_stage"],
                condition=models.Q(source="claim", subsidy_kind="training", entrepreneurship_stage__isnull=False),
                name="one_claim_subsidy_per_entrepreneurship_stage",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    entrepreneurship_stage__isnull=True, occupation__isnull=False, skill_level__isnull=False
                )
                | models.Q(entrepreneurship_stage__isnull=False, occupation__isnull=True, skill_level__isnull=True),
                name="record_is_occupation_or_stage",
            ),
        ]
        indexes = [
            # A person has a handful of records: one index by person answers "same occupation and level?"
            # and "how many this year?" alike.
            models.Index(fields=["trainee", "year"], name="record_person_year"),
            # The indicators' incremental roll-up reads one county's rows of a few months.
            models.Index(F("county"), counted_month(), name="record_county_counted_month"),
        ]

    def __str__(self):
        if self.entrepreneurship_stage_id:
            return f"{self.entrepreneurship_stage.name} {self.end_date}"
        return f"{self.occupation.name} {self.skill_level.name} {self.end_date}"


class TrainingRecordGroup(models.Model):
    """One group (人员类别) a ledger record's person belonged to, copied from the enrollment (or the history
    file) when the record is written: a set, so a person in two groups counts in both groups once."""

    # Bulk-loaded beside the ledger: the unique index is the only one (it also answers "groups of a record").
    record = models.ForeignKey(
        TrainingRecord, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    category = models.ForeignKey(
        "catalog.TraineeCategory", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )

    class Meta:
        verbose_name = _("培训档案人员类别")
        verbose_name_plural = _("培训档案人员类别")
        constraints = [models.UniqueConstraint(fields=["record", "category"], name="one_record_group")]

    def __str__(self):
        return f"{self.record_id}:{self.category_id}"


class CertificateType(models.TextChoices):
    QUALIFICATION = "qualification", _("职业资格证书")
    SKILL_LEVEL = "skill_level", _("职业技能等级证书")
    SPECIAL_ABILITY = "special_ability", _("专项职业能力证书")
    SPECIAL_OPERATION = "special_operation", _("特种作业操作证")
    TRAINING = "training", _("培训合格证")


class Certificate(models.Model):
    """A certificate a person obtained. `region` is the county (or a city's or province's own level) where it
    counts for the plans' indicators, fixed when it is recorded (trainees.services.certificates.certificate_region):
    the person's registered county, else where the person trained for it."""

    trainee = models.ForeignKey(Trainee, on_delete=models.PROTECT, related_name="certificates")
    type = models.CharField(_("证书类型"), max_length=20, choices=CertificateType.choices)
    number = models.CharField(_("证书编号"), max_length=50)
    occupation = models.ForeignKey(
        "catalog.Occupation", verbose_name=_("职业（工种）"), on_delete=models.PROTECT, related_name="+"
    )
    skill_level = models.ForeignKey(
        "catalog.SkillLevel",
        verbose_name=_("技能等级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issuing_body = models.CharField(_("发证机构"), max_length=100)
    issue_date = models.DateField(_("发证日期"))
    region = models.ForeignKey(
        "catalog.Region",
        verbose_name=_("统计地"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )  # null: no registered county and no training on record, counted nowhere
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("证书")
        verbose_name_plural = _("证书")
        ordering = ["-issue_date"]
        constraints = [models.UniqueConstraint(fields=["type", "number"], name="certificate_number_unique_per_type")]
        indexes = [models.Index(fields=["trainee", "issue_date"])]

    def __str__(self):
        return f"{self.get_type_display()} {self.number}"
