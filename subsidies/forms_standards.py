"""Forms of the standards page (补贴标准): the list's filters, a new standard or a correction of one no claim uses,
a new version from a date, and retiring (停用)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Occupation, SkillLevel, TrainingType
from core.forms import RegionCodeField
from institutions.models import TrainingMode

from .models import Basis, ClaimKind

STATE_CHOICES = [("", _("全部")), ("current", _("现行")), ("future", _("未生效")), ("retired", _("已失效"))]
DATE = forms.DateInput(attrs={"type": "date"})


class StandardFilterForm(forms.Form):
    claim_kind = forms.ChoiceField(label=_("补贴类型"), choices=[("", _("全部")), *ClaimKind.choices], required=False)
    training_type = forms.ModelChoiceField(
        label=_("培训类型"), queryset=TrainingType.objects.all(), required=False, empty_label=_("全部")
    )
    skill_level = forms.ModelChoiceField(
        label=_("技能等级"), queryset=SkillLevel.objects.order_by("rank"), required=False, empty_label=_("全部")
    )
    region = RegionCodeField(label=_("区划代码"), required=False)
    state = forms.ChoiceField(label=_("状态"), choices=STATE_CHOICES, required=False)


class StandardForm(forms.Form):
    """A new standard of the user's own region, or the correction of one no claim uses yet."""

    claim_kind = forms.ChoiceField(label=_("补贴类型"), choices=ClaimKind.choices, initial=ClaimKind.TRAINING)
    training_type = forms.ModelChoiceField(label=_("培训类型"), queryset=TrainingType.objects.all())
    occupation = forms.ModelChoiceField(
        label=_("职业"),
        queryset=Occupation.objects.order_by("code"),
        required=False,
        empty_label=_("各职业"),
        help_text=_("不选：适用于所有职业（或勾选“仅急需紧缺职业”）。"),
    )
    urgent_only = forms.BooleanField(label=_("仅急需紧缺职业"), required=False)
    skill_level = forms.ModelChoiceField(
        label=_("技能等级"), queryset=SkillLevel.objects.order_by("rank"), required=False, empty_label=_("各等级")
    )
    mode = forms.ChoiceField(label=_("培训方式"), choices=[("", _("各方式")), *TrainingMode.choices], required=False)
    basis = forms.ChoiceField(label=_("计算方式"), choices=Basis.choices, initial=Basis.PER_PERSON)
    amount = forms.DecimalField(label=_("标准（元）"), min_value=0, max_digits=10, decimal_places=2)
    min_hours_per_day = forms.IntegerField(
        label=_("每天最少课时"), min_value=0, max_value=24, initial=0, help_text=_("按天补贴时必填。")
    )
    valid_from = forms.DateField(label=_("生效日期"), widget=DATE)
    valid_to = forms.DateField(label=_("失效日期"), widget=DATE, required=False, help_text=_("不填：长期有效。"))
    document = forms.CharField(label=_("依据文件"), max_length=200, required=False)

    @classmethod
    def initial_of(cls, standard) -> dict:
        return {name: getattr(standard, name) for name in cls.base_fields}


class StandardReviseForm(forms.Form):
    """A new version from a date: the old one ends the day before."""

    valid_from = forms.DateField(label=_("新版本生效日期"), widget=DATE)
    basis = forms.ChoiceField(label=_("计算方式"), choices=Basis.choices)
    amount = forms.DecimalField(label=_("标准（元）"), min_value=0, max_digits=10, decimal_places=2)
    min_hours_per_day = forms.IntegerField(label=_("每天最少课时"), min_value=0, max_value=24)
    document = forms.CharField(label=_("依据文件"), max_length=200, required=False)

    @classmethod
    def initial_of(cls, standard) -> dict:
        return {name: getattr(standard, name) for name in cls.base_fields if name != "valid_from"}


class StandardRetireForm(forms.Form):
    valid_to = forms.DateField(label=_("失效日期"), widget=DATE, help_text=_("该日之后不再适用。"))
