"""The claim page's review forms: the lines table's filter by finding (GET, validated) and the bulk approval."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .rules import rule_choices


class LineFilterForm(forms.Form):
    """?flag= (all / no finding / warnings only / blocking) and ?rule= (one finding type) of the lines table."""

    flag = forms.ChoiceField(
        label=_("核验发现"),
        required=False,
        choices=[
            ("", _("全部")),
            ("clean", _("无问题")),
            ("warning", _("有提示（无阻断）")),
            ("blocking", _("有阻断")),
        ],
    )
    rule = forms.ChoiceField(label=_("发现类型"), required=False)
    focus = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)  # the line to focus

    def __init__(self, *args, counts: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", _("全部类型")), *rule_choices()]
        if counts:  # the number of lines each option shows
            self.fields["flag"].choices = [
                (value, f"{label}（{counts.get(value or 'all', 0)}）") for value, label in self.fields["flag"].choices
            ]


class BulkApproveForm(forms.Form):
    """No field: the claim is in the URL; the confirmation is the button itself."""
