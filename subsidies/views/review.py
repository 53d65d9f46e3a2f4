"""The county's or city's review: the queue, decisions person by person, claim-level warnings, the decisions on
the whole claim (re-verify, return, reject, send to public notice) and the objections to its notice."""

from django import forms
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views import View

from accounts.stepup import ReauthRequiredMixin
from core.forms import call_service
from core.policy import PermissionRequiredMixin

from .. import selectors
from ..forms import LineDecisionForm, ObjectionResolveForm, ReasonForm
from ..models import Objection
from ..services import claims, notices, objections
from .common import back, detail_url, scoped_claim


class ReviewQueueView(PermissionRequiredMixin, View):
    permission = "claim.decide"

    def get(self, request):
        return render(request, "subsidies/queue.html", {"claims": selectors.review_queue(user=request.user)})


class LineDecideView(ReauthRequiredMixin, PermissionRequiredMixin, View):
    permission = "claim.decide"

    def post(self, request, pk, line_pk):
        claim = scoped_claim(request, pk)
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
        return back(request, form, _("已记录审核意见。"), detail_url(pk, f"line-{line.pk}"))


class FindingAcceptView(PermissionRequiredMixin, View):
    permission = "claim.decide"

    def post(self, request, pk, finding_pk):
        claim = scoped_claim(request, pk)
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
        return back(request, form, _("已接受该提示。"), detail_url(pk, "claim-findings"))


class _ClaimActionView(PermissionRequiredMixin, View):
    """POST one claim-level service (re-verify, return, reject, send to notice)."""

    permission = "claim.decide"
    service = None
    with_reason = False
    ok_message = ""

    def post(self, request, pk):
        claim = scoped_claim(request, pk)
        form = ReasonForm(request.POST) if self.with_reason else forms.Form(request.POST)
        if form.is_valid():
            kwargs = {"reason": form.cleaned_data["reason"]} if self.with_reason else {}
            call_service(form, type(self).service, actor=request.user, claim=claim, **kwargs)
        return back(request, form, self.ok_message, detail_url(pk))


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
    service = notices.claim_send_to_notice
    ok_message = _("已发布公示。")


class ObjectionResolveView(PermissionRequiredMixin, View):
    permission = "objection.resolve"

    def post(self, request, pk, objection_pk):
        claim = scoped_claim(request, pk)
        objection = get_object_or_404(Objection, pk=objection_pk, notice__claim=claim)
        form = ObjectionResolveForm(request.POST)
        if form.is_valid():
            call_service(
                form,
                objections.objection_resolve,
                actor=request.user,
                objection=objection,
                upheld=form.cleaned_data["decision"] == Objection.Status.UPHELD,
                resolution=form.cleaned_data["resolution"],
            )
        return back(request, form, _("已处理异议。"), detail_url(pk, "objections"))
