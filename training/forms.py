from django import forms
from django.utils.translation import gettext_lazy as _

from core.uploads import MaterialValidator, SpreadsheetValidator
from institutions.models import Program, ProgramStatus

from .models import ClassStatus, EnrollmentResult, MaterialKind, SessionKind
from .services.classes import MATERIAL_TYPES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class ClassForm(forms.Form):
    program = forms.ModelChoiceField(label=_("培训项目"), queryset=Program.objects.none())
    name = forms.CharField(label=_("班级名称"), max_length=100)
    start_date = forms.DateField(label=_("开班日期"), widget=DATE)
    end_date = forms.DateField(label=_("结业日期"), widget=DATE)
    planned_headcount = forms.IntegerField(label=_("计划人数"), min_value=1, max_value=10000)

    def __init__(self, *args, institution=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = Program.objects.filter(institution=institution, status=ProgramStatus.LISTED) if institution else None
        self.fields["program"].queryset = (qs if qs is not None else Program.objects.none()).select_related(
            "occupation", "skill_level"
        )


class ClassEditForm(forms.Form):
    name = forms.CharField(label=_("班级名称"), max_length=100)
    start_date = forms.DateField(label=_("开班日期"), widget=DATE)
    end_date = forms.DateField(label=_("结业日期"), widget=DATE)
    planned_headcount = forms.IntegerField(label=_("计划人数"), min_value=1, max_value=10000)


class SessionForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=DATE)
    start_time = forms.TimeField(label=_("开始"), widget=TIME)
    end_time = forms.TimeField(label=_("结束"), widget=TIME)
    kind = forms.ChoiceField(label=_("类型"), choices=SessionKind.choices)
    hours = forms.IntegerField(label=_("课时"), min_value=1, max_value=12)


class MaterialForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=MaterialKind.choices)
    file = forms.FileField(label=_("文件"), validators=[MaterialValidator(MATERIAL_TYPES)])


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=_("花名册（.xlsx）"), validators=[SpreadsheetValidator(check_archive=True)])


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
