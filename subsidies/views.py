"""Pages of subsidy claims: the institution claims and submits; the county or city reviews the whole package,
runs phone follow-ups and spot checks and sends the claim to public notice; finance records payments. Every
object is fetched through a scoped selector (out of scope = 404); every write is one service call."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from accounts.legacy_roles import RoleRequiredMixin
from accounts.models import Role
from accounts.stepup import ReauthRequiredMixin
from core.errors import DomainError
from core.forms import call_service, paginate, query_errors, query_status
from trainees.services.people import REVEALING_ROLES
from training.services import attendance

from . import selectors
from .forms import (
    ClaimCreateForm,
    ClaimFilterForm,
    FollowUpDrawForm,
    FollowUpRecordForm,
    LineDecisionForm,
    MaterialForm,
    ObjectionResolveForm,
    PaymentForm,
    ReasonForm,
    SpotCheckDrawForm,
    VisitRecordForm,
)
from .models import ClaimKind, FollowUpOutcome, Objection, PublicNotice
from .services import claims, follow_ups, payments, spot_checks

BUREAU = (Role.PROVINCE, Role.CITY, Role.COUNTY, Role.ADMIN)
READERS = (*BUREAU, Role.INSTITUTION, Role.FINANCE)
INSTITUTION = (Role.INSTITUTION,)
DECIDERS = claims.DECIDERS
FINANCE = (Role.FINANCE,)
SPOT_CHECK_READERS = (*spot_checks.DRAWING_ROLES, Role.ADMIN)


def _scoped_claim(request, pk):
    return get_object_or_404(selectors.claim_list(user=request.user), pk=pk)


def _errors(form) -> str:
    return "；".join(e for errors in form.errors.values() for e in errors) or _("操作未完成。")


def _page(request, queryset, size=50, error=""):
    """(page, query string without the page, status): 400 with a message when a filter or ?page= is invalid."""
    page, page_error = paginate(request, queryset, size)
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode(), query_status(request, error, page_error)


def _back(request, form, ok_message, url):
    if form.errors:
        messages.error(request, _errors(form))
    else:
        messages.success(request, ok_message)
    return redirect(url)


def _detail_url(pk, anchor=""):
    return reverse("subsidies:detail", args=[pk]) + (f"#{anchor}" if anchor else "")


# --- institution: claims ----------------------------------------------------------------------------------


class ClaimListView(RoleRequiredMixin, View):
    allowed_roles = READERS

    def get(self, request):
        form = ClaimFilterForm(request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        page, query, status = _page(
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


class ClaimCreateView(RoleRequiredMixin, View):
    """A claim for one of the institution's completed classes (one claim per class and kind)."""

    allowed_roles = INSTITUTION

    def get(self, request):
        form = ClaimCreateForm(
            initial={"kind": ClaimKind.TRAINING}, classes=selectors.claimable_classes(user=request.user)
        )
        return render(request, "subsidies/claim_form.html", {"form": form})

    def post(self, request):
        form = ClaimCreateForm(request.POST, classes=selectors.claimable_classes(user=request.user))
        if form.is_valid():
            claim = call_service(form, claims.claim_create, actor=request.user, **form.cleaned_data)
            if claim:
                messages.success(request, _("已生成补贴申请：请核对人员和金额，补充材料后提交。"))
                return redirect("subsidies:detail", pk=claim.pk)
        return render(request, "subsidies/claim_form.html", {"form": form}, status=400)


class ClaimDetailView(RoleRequiredMixin, View):
    """The whole package on one page: class summary, lines with findings, claim-level findings, materials,
    history, notice and objections, payments; review controls for the county or city."""

    allowed_roles = READERS

    def get(self, request, pk):
        claim = _scoped_claim(request, pk)
        user = request.user
        is_owner = user.role == Role.INSTITUTION and user.institution_id == claim.institution_id
        is_decider = user.role in DECIDERS
        is_bureau = user.role in BUREAU
        notice = PublicNotice.objects.filter(claim=claim).first()
        history = list(claim.status_changes.select_related("actor"))
        context = {
            "claim": claim,
            "tc": claim.training_class,
            "lines": selectors.claim_lines(claim),
            "claim_findings": selectors.claim_findings(claim),
            "totals": selectors.claim_totals(claim),
            "materials": selectors.claim_materials_checklist(claim),
            "history": history,
            "last_change": history[-1] if history else None,
            "notice": notice,
            "objections": selectors.claim_objections(claim) if is_bureau and notice else [],
            "payments": selectors.class_payments(claim.training_class),
            "payment_conflict": payments.payment_conflict(actor=user, training_class=claim.training_class)
            if user.role == Role.FINANCE
            else "",
            "late_uploads": attendance.late_uploads(claim.training_class),
            "follow_up_count": claim.follow_ups.count(),
            "is_owner": is_owner,
            "is_decider": is_decider,
            "is_bureau": is_bureau,
            "is_finance": user.role == Role.FINANCE,
            "material_form": MaterialForm() if is_owner and claim.status in ("draft", "returned") else None,
        }
        return render(request, "subsidies/claim_detail.html", context)


class ClaimSubmitView(RoleRequiredMixin, View):
    allowed_roles = INSTITUTION

    def post(self, request, pk):
        claim = _scoped_claim(request, pk)
        form = forms.Form(request.POST)
        call_service(form, claims.claim_submit, actor=request.user, claim=claim)
        return _back(request, form, _("已提交，系统正在逐项核验。"), _detail_url(pk))


class MaterialUploadView(RoleRequiredMixin, View):
    allowed_roles = INSTITUTION

    def post(self, request, pk):
        claim = _scoped_claim(request, pk)
        form = MaterialForm(request.POST, request.FILES)
        if form.is_valid():
            call_service(
                form,
                claims.claim_material_add,
                actor=request.user,
                claim=claim,
                kind=form.cleaned_data["kind"],
                uploaded_file=form.cleaned_data["file"],
                reference=form.cleaned_data["reference"],
            )
        return _back(request, form, _("已添加材料。"), _detail_url(pk))


class MaterialDownloadView(RoleRequiredMixin, View):
    allowed_roles = READERS

    def get(self, request, pk, material_pk):
        claim = _scoped_claim(request, pk)
        material = get_object_or_404(claim.materials, pk=material_pk)
        if not material.file:
            raise Http404
        return FileResponse(material.file.open("rb"), as_attachment=True, filename=material.file.name.rsplit("/")[-1])


# --- county / city: review ------------------------------------------------------------------------------


class ReviewQueueView(RoleRequiredMixin, View):
    allowed_roles = DECIDERS

    def get(self, request):
        return render(request, "subsidies/queue.html", {"claims": selectors.review_queue(user=request.user)})


class LineDecideView(ReauthRequiredMixin, RoleRequiredMixin, View):
    allowed_roles = DECIDERS

    def post(self, request, pk, line_pk):
        claim = _scoped_claim(request, pk)
        line = get_object_or_404(claim.lines, pk=line_pk)
        form = LineDecisionForm(request.POST)
        if form.is_valid():
            call_service(
                form,
                claims.line_decide,
                actor=request.user,
                line=line,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
        return _back(request, form, _("已记录审核意见。"), _detail_url(pk, f"line-{line.pk}"))


class FindingAcceptView(RoleRequiredMixin, View):
    allowed_roles = DECIDERS

    def post(self, request, pk, finding_pk):
        claim = _scoped_claim(request, pk)
        finding = get_object_or_404(claim.findings, pk=finding_pk, line__isnull=True)
        form = ReasonForm(request.POST)
        if form.is_valid():
            call_service(
                form,
                claims.claim_accept_warning,
                actor=request.user,
                finding=finding,
                reason=form.cleaned_data["reason"],
            )
        return _back(request, form, _("已接受该提示。"), _detail_url(pk, "claim-findings"))


class _ClaimActionView(RoleRequiredMixin, View):
    """POST one claim-level service (re-verify, return, reject, send to notice)."""

    allowed_roles = DECIDERS
    service = None
    with_reason = False
    ok_message = ""

    def post(self, request, pk):
        claim = _scoped_claim(request, pk)
        form = ReasonForm(request.POST) if self.with_reason else forms.Form(request.POST)
        if form.is_valid():
            kwargs = {"reason": form.cleaned_data["reason"]} if self.with_reason else {}
            call_service(form, type(self).service, actor=request.user, claim=claim, **kwargs)
        return _back(request, form, self.ok_message, _detail_url(pk))


class ClaimReverifyView(_ClaimActionView):
    service = claims.claim_reverify
    ok_message = _("已重新核验。")


class ClaimReturnView(_ClaimActionView):
    service = claims.claim_return
    with_reason = True
    ok_message = _("已退回机构修改。")


class ClaimRejectView(_ClaimActionView):
    service = claims.claim_reject
    with_reason = True
    ok_message = _("已作出不予补贴决定。")


class ClaimSendToNoticeView(ReauthRequiredMixin, _ClaimActionView):
    service = claims.claim_send_to_notice
    ok_message = _("已发布公示。")


class ObjectionResolveView(RoleRequiredMixin, View):
    allowed_roles = DECIDERS

    def post(self, request, pk, objection_pk):
        claim = _scoped_claim(request, pk)
        objection = get_object_or_404(Objection, pk=objection_pk, notice__claim=claim)
        form = ObjectionResolveForm(request.POST)
        if form.is_valid():
            call_service(
                form,
                claims.objection_resolve,
                actor=request.user,
                objection=objection,
                upheld=form.cleaned_data["decision"] == Objection.Status.UPHELD,
                resolution=form.cleaned_data["resolution"],
            )
        return _back(request, form, _("已处理异议。"), _detail_url(pk, "objections"))


class FollowUpListView(RoleRequiredMixin, View):
    """电话回访: draw the people to call (sample or everyone), then record each call."""

    allowed_roles = (*DECIDERS, Role.PROVINCE, Role.ADMIN)

    def _render(self, request, claim, draw_form=None, status=200):
        rows = selectors.follow_up_list(claim)
        context = {
            "claim": claim,
            "rows": rows,
            "draw_form": draw_form or FollowUpDrawForm(),
            "outcomes": FollowUpOutcome.choices,
            "is_decider": request.user.role in DECIDERS,
            "may_reveal": request.user.role in REVEALING_ROLES,  # the phone to call; each reveal is audited
            "done": sum(1 for r in rows if r.outcome),
        }
        return render(request, "subsidies/follow_ups.html", context, status=status)

    def get(self, request, pk):
        return self._render(request, _scoped_claim(request, pk))

    def post(self, request, pk):
        if request.user.role not in DECIDERS:
            raise PermissionDenied
        claim = _scoped_claim(request, pk)
        form = FollowUpDrawForm(request.POST)
        if form.is_valid():
            rows = call_service(form, follow_ups.follow_ups_draw, actor=request.user, claim=claim, **form.cleaned_data)
            if rows is not None:
                messages.success(request, _("已抽取 %(n)s 人待回访。") % {"n": len(rows)})
                return redirect("subsidies:follow_ups", pk=pk)
        return self._render(request, claim, draw_form=form, status=400)


class FollowUpRecordView(RoleRequiredMixin, View):
    allowed_roles = DECIDERS

    def post(self, request, pk, follow_up_pk):
        claim = _scoped_claim(request, pk)
        follow_up = get_object_or_404(claim.follow_ups, pk=follow_up_pk)
        form = FollowUpRecordForm(request.POST)
        if form.is_valid():
            call_service(
                form, follow_ups.follow_up_record, actor=request.user, follow_up=follow_up, **form.cleaned_data
            )
        url = reverse("subsidies:follow_ups", args=[pk]) + f"#follow-up-{follow_up.pk}"
        return _back(request, form, _("已记录回访结果。"), url)


# --- spot checks ----------------------------------------------------------------------------------------


class SpotCheckListView(RoleRequiredMixin, View):
    """双随机: draw classes in training and inspectors from the pool; the seed is published."""

    allowed_roles = SPOT_CHECK_READERS

    def _render(self, request, form=None, status=200):
        page, query, list_status = _page(request, selectors.spot_check_list(user=request.user), size=30)
        status = list_status if status == 200 else status
        may_draw = request.user.role in spot_checks.DRAWING_ROLES and request.user.region_id is not None
        context = {
            "page": page,
            "query": query,
            "form": form or SpotCheckDrawForm(),
            "may_draw": may_draw,
            "inspector_count": selectors.inspector_list(user=request.user).filter(is_active=True).count(),
        }
        return render(request, "subsidies/spot_checks.html", context, status=status)

    def get(self, request):
        return self._render(request)

    def post(self, request):
        form = SpotCheckDrawForm(request.POST)
        if form.is_valid():
            check = call_service(
                form,
                spot_checks.spot_check_draw,
                actor=request.user,
                region=request.user.region,
                sample_size=form.cleaned_data["sample_size"],
                seed=form.cleaned_data["seed"],
            )
            if check:
                messages.success(request, _("已抽取，种子 %(s)s。") % {"s": check.seed})
                return redirect("subsidies:spot_check", pk=check.pk)
        return self._render(request, form=form, status=400)


class SpotCheckDetailView(RoleRequiredMixin, View):
    allowed_roles = SPOT_CHECK_READERS

    def get(self, request, pk):
        check = get_object_or_404(selectors.spot_check_list(user=request.user), pk=pk)
        context = {
            "check": check,
            "visits": selectors.visit_list(user=request.user, spot_check=check),
            "form": VisitRecordForm(),
            "may_record": request.user.role in spot_checks.DRAWING_ROLES,
        }
        return render(request, "subsidies/spot_check_detail.html", context)


class VisitRecordView(RoleRequiredMixin, View):
    allowed_roles = spot_checks.DRAWING_ROLES

    def post(self, request, visit_pk):
        visit = get_object_or_404(selectors.visit_list(user=request.user), pk=visit_pk)
        form = VisitRecordForm(request.POST)
        if form.is_valid():
            call_service(form, spot_checks.visit_record, actor=request.user, visit=visit, **form.cleaned_data)
        url = reverse("subsidies:spot_check", args=[visit.spot_check_id]) + f"#visit-{visit.pk}"
        return _back(request, form, _("已登记检查结果。"), url)


class InspectorListView(RoleRequiredMixin, View):
    allowed_roles = SPOT_CHECK_READERS

    def get(self, request):
        return render(request, "subsidies/inspectors.html", {"inspectors": selectors.inspector_list(user=request.user)})


# --- finance --------------------------------------------------------------------------------------------


class PaymentListView(RoleRequiredMixin, View):
    allowed_roles = FINANCE

    def get(self, request):
        payable = selectors.payable(user=request.user)
        claims_due, classes_due = list(payable["claims"]), list(payable["classes"])
        barred = payments.payment_barred_class_ids(
            actor=request.user, class_ids={c.training_class_id for c in claims_due} | {c.pk for c in classes_due}
        )
        page, query, status = _page(request, selectors.payment_list(user=request.user))
        return render(
            request,
            "subsidies/payments.html",
            {"claims": claims_due, "classes": classes_due, "barred": barred, "page": page, "query": query},
            status=status,
        )


class AdvanceView(ReauthRequiredMixin, RoleRequiredMixin, View):
    """预拨 for one class: the amount is the service's; the form carries a one-time idempotency key."""

    allowed_roles = FINANCE

    def _render(self, request, tc, form, status=200):
        try:
            amount, amount_error = payments.advance_amount(tc), ""
        except DomainError as exc:
            amount, amount_error = None, exc.message
        context = {
            "kind": "advance",
            "tc": tc,
            "form": form,
            "amount": amount,
            "amount_error": amount_error,
            "conflict": payments.payment_conflict(actor=request.user, training_class=tc),
            "payments": selectors.class_payments(tc),
            "action": reverse("subsidies:advance", args=[tc.pk]),
        }
        return render(request, "subsidies/payment_form.html", context, status=status)

    def get(self, request, class_pk):
        tc = get_object_or_404(selectors.advance_class(user=request.user), pk=class_pk)
        return self._render(request, tc, PaymentForm())

    def post(self, request, class_pk):
        tc = get_object_or_404(selectors.advance_class(user=request.user), pk=class_pk)
        form = PaymentForm(request.POST)
        if form.is_valid():
            payment = call_service(
                form, payments.advance_record, actor=request.user, training_class=tc, **form.cleaned_data
            )
            if payment:
                messages.success(request, _("已登记预拨 %(a)s 元。") % {"a": payment.amount})
                return redirect("subsidies:payments")
        return self._render(request, tc, form, status=400)


class SettlementView(ReauthRequiredMixin, RoleRequiredMixin, View):
    """清算 for one approved claim: approved amount minus the class's advance (negative = recovery)."""

    allowed_roles = FINANCE

    def _render(self, request, claim, form, status=200):
        advanced = selectors.advanced_total(claim.training_class)
        context = {
            "kind": "settlement",
            "claim": claim,
            "tc": claim.training_class,
            "form": form,
            "advanced": advanced,
            "balance": claim.approved_amount - advanced,
            "conflict": payments.payment_conflict(actor=request.user, training_class=claim.training_class),
            "payments": selectors.class_payments(claim.training_class),
            "action": reverse("subsidies:settle", args=[claim.pk]),
        }
        return render(request, "subsidies/payment_form.html", context, status=status)

    def get(self, request, pk):
        return self._render(request, _scoped_claim(request, pk), PaymentForm())

    def post(self, request, pk):
        claim = _scoped_claim(request, pk)
        form = PaymentForm(request.POST)
        if form.is_valid():
            payment = call_service(
                form, payments.settlement_record, actor=request.user, claim=claim, **form.cleaned_data
            )
            if payment:
                messages.success(request, _("已登记清算 %(a)s 元。") % {"a": payment.amount})
                return redirect("subsidies:payments")
        return self._render(request, claim, form, status=400)
