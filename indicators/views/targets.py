"""Targets (目标任务): a province (city) allocates a plan indicator to its cities (counties and 市本级), one child
at a time on the page, or all at once from an Excel file (its template lists the children with their targets)."""

from typing import NamedTuple

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View

from catalog.models import Region
from core import clock
from core.forms import call_service, query_status
from core.importing import export_xlsx
from core.policy import PermissionRequiredMixin

from ..forms import TargetForm, TargetImportForm
from ..models import Indicator, Plan
from ..selectors.plans import plan_years, plans_for, year_default
from ..selectors.targets import allocation_gaps, allocation_rows, own_target
from ..services.plans import target_set
from ..services.targets_import import ALLOCATION_COLUMNS, target_allocation_import
from .common import chosen_plan, chosen_year, form_errors, read_query, xlsx_response


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
    query, error = read_query(source if source is not None else request.GET)
    plans = plans_for(request.user.region)
    plan = chosen_plan(plans, query)
    if plan is None:
        return Selection(plans, None, [], None, None, error)
    indicators = list(plan.indicators.all())
    indicator = next((i for i in indicators if i.code == query.get("indicator")), indicators[0] if indicators else None)
    year = chosen_year(plan, query)
    if indicator is not None and indicator.kind == Indicator.Kind.YEARLY:
        year = year or year_default(plan, clock.today())
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
        "years": plan_years(plan) if plan else [],
        "import_form": import_form or TargetImportForm(),
        "report": report,
    }
    if indicator is not None:
        context |= {
            "rows": allocation_rows(indicator, region, year),
            "own": own_target(indicator, region, year),
            "gap": allocation_gaps(indicator, region, year),
            "query": selection.query,
        }
    return render(request, "indicators/targets.html", context, status=status)


class TargetsView(PermissionRequiredMixin, View):
    """A province (city) allocates a plan indicator to its cities (counties and 市本级)."""

    permission = "target.allocate"

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
                    target_set,
                    actor=request.user,
                    indicator=indicator,
                    region=region,
                    value=form.cleaned_data["value"],
                    stretch=form.cleaned_data["stretch"],
                    year=year,
                    city_own=form.cleaned_data["city_own"],
                )
        if form.errors:
            messages.error(request, form_errors(form))
        else:
            messages.success(request, _("已保存目标。"))
        return redirect(f"{reverse('indicators:targets')}?{selection.query}")


class TargetImportView(PermissionRequiredMixin, View):
    """Excel allocation: 区划代码, 目标, 力争目标 — all rows valid, or nothing saved."""

    permission = "target.allocate"

    def get(self, request):
        """The template: this page's children with their current targets."""
        selection = _target_selection(request)
        plan, indicator, year = selection.plan, selection.indicator, selection.year
        if indicator is None:
            raise Http404
        rows = [
            [r["code"], r["name"], r["target"], r["stretch"]]
            for r in allocation_rows(indicator, request.user.region, year)
        ]
        name = f"allocation-{request.user.region.code}-{plan.code}-{indicator.code}{f'-{year}' if year else ''}.xlsx"
        return xlsx_response(export_xlsx(ALLOCATION_COLUMNS, rows, title=_("目标分解")), name)

    def post(self, request):
        selection = _target_selection(request, request.POST)
        if selection.indicator is None:
            raise Http404
        form = TargetImportForm(request.POST, request.FILES)
        report = None
        if form.is_valid():
            report = call_service(
                form,
                target_allocation_import,
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
