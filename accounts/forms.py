from django import forms
from django.core.paginator import Paginator
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from catalog.models import Region
from catalog.uploads import SpreadsheetValidator


class AuditFilterForm(forms.Form):
    action = forms.CharField(
        label=_("操作代码"), required=False, max_length=100, help_text=_("如 claim. 或 user.signed_in")
    )
    actor = forms.CharField(label=_("操作人"), required=False, max_length=100)
    region = forms.ModelChoiceField(label=_("区划"), queryset=Region.objects.none(), required=False)
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if regions is not None:
            self.fields["region"].queryset = regions


class ReferenceImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("数据类型"), choices=[("occupation", _("职业目录")), ("region", _("行政区划"))])
    file = forms.FileField(label=_("文件（.xlsx 或 .csv）"), validators=[SpreadsheetValidator()])


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("验证码"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ReauthForm(TokenForm):
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


# --- query strings ----------------------------------------------------------------------------------------
# Every parameter a page or the API reads from the query string goes through a form field (these, a filter form,
# a FilterSet): a bad value is a 400 with a Chinese message, and no raw value reaches the database (PostgreSQL
# refuses NUL in text; a 20-digit number or letters for an id used to be a 500).

MAX_PAGE = 100_000
MAX_ID = 2_147_483_647

region_code_validator = RegexValidator(r"^(\d{2}|\d{4}|\d{6})\Z", _("区划代码应为 2、4 或 6 位数字。"))


class RegionCodeField(forms.CharField):
    """A region code (23, 2312, 231202)."""

    default_validators = [region_code_validator]

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 6)
        super().__init__(**kwargs)


class CodeField(forms.CharField):
    """A plan's or an indicator's code."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)


class IdField(forms.IntegerField):
    """An object's id in a query string."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class PageQueryForm(forms.Form):
    page = forms.IntegerField(label=_("页码"), min_value=1, max_value=MAX_PAGE, required=False)


def query_errors(*query_forms) -> str:
    """The Chinese messages of the invalid ones among `query_forms`, each after its field's label ("" if none)."""
    return "；".join(
        f"{form.fields[name].label or name}：{message}" if name in form.fields else str(message)
        for form in query_forms
        for name, messages in form.errors.items()
        for message in messages
    )


def paginate(request, queryset, size: int):
    """(page, error) for ?page= of a list page: a page past the end is the last one (as Paginator.get_page); a
    value that is not a whole number from 1 is an error (the page answers 400 with it) and shows the first page."""
    form = PageQueryForm(request.GET)
    paginator = Paginator(queryset, size)
    if form.is_valid():
        return paginator.get_page(form.cleaned_data["page"] or 1), ""
    return paginator.get_page(1), query_errors(form)


def query_status(request, *errors: str) -> int:
    """The status of a list page: 400 with the errors shown as a message when there are any, else 200."""
    shown = "；".join(e for e in errors if e)
    if not shown:
        return 200
    from django.contrib import messages

    messages.error(request, _("查询条件有误，已忽略：%(e)s") % {"e": shown})
    return 400
