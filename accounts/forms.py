from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Region
from core.uploads import SpreadsheetValidator


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
