from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import clock


class ClassStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审批")
    RETURNED = "returned", _("退回修改")
    REJECTED = "rejected", _("不予批准")
    APPROVED = "approved", _("已批准")
    IN_TRAINING = "in_training", _("培训中")
    COMPLETED = "completed", _("已结业")
    CLOSED = "closed", _("已关闭")


# The colour of a status badge (Bootstrap's text-bg-*); the workflow is in workflows.py.
CLASS_STATUS_TONES = {
    ClassStatus.SUBMITTED: "primary",
    ClassStatus.RETURNED: "warning",
    ClassStatus.REJECTED: "danger",
    ClassStatus.APPROVED: "success",
    ClassStatus.IN_TRAINING: "success",
}


class TrainingClass(models.Model):
    """A class opening application (开班申请) and, once approved, the class itself."""

    institution = models.ForeignKey(
        "institutions.Institution", verbose_name=_("培训机构"), on_delete=models.PROTECT, related_name="classes"
    )
    program = models.ForeignKey(
        "institutions.Program", verbose_name=_("培训项目"), on_delete=models.PROTECT, related_name="classes"
    )
    # The county of the institution, kept here so every scoped list filters one column.
    county = models.ForeignKey(
        "catalog.Region", verbose_name=_("所在县（市、区）"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("班级名称"), max_length=100)
    training_type = models.ForeignKey(
        "catalog.TrainingType", verbose_name=_("培训类型"), on_delete=models.PROTECT, related_name="+"
    )
    mode = models.CharField(_("培训方式"), max_length=10)
    start_date = models.DateField(_("开班日期"))
    end_date = models.DateField(_("结业日期"))
    planned_headcount = models.PositiveIntegerField(_("计划人数"))
    # The department that organised the class (组织部门), when one did: its quota counts the class (绥化 附件1).
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("组织部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="classes",
    )
    status = models.CharField(_("状态"), max_length=12, choices=ClassStatus.choices, default=ClassStatus.DRAFT)
    revision = models.PositiveIntegerField(_("版本"), default=1)  # bumped by each change after approval
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), default=clock.now)

    class Meta:
        verbose_name = _("培训班")
        verbose_name_plural = _("培训班")
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["county", "status"]), models.Index(fields=["institution", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="class_end_after_start"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_editable(self) -> bool:
        """The application, timetable and roster may change without a new approval (the workflow's "edit")."""
        from .workflows import CLASS

        return self.status in CLASS.sources("edit")

    @property
    def status_tone(self) -> str:
        return CLASS_STATUS_TONES.get(self.status, "secondary")


class SessionKind(models.TextChoices):
    THEORY = "theory", _("理论")
    PRACTICE = "practice", _("实操")


class ClassSession(models.Model):
    """One timetabled session. `hours` are class hours (课时), each at least 40 minutes (seed 004)."""

    training_class = models.ForeignKey(TrainingClass, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField(_("日期"))
    start_time = models.TimeField(_("开始时间"))
    end_time = models.TimeField(_("结束时间"))
    kind = models.CharField(_("类型"), max_length=10, choices=SessionKind.choices)
    hours = models.PositiveSmallIntegerField(_("课时"))
    teacher = models.ForeignKey(
        "institutions.Teacher",
        verbose_name=_("授课教师"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    venue = models.ForeignKey(
        "institutions.Venue", verbose_name=_("场地"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content = models.CharField(_("课程内容"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("课程安排")
        verbose_name_plural = _("课程安排")
        ordering = ["date", "start_time"]
        indexes = [models.Index(fields=["training_class", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")), name="session_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.date} {self.start_time:%H:%M}-{self.end_time:%H:%M}"

    @property
    def minutes(self) -> int:
        return (self.end_time.hour * 60 + self.end_time.minute) - (self.start_time.hour * 60 + self.start_time.minute)


class MaterialKind(models.TextChoices):
    TRAINING_PLAN = "training_plan", _("培训计划")
    SYLLABUS = "syllabus", _("教学大纲")
    TEACHER_LIST = "teacher_list", _("师资名单")
    ASSESSMENT_PLAN = "assessment_plan", _("考核方案")


def material_path(instance, filename):
    return f"classes/{instance.training_class_id}/{instance.kind}/{filename}"


class ClassMaterial(models.Model):
    training_class = models.ForeignKey(TrainingClass, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(_("材料类型"), max_length=20, choices=MaterialKind.choices)
    file = models.FileField(_("文件"), upload_to=material_path)
    original_name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["kind", "-uploaded_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.original_name}"


class ClassStatusChange(models.Model):
    """The class's history: every transition, and each approved revision's snapshot when it changes."""

    training_class = models.ForeignKey(TrainingClass, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    reason = models.TextField(_("理由"), blank=True)
    snapshot = models.JSONField(_("变更前的内容"), default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"

    @property
    def to_label(self) -> str:
        return ClassStatus(self.to_status).label

    @property
    def from_label(self) -> str:
        return ClassStatus(self.from_status).label if self.from_status else ""


class EnrollmentResult(models.TextChoices):
    PENDING = "pending", _("待考核")
    PASSED = "passed", _("合格")
    FAILED = "failed", _("不合格")


class Enrollment(models.Model):
    """One person on a class roster (花名册). The person's groups (人员类别) in force at the class's start are
    frozen here, all of them (`groups`); `category` is the first in the catalog's order (the primary group)."""

    training_class = models.ForeignKey(TrainingClass, on_delete=models.CASCADE, related_name="enrollments")
    trainee = models.ForeignKey("trainees.Trainee", on_delete=models.PROTECT, related_name="enrollments")
    groups = models.ManyToManyField(
        "catalog.TraineeCategory", through="EnrollmentGroup", related_name="+", verbose_name=_("人员类别")
    )
    category = models.ForeignKey(
        "catalog.TraineeCategory",
        verbose_name=_("人员类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    result = models.CharField(
        _("考核结果"), max_length=10, choices=EnrollmentResult.choices, default=EnrollmentResult.PENDING
    )
    score = models.DecimalField(_("成绩"), max_digits=5, decimal_places=1, null=True, blank=True)
    certificate = models.ForeignKey(
        "trainees.Certificate",
        verbose_name=_("证书"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    warnings = models.JSONField(_("提示"), default=list, blank=True)  # soft warnings seen at enrollment
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("花名册")
        verbose_name_plural = _("花名册")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["training_class", "trainee"], name="one_enrollment_per_class")]
        indexes = [models.Index(fields=["trainee"], name="enrollment_trainee")]

    def __str__(self):
        return f"{self.training_class_id}/{self.trainee_id}"


class EnrollmentGroup(models.Model):
    """One group (人员类别) of an enrolled person, frozen at enrollment."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("catalog.TraineeCategory", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("花名册人员类别")
        verbose_name_plural = _("花名册人员类别")
        constraints = [models.UniqueConstraint(fields=["enrollment", "category"], name="one_enrollment_group")]

    def __str__(self):
        return f"{self.enrollment_id}:{self.category_id}"


class CheckInMethod(models.TextChoices):
    FACE = "face", _("人脸")
    FINGERPRINT = "fingerprint", _("指纹")
    SOCIAL_SECURITY_CARD = "card", _("社保卡")
    MANUAL = "manual", _("手工补录")


class CheckInAnswer(models.TextChoices):
    """What the check-in endpoint answers for each device record."""

    ACCEPTED = "accepted", _("已接收")
    DUPLICATE = "duplicate", _("重复")
    REJECTED = "rejected", _("拒收")


DEVICE_METHODS = [choice for choice in CheckInMethod.choices if choice[0] != CheckInMethod.MANUAL]


class CheckInDevice(models.Model):
    """A check-in terminal issued to an institution; it signs in with a token whose hash is kept here. Its
    `method` is the only method its records are stored with; it accepts nothing dated before `created_at`."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT, related_name="devices")
    name = models.CharField(_("设备名称"), max_length=100)
    method = models.CharField(_("签到方式"), max_length=12, choices=DEVICE_METHODS, default=CheckInMethod.FACE)
    token_hash = models.CharField(max_length=64, unique=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("登记时间"), default=clock.now)

    class Meta:
        verbose_name = _("考勤设备")
        verbose_name_plural = _("考勤设备")
        constraints = [models.CheckConstraint(condition=~models.Q(method="manual"), name="device_method_not_manual")]

    def __str__(self):
        return self.name


class Attendance(models.Model):
    """One check-in of one person at one session (刷脸/指纹考勤, or a marked manual entry)."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="attendances")
    session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="attendances")
    method = models.CharField(_("方式"), max_length=12, choices=CheckInMethod.choices)
    checked_at = models.DateTimeField(_("签到时间"))
    device = models.ForeignKey(CheckInDevice, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    device_record_id = models.CharField(max_length=64, blank=True)
    manual_reason = models.CharField(_("补录原因"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # 迟传: a device record uploaded more than CHECKIN_LATE_UPLOAD_HOURS after its session ended; shown on review.
    late_upload = models.BooleanField(_("迟传"), default=False)
    created_at = models.DateTimeField(_("上传时间"), default=clock.now)  # when the record reached the system

    class Meta:
        verbose_name = _("考勤")
        verbose_name_plural = _("考勤")
        constraints = [
            models.UniqueConstraint(fields=["session", "enrollment"], name="one_checkin_per_session"),
            models.UniqueConstraint(
                fields=["device", "device_record_id"],
                condition=~models.Q(device_record_id=""),
                name="device_record_once",
            ),
        ]

    def __str__(self):
        return f"{self.session_id}/{self.enrollment_id} {self.method}"


class ImportJob(models.Model):
    """A roster import running as a background job: validation pass, then all-or-nothing commit."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        VALIDATING = "validating", _("校验中")
        INVALID = "invalid", _("有错误")
        COMMITTING = "committing", _("导入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    training_class = models.ForeignKey(TrainingClass, on_delete=models.CASCADE, related_name="import_jobs")
    file = models.FileField(upload_to="rosters/")
    original_name = models.CharField(max_length=200)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PENDING)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"row", "column", "message"}]
    warnings = models.JSONField(default=list, blank=True)
    created_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.original_name} {self.get_status_display()}"

    @property
    def percent(self) -> int:
        if self.status in (self.Status.DONE, self.Status.INVALID, self.Status.FAILED):
            return 100
        return int(self.rows_done * 100 / self.rows_total) if self.rows_total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.INVALID, self.Status.FAILED)

    @property
    def succeeded(self) -> bool:
        return self.status == self.Status.DONE


from .follow_up_models import BusinessStartFollowUp  # noqa: E402, F401 (a model of this app, in a module of its own)
