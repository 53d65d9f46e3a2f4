from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Department
from core.uploads import MaterialValidator, SpreadsheetValidator
from institutions.models import Program, ProgramStatus, Teacher, Venue

from .models import ClassStatus, EnrollmentResult, MaterialKind, SessionKind
from .services import roster
from .services.classes import MATERIAL_TYPES
from .services.timetable import WEEKDAYS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class ClassForm(forms.Form):
    program = forms.ModelChoiceField(label=_("培训项目"), queryset=Program.objects.none())
    name = forms.CharField(label=_("班级名称"), max_length=100)
    start_date = forms.DateField(label=_("开班日期"), widget=DATE)
    end_date = forms.DateField(label=_("结业日期"), widget=DATE)
    planned_headcount = forms.IntegerField(label=_("计划人数"), min_value=1, max_value=10000)
    department = forms.ModelChoiceField(
        label=_("组织部门"),
        queryset=Department.objects.all(),
        required=False,
        help_text=_("由政府部门组织的培训（如市商务局、市总工会）请选择，计入该部门的培训任务。"),
    )

    def __init__(self, *args, institution=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = Program.objects.filter(institution=institution, status=ProgramStatus.LISTED) if institution else None
        self.fields["program"].queryset = (qs if qs is not None else Program.objects.none()).select_related(
            "occupation", "skill_level"
        )
        if institution is not None and institution.capacity:  # the service refuses more (training.services.bookings)
            self.fields["planned_headcount"].help_text = _("不超过本机构登记的培训能力：每期 %(c)s 人。") % {
                "c": institution.capacity
            }


class ClassEditForm(forms.Form):
    name = forms.CharField(label=_("班级名称"), max_length=100)
    start_date = forms.DateField(label=_("开班日期"), widget=DATE)
    end_date = forms.DateField(label=_("结业日期"), widget=DATE)
    planned_headcount = forms.IntegerField(label=_("计划人数"), min_value=1, max_value=10000)
    department = forms.ModelChoiceField(
        label=_("组织部门"),
        queryset=Department.objects.all(),
        required=False,
        help_text=_("由政府部门组织的培训（如市商务局、市总工会）请选择，计入该部门的培训任务。"),
    )


class SessionForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=DATE)
    start_time = forms.TimeField(label=_("开始"), widget=TIME)
    end_time = forms.TimeField(label=_("结束"), widget=TIME)
    kind = forms.ChoiceField(label=_("类型"), choices=SessionKind.choices)
    hours = forms.IntegerField(label=_("课时"), min_value=1, max_value=12)
    content = forms.CharField(label=_("课程内容"), max_length=100, required=False)


class MaterialForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=MaterialKind.choices)
    file = forms.FileField(label=_("文件"), validators=[MaterialValidator(MATERIAL_TYPES)])


class RosterUploadForm(forms.Form):
    """The class page writes the input itself; `accept` and `hint` are what it says next to it."""

    file = forms.FileField(label=_("花名册文件"), validators=[SpreadsheetValidator(check_archive=True)])
    accept = ",".join(roster.SUFFIXES)

    @property
    def hint(self) -> str:
        return _("支持 %(formats)s（CSV 可为 UTF-8 或 GBK 编码），不超过 %(mb)s MB。建议使用下载的模板填写。") % {
            "formats": "、".join(roster.SUFFIXES),
            "mb": roster.MAX_BYTES // (1024 * 1024),
        }


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(choices=ClassStatus.choices)
    reason = forms.CharField(
        label=_("意见/理由"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ChangeForm(forms.Form):
    reason = forms.CharField(label=_("变更理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ManualAttendanceForm(forms.Form):
    enrollment = forms.IntegerField(widget=forms.HiddenInput)
    session = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("补录原因"), max_length=200)


class ResultForm(forms.Form):
    enrollment = forms.IntegerField(widget=forms.HiddenInput)
    result = forms.ChoiceField(label=_("考核结果"), choices=EnrollmentResult.choices)
    score = forms.DecimalField(label=_("成绩"), required=False, max_digits=5, decimal_places=1)


class DeviceForm(forms.Form):
    name = forms.CharField(label=_("设备名称"), max_length=100)


class TimetablePatternForm(forms.Form):
    """A weekly pattern: the range (the class's dates by default), weekdays, one period a line, who and where."""

    start = forms.DateField(label=_("开始日期"), widget=DATE)
    end = forms.DateField(label=_("结束日期"), widget=DATE)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("星期"),
        choices=list(enumerate(WEEKDAYS)),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少勾选一个星期几。")},
    )
    periods = forms.CharField(
        label=_("每天的时段"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "08:30-11:30\n13:30-17:00"}),
        help_text=_("每行一个时段，如 08:30-11:30；可在后面写课时，如“08:30-11:30 3”，不写按每 45 分钟 1 课时计算。"),
        error_messages={"required": _("请至少填写一个时段，如“08:30-11:30”，每行一个。")},
    )
    kind = forms.ChoiceField(label=_("类型"), choices=SessionKind.choices)
    teacher = forms.ModelChoiceField(label=_("授课教师"), queryset=Teacher.objects.none(), required=False)
    venue = forms.ModelChoiceField(label=_("上课地点"), queryset=Venue.objects.none(), required=False)
    content = forms.CharField(
        label=_("课程内容"),
        max_length=100,
        required=False,
        help_text=_("如“老年人生活照料”，生成的每节课相同，可逐节修改。"),
    )

    def __init__(self, *args, training_class=None, **kwargs):
        super().__init__(*args, **kwargs)
        if training_class is not None:
            self.fields["teacher"].queryset = Teacher.objects.filter(institution_id=training_class.institution_id)
            self.fields["venue"].queryset = Venue.objects.filter(institution_id=training_class.institution_id)
            self.fields["start"].initial = training_class.start_date
            self.fields["end"].initial = training_class.end_date
            self.fields["weekdays"].initial = [0, 1, 2, 3, 4]


class TimetableImportForm(forms.Form):
    file = forms.FileField(label=_("课程表（.xlsx）"), validators=[SpreadsheetValidator(check_archive=True)])


class TimetableConfirmForm(forms.Form):
    plan = forms.CharField(widget=forms.HiddenInput)
    source = forms.ChoiceField(choices=[("pattern", "pattern"), ("import", "import")], widget=forms.HiddenInput)
