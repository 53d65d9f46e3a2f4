"""创业后续服务 on an entrepreneurship class: who of the roster started a business (training.business_starts)."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.forms import call_service
from core.policy import PermissionRequiredMixin, can

from . import selectors
from .business_starts import business_start_record, follow_up_status


class BusinessStartForm(forms.Form):
    enrollment = forms.IntegerField(widget=forms.HiddenInput)
    started_on = forms.DateField(label=gettext_lazy("创业（注册）日期"), widget=forms.DateInput(attrs={"type": "date"}))
    business_name = forms.CharField(label=gettext_lazy("企业（个体工商户）名称"), max_length=100)
    credit_code = forms.CharField(label=gettext_lazy("统一社会信用代码（选填）"), max_length=30, required=False)
    evidence = forms.CharField(label=gettext_lazy("证明材料"), max_length=200)


class BusinessStartView(PermissionRequiredMixin, View):
    permission = "class.list"  # reading, as the class page; recording asks class.follow_up
    permissions = {"post": "class.follow_up"}

    def get(self, request, pk):
        c = get_object_or_404(selectors.class_list(user=request.user), pk=pk)
        return self._page(request, c, BusinessStartForm())

    def post(self, request, pk):
        c = get_object_or_404(selectors.class_list(user=request.user), pk=pk)
        form = BusinessStartForm(request.POST)
        if form.is_valid():
            enrollment = get_object_or_404(c.enrollments, pk=form.cleaned_data["enrollment"])
            data = {k: v for k, v in form.cleaned_data.items() if k != "enrollment"}
            if call_service(form, business_start_record, actor=request.user, enrollment=enrollment, **data):
                messages.success(request, _("已登记创业情况。"))
                return redirect("training:business_starts", pk=pk)
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("training:business_starts", pk=pk)

    def _page(self, request, c, form):
        recorded = {f.enrollment_id: f for f in c.business_starts.select_related("recorded_by")}
        people = [(e, recorded.get(e.pk)) for e in selectors.roster(c)]
        status = follow_up_status(c)
        context = {
            "c": c,
            "people": people,
            "status": status,
            "form": form,
            "may_record": status is not None and status.open and can(request.user, "class.follow_up", c),
        }
        return render(request, "training/business_starts.html", context)
