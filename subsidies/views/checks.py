"""Checks beyond the rules: phone follow-ups of the people on a claim (电话回访) and the double-random spot checks
of classes in training (双随机), with the pool of inspectors."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from core.forms import call_service
from core.policy import PermissionRequiredMixin, can

from .. import selectors
from ..forms import FollowUpDrawForm, FollowUpRecordForm, SpotCheckDrawForm, VisitRecordForm
from ..models import FollowUpOutcome
from ..services import follow_ups, spot_checks
from .common import back, page_of, scoped_claim

# --- phone follow-ups -----------------------------------------------------------------------------------


class FollowUpListView(PermissionRequiredMixin, View):
    """电话回访: draw the people to call (sample or everyone), then record each call."""

    permission = "follow_up.view"

    def _render(self, request, claim, draw_form=None, status=200):
        rows = selectors.follow_up_list(claim)
        context = {
            "claim": claim,
            "rows": rows,
            "draw_form": draw_form or FollowUpDrawForm(),
            "outcomes": FollowUpOutcome.choices,
            "may_reveal": can(request.user, "follow_up.reveal_phone"),  # the phone to call; each reveal is audited
            "done": sum(1 for r in rows if r.outcome),
        }
        return render(request, "subsidies/follow_ups.html", context, status=status)

    def get(self, request, pk):
        return self._render(request, scoped_claim(request, pk))

    def post(self, request, pk):
        if not can(request.user, "follow_up.draw"):
            raise PermissionDenied
        claim = scoped_claim(request, pk)
        form = FollowUpDrawForm(request.POST)
        if form.is_valid():
            rows = call_service(form, follow_ups.follow_ups_draw, actor=request.user, claim=claim, **form.cleaned_data)
            if rows is not None:
                messages.success(request, _("已抽取 %(n)s 人待回访。") % {"n": len(rows)})
                return redirect("subsidies:follow_ups", pk=pk)
        return self._render(request, claim, draw_form=form, status=400)


class FollowUpRecordView(PermissionRequiredMixin, View):
    permission = "follow_up.record"

    def post(self, request, pk, follow_up_pk):
        claim = scoped_claim(request, pk)
        follow_up = get_object_or_404(claim.follow_ups, pk=follow_up_pk)
        form = FollowUpRecordForm(request.POST)
        if form.is_valid():
            call_service(
                form, follow_ups.follow_up_record, actor=request.user, follow_up=follow_up, **form.cleaned_data
            )
        url = reverse("subsidies:follow_ups", args=[pk]) + f"#follow-up-{follow_up.pk}"
        return back(request, form, _("已记录回访结果。"), url)


# --- spot checks ----------------------------------------------------------------------------------------


class SpotCheckListView(PermissionRequiredMixin, View):
    """双随机: draw classes in training and inspectors from the pool; the seed is published."""

    permission = "spot_check.view"

    def _render(self, request, form=None, status=200):
        page, query, list_status = page_of(request, selectors.spot_check_list(user=request.user), size=30)
        status = list_status if status == 200 else status
        context = {
            "page": page,
            "query": query,
            "form": form or SpotCheckDrawForm(),
            "draw_region": request.user.region,  # a draw is made in the user's own region
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


class SpotCheckDetailView(PermissionRequiredMixin, View):
    permission = "spot_check.view"

    def get(self, request, pk):
        check = get_object_or_404(selectors.spot_check_list(user=request.user), pk=pk)
        context = {
            "check": check,
            "visits": selectors.visit_list(user=request.user, spot_check=check),
            "form": VisitRecordForm(),
        }
        return render(request, "subsidies/spot_check_detail.html", context)


class VisitRecordView(PermissionRequiredMixin, View):
    permission = "spot_check.record_visit"

    def post(self, request, visit_pk):
        visit = get_object_or_404(selectors.visit_list(user=request.user), pk=visit_pk)
        form = VisitRecordForm(request.POST)
        if form.is_valid():
            call_service(form, spot_checks.visit_record, actor=request.user, visit=visit, **form.cleaned_data)
        url = reverse("subsidies:spot_check", args=[visit.spot_check_id]) + f"#visit-{visit.pk}"
        return back(request, form, _("已登记检查结果。"), url)


class InspectorListView(PermissionRequiredMixin, View):
    permission = "spot_check.view"

    def get(self, request):
        return render(request, "subsidies/inspectors.html", {"inspectors": selectors.inspector_list(user=request.user)})
