from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import clock


class ProgressStatus(models.TextChoices):
    """How an indicator's progress compares with the time gone by (the dashboard's badge): on track when the share
    of the target done is at least the share of the period elapsed, behind when it is at least 80 % of it, else at
    risk of missing the target. Computed on every request, never stored."""

    ON_TRACK = "on_track", _("进度正常")
    BEHIND = "behind", _("进度滞后")
    AT_RISK = "at_risk", _("有完不成风险")


class Plan(models.Model):
    """A plan with targets: Heilongjiang 2022–2025, the national 14th Five-Year plan, Suihua 2019, …"""

    code = models.CharField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    document = models.CharField(_("发文"), max_length=300, blank=True)
    region = models.ForeignKey(
        "catalog.Region", verbose_name=_("制定区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # null: national
    start = models.DateField(_("起始"))
    end = models.DateField(_("截止"))

    class Meta:
        verbose_name = _("计划")
        verbose_name_plural = _("计划")
        ordering = ["-end", "code"]

    def __str__(self):
        return self.name


class Indicator(models.Model):
    class Kind(models.TextChoices):
        CUMULATIVE = "cumulative", _("期间累计")
        YEARLY = "yearly", _("每年")
        STOCK = "stock", _("期末存量")

    class Source(models.TextChoices):
        COMPUTED = "computed", _("系统统计")
        REPORTED = "reported", _("填报")
        # A national indicator in a provincial deployment: the system counts the province's contribution, shown
        # with its share of the national figure, never as the province's completion of a target.
        REFERENCE = "reference", _("参考")

    class Attribute(models.TextChoices):
        """The plans' 属性 column; blank where a plan does not say."""

        EXPECTED = "expected", _("预期性")
        BINDING = "binding", _("约束性")

    class Comparator(models.TextChoices):
        """How the plan states the target: 不低于 (≥, "以上"), 左右 (about), 不高于 (≤)."""

        AT_LEAST = "at_least", "≥"
        ABOUT = "about", _("左右")
        AT_MOST = "at_most", "≤"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=200)
    unit = models.CharField(_("单位"), max_length=10, default="人次")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    definition = models.CharField(_("统计口径"), max_length=40, blank=True)  # indicators.definitions key
    attribute = models.CharField(_("属性"), max_length=10, choices=Attribute.choices, blank=True)
    comparator = models.CharField(_("目标表述"), max_length=10, choices=Comparator.choices, default=Comparator.AT_LEAST)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="parts")
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["plan", "sort_order"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="one_indicator_code_per_plan")]

    def __str__(self):
        return self.name


class Target(models.Model):
    """A target of an indicator for a region (and a year, for yearly indicators). `city_own` marks 市本级: the
    city acting as its own allocation unit beside its counties."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    region = models.ForeignKey("catalog.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    city_own = models.BooleanField(_("市本级"), default=False)
    value = models.PositiveIntegerField(_("目标"))
    stretch = models.PositiveIntegerField(_("力争目标"), null=True, blank=True)

    class Meta:
        verbose_name = _("目标任务")
        verbose_name_plural = _("目标任务")
        constraints = [
            # NULL region (national) or year (whole period) are not compared by the index: the service checks.
            models.UniqueConstraint(fields=["indicator", "region", "year", "city_own"], name="one_target_per_unit"),
        ]

    def __str__(self):
        return f"{self.indicator} {self.region or '全国'} {self.year or ''} {self.value}"


class DepartmentTarget(models.Model):
    """A department's quota of an indicator (绥化 附件1); with a training type, the part of the quota of that type
    (市场监督管理局 60, of which 岗位技能提升培训 30 and 创业培训 30). `department` is catalog.Department's name."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="department_targets")
    department = models.CharField(_("部门"), max_length=50)
    value = models.PositiveIntegerField(_("目标"))
    training_type = models.ForeignKey(
        "catalog.TrainingType", verbose_name=_("其中：培训类型"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        ordering = ["-value"]

    def __str__(self):
        return f"{self.department} {self.value}"


class ReportedValue(models.Model):
    """A value entered by the responsible unit for a reported indicator, with its evidence."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="reported_values")
    region = models.ForeignKey("catalog.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    period = models.DateField(_("月份"))  # first day of the month
    value = models.PositiveIntegerField(_("数值"))
    evidence = models.CharField(_("依据"), max_length=500)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-period"]
        constraints = [models.UniqueConstraint(fields=["indicator", "region", "period"], name="one_report_per_month")]

    def __str__(self):
        return f"{self.indicator} {self.period:%Y-%m} {self.value}"


class KeyTask(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    number = models.CharField(_("序号"), max_length=10)
    title = models.CharField(_("任务"), max_length=300)
    responsible = models.CharField(_("责任单位"), max_length=300, blank=True)
    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    done = models.BooleanField(_("已完成"), default=False)

    class Meta:
        ordering = ["plan", "id"]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def is_overdue(self, today) -> bool:
        return not self.done and self.deadline is not None and self.deadline < today


class TaskProgress(models.Model):
    task = models.ForeignKey(KeyTask, on_delete=models.CASCADE, related_name="progress_reports")
    note = models.TextField(_("进展"))
    completed = models.BooleanField(_("已完成"), default=False)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-reported_at"]

    def __str__(self):
        return f"{self.task_id} {self.reported_at:%Y-%m-%d}"


class Progress(models.Model):
    """The roll-up every dashboard reads: one indicator definition's count per unit and month. Units are
    counties, a city's and a province's own level (市本级 <city>00, 省本级 <province>0000: what is placed at the
    city or province itself) and their sums for cities and provinces (`institution` blank), and institutions
    inside a unit (`unit` the county, `institution` its id). A dashboard reads the rows whose `parent` is its
    region."""

    definition = models.CharField(max_length=40)
    unit = models.CharField(max_length=6)  # region code
    parent = models.CharField(max_length=6, blank=True)
    institution = models.CharField(max_length=20, blank=True)
    month = models.DateField()
    value = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["definition", "unit", "institution", "month"], name="one_progress_cell")
        ]
        indexes = [
            models.Index(fields=["parent", "definition", "month"]),
            models.Index(fields=["unit", "definition", "month"]),
        ]

    def __str__(self):
        return f"{self.definition} {self.unit}/{self.institution} {self.month:%Y-%m} {self.value}"


class Breakdown(models.Model):
    """Counts per unit (county, city, province) and year split by one dimension (category, training type,
    occupation, institution type)."""

    definition = models.CharField(max_length=40)
    unit = models.CharField(max_length=6)
    year = models.PositiveSmallIntegerField()
    dimension = models.CharField(max_length=20)
    key = models.CharField(max_length=60)
    value = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "unit", "year", "dimension", "key"], name="one_breakdown_cell"
            )
        ]
        indexes = [models.Index(fields=["unit", "definition", "year"])]

    def __str__(self):
        return f"{self.definition} {self.unit} {self.dimension}={self.key} {self.value}"


class MonthlyReport(models.Model):
    """月报: the fixed-layout Excel for a region and month, generated by Celery and archived."""

    region = models.ForeignKey("catalog.Region", on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    file = models.FileField(upload_to="reports/")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["region", "plan", "month"], name="one_report_per_region_month")]

    def __str__(self):
        return f"{self.region} {self.month:%Y-%m}"


class InstitutionRating(models.Model):
    """An institution's yearly performance (seed 000 §26), computed nightly by indicators.services.ratings."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    metrics = models.JSONField(default=dict)
    score = models.DecimalField(max_digits=5, decimal_places=1)
    grade = models.CharField(max_length=1)
    computed_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-year", "-score"]
        constraints = [models.UniqueConstraint(fields=["institution", "year"], name="one_rating_per_year")]

    def __str__(self):
        return f"{self.institution_id} {self.year} {self.grade}"
