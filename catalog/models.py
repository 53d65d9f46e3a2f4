from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """An administrative division (GB/T 2260): province › prefecture-level city › county-level unit.

    Codes are stored at their natural length (黑龙江省 23, 绥化市 2312, 北林区 231202), so the regions under
    one are exactly those whose code starts with its code, and the three levels never collide (东莞市 is
    city 4419 and county-level unit 441900).
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("省级")
        CITY = "city", _("地市级")
        COUNTY = "county", _("县级")

    code = models.CharField(_("区划代码"), max_length=6, unique=True)  # 2, 4 or 6 digits by level
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("层级"), max_length=8, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_statistical = models.BooleanField(_("统计区"), default=False, help_text=_("功能区/统计用区划，并非行政县级单位"))

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"])]

    def __str__(self):
        return self.name

    CODE_LENGTH = {"province": 2, "city": 4, "county": 6}

    def clean(self):
        expected = self.CODE_LENGTH.get(self.level)
        if expected and (len(self.code) != expected or not self.code.isdigit()):
            raise ValidationError(
                {"code": _("%(level)s区划代码应为 %(n)s 位数字") % {"level": self.get_level_display(), "n": expected}}
            )
        if self.parent and not self.code.startswith(self.parent.code):
            raise ValidationError({"parent": _("区划代码应以上级区划代码开头")})

    @property
    def gb_code(self) -> str:
        """The 6-digit GB/T 2260 form (230000, 231200, 231202)."""
        return self.code.ljust(6, "0")

    @property
    def full_name(self) -> str:
        names, region = [], self
        while region is not None:
            if region.name != "市辖区":
                names.append(region.name)
            region = region.parent
        return "".join(reversed(names))


occupation_code_validator = RegexValidator(
    r"^\d-\d{2}-\d{2}-\d{2}$", _("职业编码格式应为 大类-中类-小类-细类，例如 4-10-01-05")
)


class Occupation(models.Model):
    """An occupation (工种) of the 2022 occupation classification (职业分类大典)."""

    code = models.CharField(_("职业编码"), max_length=12, unique=True, validators=[occupation_code_validator])
    name = models.CharField(_("职业名称"), max_length=100)
    category = models.CharField(_("类别"), max_length=100, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("职业（工种）")
        verbose_name_plural = _("职业（工种）")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}（{self.code}）"


class SkillLevel(models.Model):
    """A rung of the 新八级工 ladder; `rank` orders it (学徒工 1 … 首席技师 8)."""

    HIGH_SKILLED_FROM_RANK = 4  # 高级工 and above are 高技能人才

    code = models.CharField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=20)
    rank = models.PositiveSmallIntegerField(_("序位"), unique=True)
    national_grade = models.CharField(
        _("国家职业资格等级"), max_length=8, blank=True, help_text=_("五级……一级，仅国家五级有")
    )

    class Meta:
        verbose_name = _("技能等级")
        verbose_name_plural = _("技能等级")
        ordering = ["rank"]

    def __str__(self):
        return f"{self.national_grade}/{self.name}" if self.national_grade else self.name

    @property
    def is_national(self) -> bool:
        return bool(self.national_grade)

    @property
    def is_high_skilled(self) -> bool:
        return self.rank >= self.HIGH_SKILLED_FROM_RANK


class TraineeCategory(models.Model):
    code = models.CharField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("人员类别")
        verbose_name_plural = _("人员类别")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name


class TrainingType(models.Model):
    code = models.CharField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("培训类型")
        verbose_name_plural = _("培训类型")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name


class KeyArea(models.Model):
    """A key area (重点领域) a plan names for its key-area indicators: the industries of seed 001 (黑龙江
    2025–2027, 重点领域职业技能培训25万人次, 高级工以上证书2万人次), in its words. The code is the key, so a tag's
    column holds it and the roll-up compares it without a join."""

    code = models.CharField(_("代码"), max_length=40, primary_key=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("重点领域")
        verbose_name_plural = _("重点领域")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name


class KeyAreaTag(models.Model):
    """What a tag has: the key area and the days it applies (valid_to empty: still applies). A training counts in
    the key area its tag gives on the training's end date."""

    key_area = models.ForeignKey(KeyArea, verbose_name=_("重点领域"), on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField(_("起始日期"))
    valid_to = models.DateField(_("截止日期"), null=True, blank=True)

    class Meta:
        abstract = True

    def applies_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class OccupationKeyArea(KeyAreaTag):
    """An occupation tagged as belonging to a key area, for a span of days. An occupation is in at most one key
    area on any day (catalog.services checks it), so the roll-up's join to its tag never multiplies a count."""

    occupation = models.ForeignKey(
        Occupation, verbose_name=_("职业（工种）"), on_delete=models.PROTECT, related_name="key_area_tags"
    )

    class Meta:
        verbose_name = _("职业重点领域标记")
        verbose_name_plural = _("职业重点领域标记")
        ordering = ["occupation__code", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="occupation_key_area_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["occupation"],
                condition=models.Q(valid_to__isnull=True),
                name="one_open_key_area_per_occupation",
            ),
        ]

    def __str__(self):
        return f"{self.occupation.name} → {self.key_area.name}"


class Department(models.Model):
    """A government department that organises training (组织部门) as a plan gives its quota (绥化 2019, seed 004,
    附件1: 市教育局 30, 市商务局 60, …): the department's kind, the same in every city; the class's region says
    whose it is."""

    code = models.CharField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("组织部门")
        verbose_name_plural = _("组织部门")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name


class EntrepreneurshipStage(models.Model):
    """A stage of 创业培训 (马兰花计划, seed 000 §(四)): 创业意识 (GYB/SIYB), 创办企业 (SYB), 改善企业 (IYB),
    网络创业, 创业模拟实训. A stage has no occupation or skill level; each is subsidized once per person."""

    code = models.CharField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("创业培训阶段")
        verbose_name_plural = _("创业培训阶段")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name
