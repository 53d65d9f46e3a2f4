"""Indicators at risk (the 工作台's card): the indicator × region cells in the user's scope whose share of target
lags the share of the period gone by the most. Read from the roll-up (one query) and the reported values (one
query), never from the facts."""

from collections import defaultdict
from datetime import date

from django.db.models import F, Q
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import region_scope_q
from core import clock
from core.policy import can

from ..models import Indicator, Progress, ReportedValue, Target
from ..presenters import dashboard_url
from .progress import elapsed_share, period, reported_done

MARGIN = 0.10  # a cell is at risk when its share of target is below the share of time elapsed less 10 points


def _current_targets(user: User, today: date) -> list[Target]:
    """The targets in the user's scope whose period (the plan's, or the year's for a yearly target) contains
    today."""
    qs = (
        Target.objects.filter(region_scope_q(user, "region"))
        .filter(indicator__plan__start__lte=today, indicator__plan__end__gte=today, value__gt=0)
        .filter(Q(year__isnull=True) | Q(year=today.year))
        .select_related("indicator__plan", "region")
    )
    # A reference indicator (national, in a provincial deployment) has no completion to be at risk of.
    qs = qs.exclude(indicator__source=Indicator.Source.REFERENCE)
    return [t for t in qs if t.indicator.source == Indicator.Source.REPORTED or t.indicator.definition]


def _computed_done(targets: list[Target], start: date) -> dict:
    """{(definition, unit code, month): n} of the units' own roll-up cells — a city's 市本级 target reads the
    city's own unit, <city>00 — and {(definition, "", month): n} of the provinces (the nation's sum)."""
    definitions = {t.indicator.definition for t in targets if t.indicator.definition}
    units = {_unit(t) for t in targets if t.region is not None}
    parents = {""} if any(t.region is None for t in targets) else set()
    if not definitions:
        return {"own": {}, "below": {}}
    qs = Progress.objects.filter(definition__in=definitions, institution="", month__gte=start.replace(day=1))
    qs = qs.filter(Q(unit__in=units) | Q(parent__in=parents))
    own, below = defaultdict(int), defaultdict(int)
    for d, unit, parent, month, value in qs.values_list("definition", "unit", "parent", "month", "value"):
        if unit in units:
            own[(d, unit, month)] += value
        if parent in parents:
            below[(d, parent, month)] += value
    return {"own": own, "below": below}


def _unit(target: Target) -> str:
    """The roll-up unit a target is measured on: its region, or for 市本级 the city's own unit (231200)."""
    return target.region.gb_code if target.city_own else target.region.code


def _sum(cells: dict, definition: str, code: str, start: date, end: date) -> int:
    first = start.replace(day=1)
    return sum(n for (d, c, month), n in cells.items() if d == definition and c == code and first <= month <= end)


def _done(target: Target, cells: dict, reported: list[dict], start: date, end: date) -> int:
    indicator, region = target.indicator, target.region
    code = region.code if region else None
    if indicator.source == Indicator.Source.REPORTED:
        rows = [r for r in reported if code is None or r["region_code"].startswith(code)]
        if target.city_own:  # the city's own reports only
            rows = [r for r in rows if r["region_code"] == code]
        return reported_done(rows, indicator, code, start, end)
    if region is None:
        return _sum(cells["below"], indicator.definition, "", start, end)
    return _sum(cells["own"], indicator.definition, _unit(target), start, end)


def indicators_at_risk(user: User, limit: int = 10, *, margin: float = MARGIN) -> list[dict]:
    """The cells (a target of a plan in force for a region in the user's scope) whose share of target is more
    than `margin` below the share of the period elapsed, the furthest behind first. Each: the indicator, its
    plan, the region (None: national) and its name (市本级 for a city's own target), the year (yearly targets),
    target, actual, rate and expected rate (0–1), lag (expected − rate) and the URL of the dashboard on it."""
    if not can(user, "dashboard.view"):
        return []
    today = clock.today()
    targets = _current_targets(user, today)
    if not targets:
        return []
    start = min(t.indicator.plan.start for t in targets)
    cells = _computed_done(targets, start)
    reported_ids = [t.indicator_id for t in targets if t.indicator.source == Indicator.Source.REPORTED]
    reported = list(
        ReportedValue.objects.filter(indicator_id__in=reported_ids, period__gte=start.replace(day=1))
        .filter(region_scope_q(user, "region"))
        .values("indicator_id", "period", "value", region_code=F("region__code"))
    )
    cells_at_risk = []
    for target in targets:
        indicator, region = target.indicator, target.region
        first, last = period(indicator, target.year)
        expected = elapsed_share(first, last, today)
        actual = _done(target, cells, reported, first, last)
        rate = actual / target.value
        if rate >= expected - margin:
            continue
        name = region.name if region else _("全国")
        url = dashboard_url(region, indicator.plan, target.year or None)
        cells_at_risk.append(
            {
                "indicator": indicator,
                "indicator_name": indicator.name,
                "plan": indicator.plan,
                "region": region,
                "region_name": f"{name}{_('（市本级）')}" if target.city_own else name,
                "year": target.year,
                "target": target.value,
                "actual": actual,
                "rate": round(rate, 4),
                "expected": round(expected, 4),
                "lag": round(expected - rate, 4),
                "url": f"{url}&indicator={indicator.code}",
            }
        )
    cells_at_risk.sort(key=lambda c: (-c["lag"], c["region"].code if c["region"] else "", c["indicator"].sort_order))
    return cells_at_risk[:limit]
