"""The county's or city's review: the queue, decisions person by person, claim-level warnings, the decisions on
the whole claim (re-verify, return, reject, send to public notice) and the objections to its notice."""

from django import forms
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View

from accounts.stepup import ReauthRequiredMixin
from core.forms import call_service
from core.policy import PermissionRequiredMixin

from .. import selectors
from ..forms import LineDecisionForm, ObjectionResolveForm, ReasonForm
from ..forms_review import BulkApproveForm, LineFilterForm
from ..models import Objection
from ..services import claims, notices, objections, review
from .common import back, detail_url, scoped_claim


def _focus_url(pk: int, query: str) -> str:
    """The claim page with ?focus=<line>: that row's first control has `autofocus` (which scrolls to it). No
    #line-<id> fragment: a page opened on a fragment target skips autofocus (HTML's autofocus rules)."""
    return f"{reverse('subsidies:detail', args=[pk])}?{query}"


def _after_decision(request, claim, after: int = 0) -> tuple[str, str]:
    """(what happens next, the URL of the page filtered as it was, with focus on the next pending line)."""
    form = LineFilterForm(request.POST)
    filters = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    upcoming = selectors.next_pending_line(claim, filters, after) or selectors.next_pending_line(claim)
    if upcoming:
        query = urlencode({**filters, "focus": upcoming.pk})
        left = claim.lines.filter(status=upcoming.status).count()
        note = _("还有 %(n)s 人待审核，下一位：%(name)s。") % {"n": left, "name": upcoming.trainee.name_masked}
        return note, _focus_url(claim.pk, query)
    note = _("全部人员已审核：处理整体性提示后即可发布公示。")
    return note, detail_url(claim.pk, "review-actions")


class ReviewQueueView(PermissionRequiredMixin, View):
    permission = "claim.decide"

    def get(self, request):
        return render(request, "subsidies/queue.html", {"claims": selectors.review_queue(user=request.user)})


class LineDecideView(ReauthRequiredMixin, PermissionRequiredMixin, View):
    permission = "claim.decide"

    def post(self, request, pk, line_pk):
        claim = scoped_claim(request, pk)
        line = get_object_or_404(claim.lines.select_related("trainee"), pk=line_pk)
        form = LineDecisionForm(request.POST)
        approve = form.is_valid() and form.cleaned_data["decision"] == "approve"
        if form.is_valid():
            call_service(
                form,
                claims.line_decide,
                actor=request.user,
                line=line,
                approve=approve,
                reason=form.cleaned_data["reason"],
            )
        if form.errors:  # stay on the line to correct it
            return back(request, form, "", detail_url(pk, f"line-{line.pk}"))
        done = (
            _("已通过 %(name)s（%(amount)s 元）。") if approve else _("已不通过 %(name)s，核减 %(amount)s 元。")
        ) % {
            "name": line.trainee.name_masked,
            "amount": line.amount,
        }
        note, url = _after_decision(request, claim, line.pk)
        return back(request, form, f"{done}{note}", url)


class ClaimApproveCleanView(ReauthRequiredMixin, PermissionRequiredMixin, View):
    """通过全部无问题的人员: every pending line without any finding, at once (the same step-up as one line)."""

    permission = "claim.decide"

    def post(self, request, pk):
        claim = scoped_claim(request, pk)
        form = BulkApproveForm(request.POST)
        result = call_service(form, review.claim_approve_clean_lines, actor=request.user, claim=claim)
        if result is None:
            return back(request, form, "", detail_url(pk, "review-actions"))
        if result.approved:
            done = _("已通过 %(n)s 名无核验发现的人员。") % {"n": result.approved}
        else:
            done = _("没有待审核的无问题人员，无需批量通过。")
        if result.flagged_pending:
            note = _("还有 %(n)s 人有核验发现，请逐人处理。") % {"n": result.flagged_pending}
            url = _focus_url(pk, urlencode({"focus": result.next_line_id}))
        else:
            note, url = _("全部人员已审核：处理整体性提示后即可发布公示。"), detail_url(pk, "review-actions")
        return back(request, form, f"{done}{note}", url)


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
        return back(
            request,
            form,
            _("已接受该提示，理由已记录；整体性提示处理完后即可发布公示。"),
            detail_url(pk, "claim-findings"),
        )


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
    ok_message = _("已要求重新核验：系统正在按规则重新核验全部人员，完成后刷新本页查看新的核验发现。")


class ClaimReturnView(_ClaimActionView):
    service = claims.claim_return
    with_reason = True
    ok_message = _("已退回机构修改：机构修改后重新提交，系统重新核验，全部人员需重新审核。")


class ClaimRejectView(_ClaimActionView):
    service = claims.claim_reject
    with_reason = True
    ok_message = _("已作出不予补贴决定：全部人员已核减，机构可在申请页查看理由。")


class ClaimSendToNoticeView(ReauthRequiredMixin, _ClaimActionView):
    service = notices.claim_send_to_notice
    ok_message = _("已发布公示：公示期内可受理异议；公示期满无异议后，系统自动批准补贴。")


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
        upheld = form.is_valid() and form.cleaned_data["decision"] == Objection.Status.UPHELD
        message = (
            _("已认定异议成立：异议所涉人员已核减（针对整个申请的，整个申请不予补贴），处理意见已记录。")
            if upheld
            else _("已认定异议不成立：处理意见已记录，公示照常进行。")
        )
        return back(request, form, message, detail_url(pk, "objections"))
