from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import CodeField
from core.uploads import SpreadsheetValidator

from .models import Indicator

RANKING_SORTS = [("share", _("完成率")), ("done", _("完成数")), ("region", _("地区"))]  # the ranking's orders

MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class MonthField(forms.DateField):
    """A month typed as 2026-10 (the browser's month input); the value is its first day."""

    widget = MONTH
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace(day=1) if value else value


class ReportedValueForm(forms.Form):
    """填报: a value of a reported indicator for one month, with its evidence."""

    indicator = forms.ModelChoiceField(label=_("指标"), queryset=Indicator.objects.none())
    period = MonthField(label=_("月份"))
    value = forms.IntegerField(label=_("数值"), help_text=_("本月新增数（期末存量指标填期末数）。"))
    evidence = forms.CharField(label=_("依据"), max_length=500, help_text=_("文件名称、文号或名单等。"))

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        if plan is not None:
            self.fields["indicator"].queryset = plan.indicators.filter(source=Indicator.Source.REPORTED)


class TaskProgressForm(forms.Form):
    note = forms.CharField(label=_("进展情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    completed = forms.BooleanField(label=_("已完成"), required=False)


class TargetForm(forms.Form):
    """One child's target (or 市本级 when city_own) on the targets page."""

    region = forms.CharField(widget=forms.HiddenInput, max_length=6)
    city_own = forms.BooleanField(widget=forms.HiddenInput, required=False)
    value = forms.IntegerField(label=_("目标"))
    stretch = forms.IntegerField(label=_("力争目标"), required=False)


class TargetImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        help_text=_("列：区划代码、目标、力争目标（可空）。"),
        validators=[SpreadsheetValidator()],
    )


class ReportRequestForm(forms.Form):
    """A plan that has begun, with its period in its label, and a month of it up to this one: the month input is
    bounded (min/max) by the plan shown first or chosen; the service checks the month against the plan chosen."""

    plan = forms.ChoiceField(label=_("计划"))
    month = MonthField(label=_("月份"), help_text=_("须在所选计划期内，且不晚于本月。"))

    def __init__(self, *args, plans=(), months=None, **kwargs):
        """`months`: {plan code: (first, last) month a report may be asked for} of the plans offered."""
        super().__init__(*args, **kwargs)
        months = months or {}
        self.fields["plan"].choices = [
            (p.code, f"{p.name}（{months[p.code][0]:%Y-%m} 至 {months[p.code][1]:%Y-%m}）") for p in plans
        ]
        chosen = self.data.get("plan") or self.initial.get("plan")
        if chosen in months:
            first, last = months[chosen]
            self.fields["month"].widget.attrs.update({"min": f"{first:%Y-%m}", "max": f"{last:%Y-%m}"})


class PlanQueryForm(forms.Form):
    """The plan, indicator, year and export of a dashboard, targets, tasks or reports page (its query string, or
    the same fields of a posted form): every value validated, so a bad one is a message and a 400, not a 500."""

    plan = CodeField(label=_("计划"), required=False)
    indicator = CodeField(label=_("指标"), required=False)
    year = forms.IntegerField(label=_("年度"), min_value=1900, max_value=2100, required=False)
    export = forms.SlugField(label=_("导出"), max_length=40, required=False)
    sort = forms.ChoiceField(label=_("排序"), choices=RANKING_SORTS, required=False)
