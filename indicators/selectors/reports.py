"""The monthly report (月报) as tables: one per indicator, a row per child unit (and 市本级 for a city) and the
total, from the same roll-up the dashboard reads; which reports are due; the archived reports in a user's scope."""

import calendar
from datetime import date

from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import region_scope_q
from catalog.models import Region

from ..models import Indicator, MonthlyReport, Plan, ReportedValue, Target
from .progress import Context, elapsed_share, period


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def last_month(today: date) -> date:
    first = today.replace(day=1)
    return first.replace(year=first.year - 1, month=12) if first.month == 1 else first.replace(month=first.month - 1)


def _reported_by_unit(indicator: Indicator, region: Region, start: date, end: date) -> dict[str, int]:
    """{region code: sum} of a reported indicator's values inside `region` for the months start..end."""
    if end < start:
        return {}
    rows = (
        ReportedValue.objects.filter(
            indicator=indicator, region__code__startswith=region.code, period__range=(start.replace(day=1), end)
        )
        .values("region__code")
        .annotate(n=Sum("value"))
        .values_list("region__code", "n")
    )
    return dict(rows)


def _unit_counts(ctx: Context, indicator: Indicator, start: date, end: date) -> tuple[dict[str, int], int]:
    """({child code: count}, the region's total) for the months start..end; the city's own records (市本级) are
    under the city's own unit, <city>00: its cell of the roll-up, or the reports made by the city itself."""
    region = ctx.region
    if end < start:
        return {}, 0
    if indicator.source == Indicator.Source.REPORTED:
        values = _reported_by_unit(indicator, region, start, end)
        by_child = {c.code: sum(n for code, n in values.items() if code.startswith(c.code)) for c in ctx.children}
        return {**by_child, region.gb_code: values.get(region.code, 0)}, sum(values.values())
    if not indicator.definition:
        return {}, 0
    if region.level == Region.Level.COUNTY:
        return {}, ctx.cube.total(indicator.definition, start, end)
    return dict(ctx.cube.by_child(indicator.definition, start, end)), ctx.cube.total(indicator.definition, start, end)


def monthly_report_sheets(*, region: Region, plan: Plan, month: date) -> list[dict]:
    """One table per indicator: a row per child unit (and 市本级 for a city) and the total. Every number comes
    from the roll-up the dashboard reads (computed indicators) or the reported values, up to the end of `month`.
    A row: [unit, target, done this month, done to date, share of target, share of the period]."""
    month = month.replace(day=1)
    last_day = month_end(month)
    ctx = Context(plan, region, last_day)
    children = ctx.children if region.level != Region.Level.COUNTY else []
    sheets = []
    for indicator in ctx.indicators:
        start, end = period(indicator, month.year)
        year = month.year if indicator.kind == Indicator.Kind.YEARLY else None
        cumulative, cumulative_total = _unit_counts(ctx, indicator, start, min(end, last_day))
        this_month, month_total = _unit_counts(ctx, indicator, max(start, month), min(end, last_day))
        elapsed = elapsed_share(start, end, last_day)
        units = []
        for child in children:
            target = ctx.target(indicator, child, year)
            units.append(
                (
                    child.name,
                    target.value if target else None,
                    cumulative.get(child.code, 0),
                    this_month.get(child.code, 0),
                )
            )
        own = ctx.target(indicator, region, year, city_own=True) if region.level == Region.Level.CITY else None
        if own is not None:  # the city's own unit of the roll-up (231200), beside its counties
            units.append((_("市本级"), own.value, cumulative.get(region.gb_code, 0), this_month.get(region.gb_code, 0)))
        rows = [
            [name, target, month_done, done, done / target if target else None, elapsed]
            for name, target, done, month_done in units
        ]
        region_target = ctx.target(indicator, region, year)
        child_targets = [r[1] for r in rows if r[1] is not None]
        total_target = region_target.value if region_target else (sum(child_targets) if child_targets else None)
        total = [
            _("合计"),
            total_target,
            month_total,
            cumulative_total,
            cumulative_total / total_target if total_target else None,
            elapsed,
        ]
        sheets.append({"indicator": indicator, "rows": rows, "total": total})
    return sheets


def monthly_reports_due(month: date) -> list[tuple[int, int]]:
    """(region id, plan id) of every province and city with a target in a plan running in `month`."""
    month = month.replace(day=1)
    pairs = (
        Target.objects.filter(
            region__level__in=[Region.Level.PROVINCE, Region.Level.CITY],
            indicator__plan__start__lte=month_end(month),
            indicator__plan__end__gte=month,
        )
        .values_list("region_id", "indicator__plan_id")
        .distinct()
        .order_by("region_id", "indicator__plan_id")
    )
    return list(pairs)


def monthly_report_list(*, user: User):
    """The archived reports of the regions in the user's scope (admins: all)."""
    return MonthlyReport.objects.filter(region_scope_q(user, "region")).select_related("region", "plan")
