"""Monthly reports (月报): the archive of the regions in the user's scope, a report built on request for the
user's own region, and the download."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View

from core import clock
from core.forms import call_service, paginate, query_status
from core.policy import PermissionRequiredMixin, can

from ..forms import ReportRequestForm
from ..selectors.plans import plan_for_region, plans_for
from ..selectors.reports import monthly_report_list
from ..services.reports import monthly_report_request, report_months
from .common import read_query


def _may_build(user) -> bool:
    """A report is built on request for the user's own region."""
    return can(user, "report.build", user.region)


class MonthlyReportListView(PermissionRequiredMixin, View):
    permission = "report.view"

    def _form(self, request, data=None):
        """Plans that have begun, each with the months a report may be asked for; it opens on the plan with a
        target for the user's region (as the dashboard) and its latest month."""
        today = clock.today()
        region = request.user.region
        months = {}
        plans = []
        for plan in plans_for(region) if region else []:
            first, last = report_months(plan, today)
            if first is not None:
                plans.append(plan)
                months[plan.code] = (first, last)
        default = plan_for_region(plans, region, today) if plans else None
        initial = {"plan": default.code, "month": months[default.code][1]} if default else {}
        return ReportRequestForm(data, plans=plans, months=months, initial=initial)

    def _render(self, request, form, status=200):
        qs = monthly_report_list(user=request.user)
        query, error = read_query(request.GET)
        plan_code = query.get("plan") or ""
        if plan_code:
            qs = qs.filter(plan__code=plan_code)
        page, page_error = paginate(request, qs, 50)
        if status == 200:
            status = query_status(request, error, page_error)
        context = {
            "page": page,
            "query": urlencode({"plan": plan_code}) if plan_code else "",
            "form": form,
            "may_generate": _may_build(request.user),
        }
        return render(request, "indicators/reports.html", context, status=status)

    def get(self, request):
        return self._render(request, self._form(request))

    def post(self, request):
        if not _may_build(request.user):
            raise Http404
        form = self._form(request, request.POST)
        if form.is_valid():
            plan = get_object_or_404(plans_for(request.user.region), code=form.cleaned_data["plan"])
            call_service(
                form,
                monthly_report_request,
                actor=request.user,
                region=request.user.region,
                plan=plan,
                month=form.cleaned_data["month"],
            )
        if form.errors:
            return self._render(request, form, status=400)
        messages.success(request, _("已提交生成月报，完成后出现在下表中（如未出现请稍后刷新）。"))
        return redirect("indicators:reports")


class MonthlyReportDownloadView(PermissionRequiredMixin, View):
    permission = "report.view"

    def get(self, request, pk):
        report = get_object_or_404(monthly_report_list(user=request.user), pk=pk)
        if not report.file or not report.file.storage.exists(report.file.name):
            raise Http404
        filename = f"月报-{report.region.name}-{report.plan.code}-{report.month:%Y-%m}.xlsx"
        return FileResponse(report.file.open("rb"), as_attachment=True, filename=filename)
