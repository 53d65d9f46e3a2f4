"""Dashboard pages: one page per level (province › city › county), scoped — a region outside the user's scope
is 404. The charts are drawn by static/js/dashboard.js from the page's json_script data; every chart's numbers
are also a table and an Excel export (?export=<chart>). Targets, key tasks and the monthly reports."""

from typing import NamedTuple

from django.contrib import messages
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.legacy_roles import RoleRequiredMixin
from accounts.models import Role
from catalog.models import Region
from core import clock
from core.forms import call_service, paginate, query_errors, query_status
from core.importing import XLSX_CONTENT_TYPE, export_xlsx

from . import selectors
from .forms import (
    PlanQueryForm,
    ReportedValueForm,
    ReportRequestForm,
    TargetForm,
    TargetImportForm,
    TaskProgressForm,
)
from .models import Indicator, KeyTask, Plan, ReportedValue, TaskProgress
from .services import plans as plan_services
from .services import reports

READERS = (Role.PROVINCE, Role.CITY, Role.COUNTY, Role.ADMIN)
ALLOCATORS = (Role.PROVINCE, Role.CITY)
REPORTERS = (Role.PROVINCE, Role.CITY, Role.COUNTY)
STATUS_CSS = {
    selectors.ON_TRACK: "text-bg-success",
    selectors.BEHIND: "text-bg-warning",
    selectors.AT_RISK: "text-bg-danger",
}


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _errors(form) -> str:
    return "；".join(e for errors in form.errors.values() for e in errors) or _("操作未完成。")


def _pct(share) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


def _region_or_404(request, code: str | None) -> Region | None:
    """The region of the page: the user's own when no code is given (None: national, for admins)."""
    if code is None:
        region = request.user.region
    else:
        region = Region.objects.select_related("parent").filter(code=code).first()
        if region is None:
            raise Http404
    if not selectors.region_visible(request.user, region):
        raise Http404
    return region


def _plans(user):
    """Plans a user works with: those that apply to their region (admins: every plan)."""
    return Plan.objects.all() if user.is_system_admin else selectors.plans_for(user.region)


def _query(source) -> tuple[dict, str]:
    """The valid ones of the plan, indicator, year and export parameters of `source` (request.GET or .POST), and
    the errors of the others ("" if none): a bad value is never looked up."""
    form = PlanQueryForm(source)
    form.is_valid()
    return form.cleaned_data, query_errors(form)


def _plan(plans, query: dict) -> Plan | None:
    code = query.get("plan")
    if code:
        return get_object_or_404(plans, code=code)
    return reports.plan_default(plans, clock.today())


def _year(plan: Plan, query: dict) -> int | None:
    year = query.get("year")
    return year if year in reports.plan_years(plan) else None


def _breadcrumbs(user, region: Region | None) -> list[Region | None]:
    """The regions above this one that the user may open, top first (None: national)."""
    chain, node = [], region.parent if region else None
    while node is not None:
        chain.append(node)
        node = node.parent
    if region is not None:
        chain.append(None)
    return [r for r in reversed(chain) if selectors.region_visible(user, r)]


# --- dashboard --------------------------------------------------------------------------------------------


class DashboardView(RoleRequiredMixin, View):
    """/dashboard/ (the user's own region) and /dashboard/<code>/ (a region in scope)."""

    allowed_roles = READERS

    def get(self, request, code=None):
        region = _region_or_404(request, code)
        query, error = _query(request.GET)
        status = query_status(request, error)
        plans = selectors.plans_for(region)
        plan = _plan(plans, query)
        if plan is None:
            return render(request, "indicators/dashboard.html", {"region": region, "plan": None}, status=status)
        data = selectors.dashboard(user=request.user, plan=plan, region=region, year=_year(plan, query))
        payload = reports.dashboard_json(data)
        county_map = _county_map(request.user, plan, region, data)
        payload["county_map"] = county_map and county_map["json"]
        export = query.get("export") if not error else ""
        if export == "county_map":
            if county_map is None:
                raise Http404
            headers, rows, title = selectors.county_map_table(county_map)
            name = f"county_map-{region.code}-{plan.code}-{data['year']}.xlsx"
            return _xlsx_response(export_xlsx(headers, rows, title=title), name)
        if export:
            table = reports.chart_table(payload, export)
            if table is None:
                raise Http404
            headers, rows, title = table
            name = f"{export}-{region.code if region else 'national'}-{plan.code}-{data['year']}.xlsx"
            return _xlsx_response(export_xlsx(headers, rows, title=title), name)
        may_report = (
            region is not None
            and request.user.role in REPORTERS
            and request.user.region_id == region.pk
            and any(r["source"] == Indicator.Source.REPORTED for r in payload["rows"])
        )
        context = {
            "region": region,
            "plan": plan,
            "plans": plans,
            "years": reports.plan_years(plan),
            "year": data["year"],
            "data": payload,
            "rows": [
                {
                    **row,
                    "css": STATUS_CSS.get(row["status"], "text-bg-secondary"),
                    "share_pct": _pct(row["share"]),
                    "elapsed_pct": _pct(row["elapsed"]),
                }
                for row in payload["rows"]
            ],
            "children": [{**c, "share_pct": _pct(c["share"])} for c in payload["children"]],
            "breadcrumbs": _breadcrumbs(request.user, region),
            "query": urlencode({"plan": plan.code, "year": data["year"]}),
            "may_report": may_report,
            "report_form": ReportedValueForm(plan=plan, initial={"period": clock.today().replace(day=1)})
            if may_report
            else None,
            "reported": ReportedValue.objects.filter(indicator__plan=plan, region=region).select_related(
                "indicator", "reported_by"
            )[:12]
            if region
            else [],
            "is_county": region is not None and region.level == Region.Level.COUNTY,
            "county_map": county_map,
        }
        return render(request, "indicators/dashboard.html", context, status=status)


def _county_map(user, plan: Plan, region: Region | None, data: dict) -> dict | None:
    """The map card of a province or city dashboard (None: no card): the selector's rows for the table and the
    export, and as JSON for the chart, each with the link to its county's dashboard where the user may open it."""
    if data["main"] is None:
        return None
    result = selectors.county_map(user=user, plan=plan, region=region, year=data["year"], indicator=data["main"])
    if result is None:
        return None
    rows = [
        {
            **r,
            "url": reports.dashboard_url(r["region"], plan, result["year"]) if r["visible"] else None,
            "share_pct": _pct(r["share"]),
        }
        for r in result["rows"]
    ]
    fields = ("code", "name", "city", "done", "target", "share", "url", "on_map")
    return {
        **result,
        "rows": rows,
        "missing": [r for r in rows if not r["on_map"]],
        "json": {"name": f"counties-{region.code}", "rows": [{k: r[k] for k in fields} for r in rows]},
    }


class ReportedValueView(RoleRequiredMixin, View):
    """填报 of a reported indicator for the page's region."""

    allowed_roles = REPORTERS

    def post(self, request, code):
        region = _region_or_404(request, code)
        query, _error = _query(request.POST)
        plan = get_object_or_404(selectors.plans_for(region), code=query.get("plan") or "")
        form = ReportedValueForm(request.POST, plan=plan)
        if form.is_valid():
            call_service(
                form,
                plan_services.reported_value_set,
                actor=request.user,
                region=region,
                **form.cleaned_data,
            )
        if form.errors:
            messages.error(request, _errors(form))
        else:
            messages.success(request, _("已填报。"))
        return redirect(reports.dashboard_url(region, plan, _year(plan, query)))


# --- key tasks --------------------------------------------------------------------------------------------

TASK_FILTERS = {"all": gettext_lazy("全部"), "open": gettext_lazy("未完成"), "overdue": gettext_lazy("已逾期")}


class KeyTaskListView(RoleRequiredMixin, View):
    allowed_roles = READERS

    def get(self, request):
        plans = _plans(request.user)
        query, error = _query(request.GET)
        plan = _plan(plans, query)
        today = clock.today()
        show = request.GET.get("show") or "all"
        if show not in TASK_FILTERS:
            error, show = "；".join(e for e in (error, _("显示：请选择全部、未完成或已逾期。")) if e), "all"
        tasks = []
        if plan is not None:
            qs = plan.tasks.prefetch_related(
                Prefetch("progress_reports", queryset=TaskProgress.objects.select_related("reported_by"))
            )
            if show == "open":
                qs = qs.filter(done=False)
            elif show == "overdue":
                qs = qs.filter(done=False, deadline__lt=today)
            tasks = [(task, task.is_overdue(today)) for task in qs]
        context = {
            "plans": plans,
            "plan": plan,
            "tasks": tasks,
            "show": show,
            "filters": TASK_FILTERS,
            "overdue_count": plan.tasks.filter(done=False, deadline__lt=today).count() if plan else 0,
            "may_report": request.user.role in REPORTERS,
            "form": TaskProgressForm(),
        }
        return render(request, "indicators/tasks.html", context, status=query_status(request, error))


class TaskProgressView(RoleRequiredMixin, View):
    allowed_roles = REPORTERS

    def post(self, request, pk):
        task = get_object_or_404(KeyTask.objects.filter(plan__in=_plans(request.user)).select_related("plan"), pk=pk)
        form = TaskProgressForm(request.POST)
        if form.is_valid():
            call_service(form, plan_services.task_progress_report, actor=request.user, task=task, **form.cleaned_data)
        if form.errors:
            messages.error(request, _errors(form))
        else:
            messages.success(request, _("已报告进展。"))
        return redirect(f"{reverse('indicators:tasks')}?{urlencode({'plan': task.plan.code})}#task-{task.pk}")


# --- targets ----------------------------------------------------------------------------------------------


class Selection(NamedTuple):
    plans: object
    plan: Plan | None
    indicators: list
    indicator: Indicator | None
    year: int | None
    error: str = ""

    @property
    def query(self) -> str:
        params = {"plan": self.plan.code, "indicator": self.indicator.code}
        return urlencode({**params, **({"year": self.year} if self.year else {})})


def _target_selection(request, source=None) -> Selection:
    """The plan, indicator and year chosen on the targets page (`error`: what was wrong with the choice)."""
    query, error = _query(source if source is not None else request.GET)
    plans = selectors.plans_for(request.user.region)
    plan = _plan(plans, query)
    if plan is None:
        return Selection(plans, None, [], None, None, error)
    indicators = list(plan.indicators.all())
    indicator = next((i for i in indicators if i.code == query.get("indicator")), indicators[0] if indicators else None)
    year = _year(plan, query)
    if indicator is not None and indicator.kind == Indicator.Kind.YEARLY:
        year = year or min(max(clock.today().year, plan.start.year), plan.end.year)
    else:
        year = None
    return Selection(plans, plan, indicators, indicator, year, error)


def _targets_page(request, selection: Selection, *, import_form=None, report=None, status=200):
    plan, indicator, year = selection.plan, selection.indicator, selection.year
    region = request.user.region
    context = {
        "region": region,
        "plans": selection.plans,
        "plan": plan,
        "indicators": selection.indicators,
        "indicator": indicator,
        "year": year,
        "years": reports.plan_years(plan) if plan else [],
        "import_form": import_form or TargetImportForm(),
        "report": report,
    }
    if indicator is not None:
        context |= {
            "rows": reports.allocation_rows(indicator, region, year),
            "own": reports.own_target(indicator, region, year),
            "gap": plan_services.allocation_gaps(indicator, region, year),
            "query": selection.query,
        }
    return render(request, "indicators/targets.html", context, status=status)


class TargetsView(RoleRequiredMixin, View):
    """A province (city) allocates a plan indicator to its cities (counties and 市本级)."""

    allowed_roles = ALLOCATORS

    def get(self, request):
        selection = _target_selection(request)
        return _targets_page(request, selection, status=query_status(request, selection.error))

    def post(self, request):
        selection = _target_selection(request, request.POST)
        indicator, year = selection.indicator, selection.year
        if indicator is None:
            raise Http404
        form = TargetForm(request.POST)
        if form.is_valid():
            region = Region.objects.filter(code=form.cleaned_data["region"]).first()
            if region is None:
                form.add_error(None, _("未知的区划代码。"))
            else:
                call_service(
                    form,
                    plan_services.target_set,
                    actor=request.user,
                    indicator=indicator,
                    region=region,
                    value=form.cleaned_data["value"],
                    stretch=form.cleaned_data["stretch"],
                    year=year,
                    city_own=form.cleaned_data["city_own"],
                )
        if form.errors:
            messages.error(request, _errors(form))
        else:
            messages.success(request, _("已保存目标。"))
        return redirect(f"{reverse('indicators:targets')}?{selection.query}")


class TargetImportView(RoleRequiredMixin, View):
    """Excel allocation: 区划代码, 目标, 力争目标 — all rows valid, or nothing saved."""

    allowed_roles = ALLOCATORS

    def get(self, request):
        """The template: this page's children with their current targets."""
        selection = _target_selection(request)
        plan, indicator, year = selection.plan, selection.indicator, selection.year
        if indicator is None:
            raise Http404
        rows = [
            [r["code"], r["name"], r["target"], r["stretch"]]
            for r in reports.allocation_rows(indicator, request.user.region, year)
        ]
        name = f"allocation-{request.user.region.code}-{plan.code}-{indicator.code}{f'-{year}' if year else ''}.xlsx"
        return _xlsx_response(export_xlsx(reports.ALLOCATION_COLUMNS, rows, title=_("目标分解")), name)

    def post(self, request):
        selection = _target_selection(request, request.POST)
        if selection.indicator is None:
            raise Http404
        form = TargetImportForm(request.POST, request.FILES)
        report = None
        if form.is_valid():
            report = call_service(
                form,
                reports.target_allocation_import,
                actor=request.user,
                indicator=selection.indicator,
                year=selection.year,
                uploaded_file=form.cleaned_data["file"],
            )
            if report is not None and report.ok:
                messages.success(
                    request, _("导入成功：新增 %(c)s 条，更新 %(u)s 条。") % {"c": report.created, "u": report.updated}
                )
                return redirect(f"{reverse('indicators:targets')}?{selection.query}")
        return _targets_page(request, selection, import_form=form, report=report, status=400)


# --- monthly reports --------------------------------------------------------------------------------------


class MonthlyReportListView(RoleRequiredMixin, View):
    allowed_roles = READERS

    def _form(self, request, data=None):
        plans = list(selectors.plans_for(request.user.region)) if request.user.region else []
        default = reports.plan_default(plans, clock.today())
        initial = {"plan": default.code if default else None, "month": clock.today().replace(day=1)}
        return ReportRequestForm(data, plans=plans, initial=initial)

    def _render(self, request, form, status=200):
        qs = reports.monthly_report_list(user=request.user)
        query, error = _query(request.GET)
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
            "may_generate": request.user.region_id is not None and request.user.role in REPORTERS,
        }
        return render(request, "indicators/reports.html", context, status=status)

    def get(self, request):
        return self._render(request, self._form(request))

    def post(self, request):
        if request.user.region_id is None or request.user.role not in REPORTERS:
            raise Http404
        form = self._form(request, request.POST)
        if form.is_valid():
            plan = get_object_or_404(selectors.plans_for(request.user.region), code=form.cleaned_data["plan"])
            call_service(
                form,
                reports.monthly_report_request,
                actor=request.user,
                region=request.user.region,
                plan=plan,
                month=form.cleaned_data["month"],
            )
        if form.errors:
            return self._render(request, form, status=400)
        messages.success(request, _("已提交生成月报，完成后出现在下表中（如未出现请稍后刷新）。"))
        return redirect("indicators:reports")


class MonthlyReportDownloadView(RoleRequiredMixin, View):
    allowed_roles = READERS

    def get(self, request, pk):
        report = get_object_or_404(reports.monthly_report_list(user=request.user), pk=pk)
        if not report.file or not report.file.storage.exists(report.file.name):
            raise Http404
        filename = f"月报-{report.region.name}-{report.plan.code}-{report.month:%Y-%m}.xlsx"
        return FileResponse(report.file.open("rb"), as_attachment=True, filename=filename)
