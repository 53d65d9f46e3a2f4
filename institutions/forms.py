from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import KeyArea, Occupation, Region
from core import clock
from core.uploads import SpreadsheetValidator

from .models import (
    AnnualInspection,
    Institution,
    InstitutionStatus,
    InstitutionType,
    Program,
    ProgramStatus,
    TrainingMode,
    seat_label,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def with_all(choices_class) -> list:
    return [("", _("全部")), *choices_class.choices]


def county_choices(regions):
    """Where an institution may sit, of `regions` (the user's scope): its counties and, for a city bureau, the
    city itself (市本级, for the institutions the city administers directly)."""
    return regions.filter(level__in=Institution.SEAT_LEVELS).select_related("parent")


class InstitutionFilterForm(forms.Form):
    q = forms.CharField(label=_("名称或信用代码"), required=False, max_length=100)
    region = forms.ModelChoiceField(label=_("区划"), queryset=Region.objects.none(), required=False)
    type = forms.ChoiceField(label=_("类型"), choices=with_all(InstitutionType), required=False)
    status = forms.ChoiceField(label=_("状态"), choices=with_all(InstitutionStatus), required=False)
    occupation = forms.ModelChoiceField(label=_("职业"), queryset=Occupation.objects.all(), required=False)
    inactive = forms.BooleanField(label=_("仅看满一年未开班"), required=False)

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions if regions is not None else Region.objects.none()


class InstitutionForm(forms.ModelForm):
    class Meta:
        model = Institution
        fields = [
            "name",
            "credit_code",
            "type",
            "county",
            "address",
            "latitude",
            "longitude",
            "contact_person",
            "contact_phone",
            "license_number",
            "license_valid_until",
            "capacity",
            "founded_on",
        ]
        widgets = {"license_valid_until": DATE, "founded_on": DATE}

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if regions is not None:
            self.fields["county"].queryset = county_choices(regions)
        self.fields["county"].label_from_instance = seat_label

    def _post_clean(self):
        # Validation and saving belong to the services; the form only parses input.
        pass


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=_("变更为"), choices=InstitutionStatus.choices)
    effective_date = forms.DateField(label=_("生效日期"), widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(label=_("理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class InspectionForm(forms.ModelForm):
    class Meta:
        model = AnnualInspection
        fields = ["year", "kind", "outcome", "inspected_on", "notes"]
        widgets = {"inspected_on": DATE, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notes"].max_length = 2000  # a TextField: limited here, not in the model
        self.fields["notes"].validators.append(MaxLengthValidator(2000))

    def _post_clean(self):
        pass


class TeacherForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号"), max_length=18, help_text=_("仅保存脱敏后的号码"))
    qualifications = forms.CharField(label=_("职称/资格"), max_length=200, required=False)
    certificates = forms.CharField(label=_("证书"), max_length=200, required=False)


class VenueForm(forms.Form):
    name = forms.CharField(label=_("场地名称"), max_length=100)
    address = forms.CharField(label=_("地址"), max_length=200)
    area_m2 = forms.IntegerField(label=_("面积（平方米）"), min_value=0)
    capacity = forms.IntegerField(label=_("容纳人数"), min_value=0)


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("决定"), choices=[("1", _("批准")), ("0", _("驳回"))], coerce=lambda v: v == "1"
    )
    reason = forms.CharField(label=_("意见"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ProgramForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = [
            "institution",
            "occupation",
            "skill_level",
            "entrepreneurship_stage",
            "training_type",
            "mode",
            "theory_hours",
            "practice_hours",
            "fee",
            "listed_on",
        ]
        widgets = {"listed_on": DATE}
        help_texts = {"entrepreneurship_stage": _("创业培训项目选择培训阶段，不填写职业和技能等级。")}

    def __init__(self, *args, institutions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if institutions is not None:
            self.fields["institution"].queryset = institutions.filter(status=InstitutionStatus.DESIGNATED)
        self.fields["listed_on"].initial = timezone.localdate

    def _post_clean(self):
        pass


class ProgramStatusForm(forms.Form):
    to_status = forms.ChoiceField(label=_("变更为"), choices=ProgramStatus.choices)
    effective_date = forms.DateField(label=_("生效日期"), widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(label=_("理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ProgramFilterForm(forms.Form):
    region = forms.ModelChoiceField(label=_("区划"), queryset=Region.objects.none(), required=False)
    occupation = forms.ModelChoiceField(label=_("职业"), queryset=Occupation.objects.all(), required=False)
    mode = forms.ChoiceField(label=_("方式"), choices=with_all(TrainingMode), required=False)
    status = forms.ChoiceField(label=_("状态"), choices=with_all(ProgramStatus), required=False)

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions if regions is not None else Region.objects.none()


class UrgentListForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, initial=lambda: clock.today().year)
    document = forms.CharField(label=_("发布文件"), max_length=200, required=False)
    occupations = forms.ModelMultipleChoiceField(
        label=_("职业"),
        queryset=Occupation.objects.filter(is_active=True),
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )


class KeyAreaTagForm(forms.Form):
    """Tag an occupation (by its code) or a program (by its number) with a key area from a date."""

    occupation_code = forms.CharField(label=_("职业编码"), max_length=12, required=False, help_text=_("如 4-10-01-05"))
    program = forms.IntegerField(label=_("或 项目编号"), min_value=1, required=False)
    key_area = forms.ModelChoiceField(label=_("重点领域"), queryset=KeyArea.objects.all())
    valid_from = forms.DateField(label=_("起始日期"), initial=lambda: clock.today())

    def clean(self):
        data = super().clean()
        code, program = data.get("occupation_code", "").strip(), data.get("program")
        if bool(code) == bool(program):
            raise forms.ValidationError(_("请填写职业编码或项目编号其中之一。"))
        if code:
            data["occupation"] = Occupation.objects.filter(code=code).first()
            if data["occupation"] is None:
                self.add_error("occupation_code", _("找不到职业编码 %(c)s。") % {"c": code})
        else:
            data["program"] = Program.objects.filter(pk=program).first()
            if data["program"] is None:
                self.add_error("program", _("找不到项目编号 %(n)s。") % {"n": program})
        return data


class KeyAreaEndForm(forms.Form):
    valid_to = forms.DateField(label=_("截止日期"))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"), validators=[SpreadsheetValidator()])


class PublicSearchForm(forms.Form):
    q = forms.CharField(label=_("机构名称"), required=False, max_length=100)
    region = forms.ModelChoiceField(label=_("市/县"), queryset=Region.objects.none(), required=False)
    occupation = forms.ModelChoiceField(label=_("职业"), queryset=Occupation.objects.all(), required=False)
    skill_level = forms.ModelChoiceField(label=_("等级"), queryset=None, required=False)
    training_type = forms.ModelChoiceField(label=_("培训类型"), queryset=None, required=False)
    mode = forms.ChoiceField(label=_("方式"), choices=with_all(TrainingMode), required=False)
    type = forms.ChoiceField(label=_("机构类型"), choices=with_all(InstitutionType), required=False)

    def __init__(self, *args, regions=None, **kwargs):
        from catalog.models import SkillLevel, TrainingType

        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions if regions is not None else Region.objects.none()
        self.fields["skill_level"].queryset = SkillLevel.objects.all()
        self.fields["training_type"].queryset = TrainingType.objects.all()
