"""The claim pages every reader shares (list, detail, materials) and the institution's own (create, submit,
add a material). The detail page's buttons come from the claim workflow ({% actions claim %})."""

import re

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View

from core.forms import call_service, query_errors, query_status
from core.policy import PermissionRequiredMixin, can
from core.workflow import available_actions
from training.services import attendance

from .. import selectors
from ..forms import ClaimCreateForm, ClaimFilterForm, MaterialForm
from ..forms_review import LineFilterForm
from ..models import ClaimKind, PublicNotice
from ..services import claims, materials, payments, review
from .common import back, detail_url, page_of, scoped_claim


class ClaimListView(PermissionRequiredMixin, View):
    permission = "claim.view"

    def get(self, request):
        form = ClaimFilterForm(request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        page, query, status = page_of(
            request, selectors.claim_list(user=request.user, filters=filters), error=query_errors(form)
        )
        return render(
            request,
            "subsidies/claim_list.html",
            {
                "form": form,
                "page": page,
                "query": query,
                "claimable": selectors.classes_without_training_claim(user=request.user),
                "has_claimable": selectors.claimable_classes(user=request.user).exists(),
            },
            status=status,
        )


class ClaimCreateView(PermissionRequiredMixin, View):
    """A claim for one of the institution's completed classes (one claim per class and kind)."""

    permission = "claim.create"

    def get(self, request):
        classes = selectors.claimable_classes(user=request.user)
        # ?class=<pk> (the 工作台's link to a class without a claim) preselects it, if it is one of the user's
        wanted = request.GET.get("class", "")
        chosen = classes.filter(pk=wanted).first() if re.fullmatch(r"[0-9]{1,12}", wanted) else None
        form = ClaimCreateForm(initial={"kind": ClaimKind.TRAINING, "training_class": chosen}, classes=classes)
        return render(request, "subsidies/claim_form.html", {"form": form})

    def post(self, request):
        form = ClaimCreateForm(request.POST, classes=selectors.claimable_classes(user=request.user))
        if form.is_valid():
            claim = call_service(form, claims.claim_create, actor=request.user, **form.cleaned_data)
            if claim:
                messages.success(request, _("已生成补贴申请：请核对人员和金额，补充材料后提交。"))
                return redirect("subsidies:detail", pk=claim.pk)
        return render(request, "subsidies/claim_form.html", {"form": form}, status=400)


class ClaimDetailView(PermissionRequiredMixin, View):
    """The whole package on one page: class summary, lines with findings, claim-level findings, materials,
    history, notice and objections, payments; review controls for the county or city."""

    permission = "claim.view"

    def get(self, request, pk):
        claim = scoped_claim(request, pk)
        user = request.user
        notice = PublicNotice.objects.filter(claim=claim).first()
        history = list(claim.status_changes.select_related("actor"))
        may_pay = can(user, "payment.record", claim)
        line_filter = LineFilterForm(request.GET or None, counts=selectors.claim_line_flag_counts(claim))
        filters = line_filter.cleaned_data if line_filter.is_valid() else {}
        context = {
            "claim": claim,
            "tc": claim.training_class,
            "lines": selectors.claim_review_lines(claim, filters),
            "line_filter": line_filter,
            "filters": filters,
            "filtered": any(filters.get(k) for k in ("flag", "rule")),
            "filter_query": urlencode({k: filters[k] for k in ("flag", "rule") if filters.get(k)}),
            "focus": filters.get("focus"),
            "clean_pending": review.clean_pending_count(claim),
            "claim_findings": selectors.labelled(selectors.claim_findings(claim)),
            "totals": selectors.claim_totals(claim),
            "materials": selectors.claim_materials_checklist(claim),
            "history": history,
            "last_change": history[-1] if history else None,
            "notice": notice,
            "objections": selectors.claim_objections(claim) if notice and can(user, "objection.view", claim) else [],
            "payments": selectors.class_payments(claim.training_class),
            "payment_conflict": payments.payment_conflict(actor=user, training_class=claim.training_class)
            if may_pay
            else "",
            "late_uploads": attendance.late_uploads(claim.training_class),
            "follow_up_count": claim.follow_ups.count(),
            "material_form": MaterialForm() if "add_material" in available_actions(user, claim) else None,
        }
        return render(
            request, "subsidies/claim_detail.html", context, status=query_status(request, query_errors(line_filter))
        )


class ClaimSubmitView(PermissionRequiredMixin, View):
    permission = "claim.submit"

    def post(self, request, pk):
        claim = scoped_claim(request, pk)
        form = forms.Form(request.POST)
        call_service(form, claims.claim_submit, actor=request.user, claim=claim)
        return back(
            request,
            form,
            _("已提交：系统正在按补贴规则逐人核验，完成后由人社局审核；请稍后刷新本页查看核验结果。"),
            detail_url(pk),
        )


class MaterialUploadView(PermissionRequiredMixin, View):
    permission = "claim.add_material"

    def post(self, request, pk):
        claim = scoped_claim(request, pk)
        form = MaterialForm(request.POST, request.FILES)
        if form.is_valid():
            call_service(
                form,
                materials.claim_material_add,
                actor=request.user,
                claim=claim,
                kind=form.cleaned_data["kind"],
                uploaded_file=form.cleaned_data["file"],
                reference=form.cleaned_data["reference"],
            )
        return back(request, form, _("已添加材料：提交（或重新提交）申请后由人社局一并审核。"), detail_url(pk))


class MaterialDownloadView(PermissionRequiredMixin, View):
    permission = "claim.view"

    def get(self, request, pk, material_pk):
        claim = scoped_claim(request, pk)
        material = get_object_or_404(claim.materials, pk=material_pk)
        if not material.file:
            raise Http404
        return FileResponse(material.file.open("rb"), as_attachment=True, filename=material.file.name.rsplit("/")[-1])
