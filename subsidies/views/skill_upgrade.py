"""技能提升补贴 pages: the window (窗口代办) where county staff find the person by ID number, pick the certificate,
see the verification result and the amount and file; the list; one application with its decisions and payment.
The ID number and the bank account are POSTed, never echoed back into a page; the account is shown masked and
revealed one at a time (audited)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.debug import sensitive_post_parameters

from accounts.stepup import ReauthRequiredMixin
from core.forms import call_service
from core.policy import PermissionRequiredMixin, can
from core.workflow import available_actions
from trainees.models import Certificate
from trainees.selectors import trainee_list

from ..rules.skill_upgrade import ELIGIBLE_CERTIFICATES
from ..services import skill_upgrade as su
from .common import errors, page_of

SENSITIVE = sensitive_post_parameters("id_number", "bank_account")


class LookupForm(forms.Form):
    id_number = forms.CharField(label=gettext_lazy("身份证号"), max_length=18)


class ApplicationForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    certificate = forms.ModelChoiceField(label=gettext_lazy("证书"), queryset=Certificate.objects.none())
    insured_months = forms.IntegerField(label=gettext_lazy("失业保险参保月数"), min_value=0, max_value=600)
    insured_evidence = forms.CharField(label=gettext_lazy("参保证明"), max_length=200)
    bank_name = forms.CharField(label=gettext_lazy("开户银行"), max_length=60, required=False)
    bank_account = forms.CharField(
        label=gettext_lazy("本人银行账号"),
        max_length=40,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),  # typed, never rendered back
        help_text=gettext_lazy("须为申请人本人账户；保存后仅显示后四位。"),
    )

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        if person is not None:
            self.fields["certificate"].queryset = person.certificates.filter(
                type__in=ELIGIBLE_CERTIFICATES
            ).select_related("occupation", "skill_level")
            self.fields["certificate"].label_from_instance = lambda c: (
                f"{c.occupation.name} {c.skill_level or ''} · {c.number} · {c.issue_date}"
            )


@method_decorator(SENSITIVE, name="dispatch")
class WindowView(PermissionRequiredMixin, View):
    permission = "skill_upgrade.file"

    def get(self, request):
        return render(request, "subsidies/skill_upgrade_window.html", {"lookup": LookupForm()})

    def post(self, request):
        if "person" not in request.POST:
            return self._lookup(request)
        person = trainee_list(user=request.user).filter(pk=request.POST.get("person") or 0).first()
        if person is None or not str(request.POST.get("person")).isdigit():
            messages.error(request, _("未找到该人员，请重新查询。"))
            return redirect("subsidies:skill_upgrade_window")
        form = ApplicationForm(request.POST, person=person)
        context = {"person": person, "form": form}
        if form.is_valid():
            data = form.cleaned_data
            args = {"actor": request.user, "person": person, "certificate": data["certificate"]}
            if request.POST.get("step") == "file":
                if not (data["bank_name"] and data["bank_account"]):
                    form.add_error("bank_account", _("请填写开户银行和本人银行账号。"))
                else:
                    app = call_service(
                        form,
                        su.skill_upgrade_file,
                        **args,
                        **{k: data[k] for k in ("insured_months", "insured_evidence", "bank_name", "bank_account")},
                    )
                    if app:
                        messages.success(request, _("已受理，补贴金额 %(a)s 元。") % {"a": app.amount})
                        return redirect("subsidies:skill_upgrade_detail", pk=app.pk)
            checked = call_service(form, su.skill_upgrade_check, **args, insured_months=data["insured_months"])
            if checked:
                context.update({"checked": True, "findings": checked[0], "amount": checked[1], "urgent": checked[2]})
        return render(request, "subsidies/skill_upgrade_window.html", context, status=200 if form.is_valid() else 400)

    def _lookup(self, request):
        lookup = LookupForm(request.POST)
        if not lookup.is_valid():
            return render(request, "subsidies/skill_upgrade_window.html", {"lookup": lookup}, status=400)
        person = trainee_list(user=request.user, filters={"id_number": lookup.cleaned_data["id_number"]}).first()
        if person is None:
            messages.error(request, _("本辖区未登记该身份证号的人员，请先在学员登记中登记。"))
            return render(request, "subsidies/skill_upgrade_window.html", {"lookup": LookupForm()}, status=404)
        form = ApplicationForm(initial={"person": person.pk}, person=person)
        return render(request, "subsidies/skill_upgrade_window.html", {"person": person, "form": form})


class ListView(PermissionRequiredMixin, View):
    permission = "skill_upgrade.view"

    def get(self, request):
        page, query, status = page_of(request, su.skill_upgrade_list(request.user))
        context = {"page": page, "query": query, "may_file": can(request.user, "skill_upgrade.file")}
        return render(request, "subsidies/skill_upgrade_list.html", context, status=status)


def _scoped(request, pk):
    return get_object_or_404(su.skill_upgrade_list(request.user), pk=pk)


class DetailView(PermissionRequiredMixin, View):
    permission = "skill_upgrade.view"

    def get(self, request, pk):
        app = _scoped(request, pk)
        actions = available_actions(request.user, app)
        return render(
            request,
            "subsidies/skill_upgrade_detail.html",
            {
                "app": app,
                # approve or send_to_notice: the one the region's setting allows
                "actions": {
                    a: t for a, t in actions.items() if a not in ("reject", "pay") and not t.refused_because(app)
                },
                "may_reject": "reject" in actions,
                "may_pay": "pay" in actions,
                "may_reveal": can(request.user, "skill_upgrade.reveal_account", app),
            },
        )


ACTS = {
    "verify": su.skill_upgrade_verify,
    "approve": su.skill_upgrade_approve,
    "send_to_notice": su.skill_upgrade_approve,  # the service picks notice or approval by the region's setting
    "end_notice": su.skill_upgrade_end_notice,
    "reject": su.skill_upgrade_reject,
}


class ActForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in ACTS])
    reason = forms.CharField(max_length=200, required=False)


class ActView(PermissionRequiredMixin, View):
    permission = "skill_upgrade.decide"

    def post(self, request, pk):
        app = _scoped(request, pk)
        if not can(request.user, "skill_upgrade.decide", app):
            raise PermissionDenied
        form = ActForm(request.POST)
        if form.is_valid():
            action = form.cleaned_data["action"]
            extra = {"reason": form.cleaned_data["reason"]} if action == "reject" else {}
            if call_service(form, ACTS[action], actor=request.user, application=app, **extra):
                messages.success(request, _("已办理。"))
                return redirect("subsidies:skill_upgrade_detail", pk=app.pk)
        messages.error(request, errors(form))
        return redirect("subsidies:skill_upgrade_detail", pk=app.pk)


class PayForm(forms.Form):
    bank_reference = forms.CharField(label=gettext_lazy("银行流水号"), max_length=60)


class PayView(ReauthRequiredMixin, PermissionRequiredMixin, View):
    permission = "skill_upgrade.pay"

    def post(self, request, pk):
        app = _scoped(request, pk)
        if not can(request.user, "skill_upgrade.pay", app):
            raise PermissionDenied
        form = PayForm(request.POST)
        if form.is_valid() and call_service(
            form, su.skill_upgrade_pay, actor=request.user, application=app, **form.cleaned_data
        ):
            messages.success(request, _("已登记发放 %(a)s 元。") % {"a": app.amount})
        else:
            messages.error(request, errors(form))
        return redirect("subsidies:skill_upgrade_detail", pk=app.pk)


class RevealView(PermissionRequiredMixin, View):
    """The full account number, answered to an htmx swap; audited."""

    permission = "skill_upgrade.reveal_account"

    def post(self, request, pk):
        app = get_object_or_404(su.skill_upgrade_list(request.user).defer(None), pk=pk)
        value = su.skill_upgrade_reveal_account(actor=request.user, application=app)
        response = render(request, "trainees/_revealed.html", {"value": value})
        response["Cache-Control"] = "no-store"
        return response
