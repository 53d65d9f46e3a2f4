from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Occupation, Region, SkillLevel, TraineeCategory

from .models import CertificateType, Education, EmploymentStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SearchForm(forms.Form):
    """Posted, never in the URL: ID numbers and names are personal data."""

    id_number = forms.CharField(
        label=_("身份证号"), required=False, max_length=30, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    name = forms.CharField(label=_("姓名"), required=False, max_length=50)


class RegisterForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("身份证号"), max_length=30, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    phone = forms.CharField(label=_("手机号码"), max_length=20, required=False)
    county = forms.ModelChoiceField(label=_("登记地"), queryset=Region.objects.none())
    hukou_region = forms.ModelChoiceField(label=_("户籍所在地"), queryset=Region.objects.none(), required=False)
    education = forms.ChoiceField(label=_("文化程度"), choices=[("", "—"), *Education.choices], required=False)
    employment_status = forms.ChoiceField(
        label=_("就业状态"), choices=[("", "—"), *EmploymentStatus.choices], required=False
    )
    draws_pension = forms.BooleanField(label=_("按月领取基本养老金"), required=False)

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        counties = (regions if regions is not None else Region.objects.none()).filter(level="county")
        self.fields["county"].queryset = counties
        self.fields["hukou_region"].queryset = counties


class CategoryForm(forms.Form):
    category = forms.ModelChoiceField(label=_("人员类别"), queryset=TraineeCategory.objects.all())
    valid_from = forms.DateField(label=_("起始日期"), widget=DATE, initial=timezone.localdate)
    evidence = forms.CharField(label=_("证明材料"), max_length=200, required=False)


class CertificateForm(forms.Form):
    type = forms.ChoiceField(label=_("证书类型"), choices=CertificateType.choices)
    number = forms.CharField(label=_("证书编号"), max_length=50)
    occupation = forms.ModelChoiceField(label=_("职业（工种）"), queryset=Occupation.objects.all())
    skill_level = forms.ModelChoiceField(label=_("技能等级"), queryset=SkillLevel.objects.all(), required=False)
    issuing_body = forms.CharField(label=_("发证机构"), max_length=100)
    issue_date = forms.DateField(label=_("发证日期"), widget=DATE)


class RevealForm(forms.Form):
    field = forms.ChoiceField(
        choices=[("id_number", "id_number"), ("phone", "phone"), ("bank_account", "bank_account")]
    )


class ExportForm(forms.Form):
    full = forms.BooleanField(required=False)
