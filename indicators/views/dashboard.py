"""Dashboard pages: one page per level (province › city › county), scoped — a region outside the user's scope
is 404. The charts are drawn by static/js/dashboard.js from the page's json_script data; every chart's numbers
are also a table and an Excel export (?export=<chart>). Reported values are entered on the user's own page."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View

from catalog.models import Region
from core import clock
from core.forms import call_service, query_status
from core.importing import export_xlsx
from core.policy import PermissionRequiredMixin, can

from ..forms import RANKING_SORTS, ReportedValueForm
from ..models import Indicator, Plan, ProgressStatus, ReportedValue
from ..presenters import chart_table, county_map_table, dashboard_json, dashboard_url, department_table
from ..selectors.county_map import county_map
from ..selectors.dashboard import dashboard
from ..selectors.departments import department_progress
from ..selectors.plans import (
    plan_for_region,
    plan_years,
    plans_for,
    plans_with_targets,
    region_visible,
    year_for_region,
)
from ..services.plans import reported_value_set
from .common import chosen_year, form_errors, percent, read_query, region_or_404, xlsx_response

STATUS_CSS = {
    ProgressStatus.ON_TRACK: "text-bg-success",
    ProgressStatus.BEHIND: "text-bg-warning",
    ProgressStatus.AT_RISK: "text-bg-danger",
}


def _breadcrumbs(user, region: Region | None) -> list[Region | None]:
    """The regions above this one that the user may open, top first (None: national)."""
    chain, node = [], region.parent if region else None
    while node is not None:
        chain.append(node)
        node = node.parent
    if region is not None:
        chain.append(None)
    return [r for r in reversed(chain) if region_visible(user, r)]


def _county_map(user, plan: Plan, region: Region | None, data: dict) -> dict | None:
    """The map card of a province or city dashboard (None: no card): the selector's rows for the table and the
    export, and as JSON for the chart, each with the link to its county's dashboard where the user may open it."""
    if data["main"] is None:
        return None
    result = county_map(user=user, plan=plan, region=region, year=data["year"], indicator=data["main"])
    if result is None:
        return None
    rows = [
        {
            **r,
            "url": dashboard_url(r["region"], plan, result["year"]) if r["visible"] else None,
            "share_pct": percent(r["share"]),
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


def _may_report(user, region: Region | None, payload: dict) -> bool:
    """The 填报 form shows on the user's own region's page, where the plan has a reported indicator."""
    return (
        region is not None
        and region.pk == user.region_id
        and can(user, "indicator.report_value", region)
        and any(r["source"] == Indicator.Source.REPORTED for r in payload["rows"])
    )


class DashboardView(PermissionRequiredMixin, View):
    """/dashboard/ (the user's own region) and /dashboard/<code>/ (a region in scope)."""

    permission = "dashboard.view"

    def get(self, request, code=None):
        region = region_or_404(request, code)
        query, error = read_query(request.GET)
        status = query_status(request, error)
        plans = plans_for(region)
        today = clock.today()
        plan = (
            get_object_or_404(plans, code=query["plan"]) if query.get("plan") else plan_for_region(plans, region, today)
        )
        if plan is None:
            return render(request, "indicators/dashboard.html", {"region": region, "plan": None}, status=status)
        year = chosen_year(plan, query) or year_for_region(plan, region, today)
        sort = query.get("sort") or "share"
        data = dashboard(
            user=request.user, plan=plan, region=region, year=year, sort=sort, indicator=query.get("indicator")
        )
        payload = dashboard_json(data)
        card = _county_map(request.user, plan, region, data)
        payload["county_map"] = card and card["json"]
        export = query.get("export") if not error else ""
        if export == "county_map":
            if card is None:
                raise Http404
            headers, rows, title = county_map_table(card)
            name = f"county_map-{region.code}-{plan.code}-{data['year']}.xlsx"
            return xlsx_response(export_xlsx(headers, rows, title=title), name)
        if export:
            table = chart_table(payload, export)
            if table is None:
                raise Http404
            headers, rows, title = table
            name = f"{export}-{region.code if region else 'national'}-{plan.code}-{data['year']}.xlsx"
            return xlsx_response(export_xlsx(headers, rows, title=title), name)
        may_report = _may_report(request.user, region, payload)
        with_targets = plans_with_targets(plans, region)
        chosen_indicator = bool(query.get("indicator") and data["main"] and data["main"].code == query["indicator"])
        context = {
            "region": region,
            "plan": plan,
            "plans": [{"plan": p, "has_targets": p.pk in with_targets} for p in plans],
            "has_targets": plan.pk in with_targets,
            "years": plan_years(plan),
            "year": data["year"],
            "data": payload,
            "rows": [
                {
                    **row,
                    "css": STATUS_CSS.get(row["status"], "text-bg-secondary"),
                    "share_pct": percent(row["share"]),
                    "elapsed_pct": percent(row["elapsed"]),
                    "reported": row["source"] == Indicator.Source.REPORTED,
                }
                for row in payload["rows"]
            ],
            "children": [{**c, "share_pct": percent(c["share"])} for c in payload["children"]],
            "breadcrumbs": _breadcrumbs(request.user, region),
            "query": urlencode(
                {"plan": plan.code, "year": data["year"], "sort": data["sort"]}
                | ({"indicator": data["main"].code} if chosen_indicator else {})
            ),
            "indicator": data["main"].code if chosen_indicator else "",
            "sort": data["sort"],
            "sorts": RANKING_SORTS,
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
            "county_map": card,
            # The department quotas are the plan's own region's (绥化 附件1: the city's departments).
            "departments": department_table(department_progress(plan)) if region and region == plan.region else [],
        }
        return render(request, "indicators/dashboard.html", context, status=status)


class ReportedValueView(PermissionRequiredMixin, View):
    """填报 of a reported indicator for the page's region."""

    permission = "indicator.report_value"

    def post(self, request, code):
        region = region_or_404(request, code)
        query, _error = read_query(request.POST)
        plan = get_object_or_404(plans_for(region), code=query.get("plan") or "")
        form = ReportedValueForm(request.POST, plan=plan)
        if form.is_valid():
            call_service(form, reported_value_set, actor=request.user, region=region, **form.cleaned_data)
        if form.errors:
            messages.error(request, form_errors(form))
        else:
            messages.success(request, _("已填报。"))
        return redirect(dashboard_url(region, plan, chosen_year(plan, query)))
