import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from core.uploads import MaterialValidator
from training.models import TrainingClass

from .models import ClaimKind, ClaimStatus, FollowUpOutcome, MaterialKind, Objection, SpotCheckVisit
from .services.materials import MATERIAL_TYPES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
REASON = forms.Textarea(attrs={"rows": 2})


def with_all(choices_class) -> list:
    return [("", _("全部")), *choices_class.choices]


class ClaimFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=with_all(ClaimStatus), required=False)
    kind = forms.ChoiceField(label=_("补贴类型"), choices=with_all(ClaimKind), required=False)


class ClassChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.start_date} ~ {obj.end_date}，{obj.get_status_display()}）"


class ClaimCreateForm(forms.Form):
    training_class = ClassChoiceField(label=_("培训班"), queryset=TrainingClass.objects.none())
    kind = forms.ChoiceField(label=_("补贴类型"), choices=ClaimKind.choices, initial=ClaimKind.TRAINING)

    def __init__(self, *args, classes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["training_class"].queryset = classes if classes is not None else TrainingClass.objects.none()


class LineDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("通过")), ("reject", _("不通过"))])
    reason = forms.CharField(label=_("审核意见"), max_length=500, required=False)


class ReasonForm(forms.Form):
    """Return, reject, accept a warning: the service says when a reason is required."""

    reason = forms.CharField(label=_("理由"), max_length=500, required=False, widget=REASON)


class ObjectionResolveForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[(Objection.Status.UPHELD, _("成立")), (Objection.Status.DISMISSED, _("不成立"))]
    )
    resolution = forms.CharField(label=_("处理意见"), max_length=2000, required=False, widget=REASON)


CONFIDENCE = [("0.90", "90%"), ("0.95", "95%"), ("0.99", "99%")]
MARGIN = [("0.03", "±3%"), ("0.05", "±5%"), ("0.10", "±10%")]


class FollowUpDrawForm(forms.Form):
    confidence = forms.TypedChoiceField(label=_("置信水平"), choices=CONFIDENCE, coerce=float, initial="0.95")
    margin = forms.TypedChoiceField(label=_("允许误差"), choices=MARGIN, coerce=float, initial="0.05")
    everyone = forms.BooleanField(label=_("全员回访"), required=False)


class FollowUpRecordForm(forms.Form):
    outcome = forms.ChoiceField(label=_("回访结果"), choices=FollowUpOutcome.choices)
    notes = forms.CharField(label=_("记录"), max_length=500, required=False)


class SpotCheckDrawForm(forms.Form):
    sample_size = forms.IntegerField(label=_("抽取班级数"), min_value=1, max_value=200, initial=3)
    seed = forms.CharField(
        label=_("随机种子"),
        max_length=64,
        required=False,
        help_text=_("留空则按时间生成；种子会公开，任何人可用它复现抽取结果。"),
    )


class VisitRecordForm(forms.Form):
    result = forms.ChoiceField(
        label=_("检查结果"), choices=[c for c in SpotCheckVisit.Result.choices if c[0] != SpotCheckVisit.Result.PENDING]
    )
    visited_on = forms.DateField(label=_("检查日期"), widget=DATE)
    notes = forms.CharField(label=_("检查情况"), max_length=2000, required=False, widget=REASON)


class PaymentForm(forms.Form):
    """The idempotency key is made when the form is shown: submitting the same form twice records once."""

    bank_reference = forms.CharField(label=_("银行流水号"), max_length=64)
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


class ObjectionForm(forms.Form):
    """Public: the contact details are kept for checking and never shown."""

    line = forms.TypedChoiceField(label=_("针对的人员（可选）"), coerce=int, required=False, empty_value=None)
    text = forms.CharField(label=_("异议内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    contact_name = forms.CharField(label=_("联系人"), max_length=50)
    contact_phone = forms.CharField(
        label=_("联系电话"),
        max_length=30,
        help_text=_("仅用于核实情况，不会公开。"),
        widget=forms.TextInput(attrs={"autocomplete": "tel"}),
    )

    def __init__(self, *args, rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [("", _("整个公示"))] + [
            (row["line"], f"{row['no']}. {row['name']} {row['id_number']}") for row in rows if row.get("line")
        ]


class MaterialForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料"), choices=MaterialKind.choices)
    file = forms.FileField(label=_("文件"), required=False, validators=[MaterialValidator(MATERIAL_TYPES)])
    reference = forms.CharField(label=_("存储位置/说明"), max_length=300, required=False)
