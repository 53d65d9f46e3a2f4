"""What every indicators page shares: the query string (plan, indicator, year, export) read safely, the region
of the page, the plan it opens on, and the Excel response."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from catalog.models import Region
from core import clock
from core.forms import query_errors
from core.importing import XLSX_CONTENT_TYPE

from ..forms import PlanQueryForm
from ..models import Plan
from ..selectors.plans import plan_default, plan_years, region_visible


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def form_errors(form) -> str:
    return "；".join(e for errors in form.errors.values() for e in errors) or _("操作未完成。")


def percent(share) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


def region_or_404(request, code: str | None) -> Region | None:
    """The region of the page: the user's own when no code is given (None: national, for admins)."""
    if code is None:
        region = request.user.region
    else:
        region = Region.objects.select_related("parent").filter(code=code).first()
        if region is None:
            raise Http404
    if not region_visible(request.user, region):
        raise Http404
    return region


def read_query(source) -> tuple[dict, str]:
    """The valid ones of the plan, indicator, year and export parameters of `source` (request.GET or .POST), and
    the errors of the others ("" if none): a bad value is never looked up."""
    form = PlanQueryForm(source)
    form.is_valid()
    return form.cleaned_data, query_errors(form)


def chosen_plan(plans, query: dict) -> Plan | None:
    code = query.get("plan")
    if code:
        return get_object_or_404(plans, code=code)
    return plan_default(plans, clock.today())


def chosen_year(plan: Plan, query: dict) -> int | None:
    year = query.get("year")
    return year if year in plan_years(plan) else None
