"""The county map card of a province or city dashboard: every county under it (a city's own counties), ranked
as the dashboard ranks its children, with whether the user may open it and whether the boundary file draws it."""

import functools
import json
from datetime import date

from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.db.models import Sum

from accounts.models import User
from accounts.selectors import region_scope_q
from catalog.models import Region
from core import clock

from ..models import Indicator, Plan, Progress, Target
from .dashboard import children_rows
from .plans import region_visible, year_default
from .progress import Context, Cube, period

COUNTY_MAP_FILE = "geo/{province}0000_counties.json"  # static/geo/, written by `manage.py build_county_map`


@functools.cache
def _county_map_codes(path: str) -> frozenset[str] | None:
    """The adcodes of a boundary file in static/ (None: no such file)."""
    found = finders.find(path)
    if not found:
        return None
    with open(found, encoding="utf-8") as f:
        return frozenset(feature["properties"]["adcode"] for feature in json.load(f)["features"])


def county_map_file(region: Region | None) -> str | None:
    """The static path of the county boundaries a province or city dashboard draws, if its province has one."""
    if region is None or region.level == Region.Level.COUNTY:
        return None
    path = COUNTY_MAP_FILE.format(province=region.code[:2])
    return path if _county_map_codes(path) is not None else None


class CountyCube(Cube):
    """The counties of some cities, each one cell for one definition over one period (dated its first month).
    One grouped query on the (parent, definition, month) index."""

    def __init__(self, cities: list[str], definition: str, start: date, end: date):
        first = start.replace(day=1)
        qs = Progress.objects.filter(
            parent__in=cities, definition=definition, month__range=(first, end), institution=""
        )
        # Summed in the database: the map reads each county's total over the period, not its months.
        self._fill((definition, unit, first, n) for unit, n in qs.values_list("unit").annotate(n=Sum("value")))


class CountyContext(Context):
    """A Context whose children are every county under the region (a province's counties are its grandchildren),
    so that children_rows ranks them the way the dashboard ranks its own children; it reads one indicator's
    cells for one year's period."""

    def __init__(self, plan: Plan, region: Region, today: date, indicator: Indicator, year: int):
        self.plan, self.region, self.today = plan, region, today
        self.children = list(
            Region.objects.filter(level=Region.Level.COUNTY, code__startswith=region.code).select_related("parent")
        )
        cities = sorted({c.code[:4] for c in self.children})
        self.cube = CountyCube(cities, indicator.definition, *period(indicator, year))
        targets = Target.objects.filter(
            indicator=indicator, region__level=Region.Level.COUNTY, region__code__startswith=region.code
        )
        self.targets = {(t.indicator_id, t.region_id, t.year, t.city_own): t for t in targets}
        self.reported, self._pipeline = [], None


def county_map(
    *, user: User, plan: Plan, region: Region | None, year: int | None = None, indicator: Indicator | None = None
) -> dict | None:
    """Progress of every county under a province or city (its city's counties only) for the map card: the
    plan's main indicator (or `indicator`), ranked by share of target. None where there is no map (a county, the
    national page, a province without a boundary file, a plan without a computed indicator)."""
    if not region_visible(user, region):
        raise PermissionDenied
    geo = county_map_file(region)
    if geo is None:
        return None
    today = clock.today()
    year = year or year_default(plan, today)
    if indicator is None:
        indicator = plan.indicators.exclude(definition="").order_by("sort_order", "pk").first()
    if indicator is None or not indicator.definition:
        return None
    ctx = CountyContext(plan, region, today, indicator, year)
    rows = [r for r in children_rows(ctx, indicator, year) if not r.get("own_level")]
    visible = set(
        Region.objects.filter(region_scope_q(user), code__in=[r["code"] for r in rows]).values_list("code", flat=True)
    )
    on_map = _county_map_codes(geo)
    return {
        "geo": geo,
        "indicator": indicator,
        "year": year,
        "rows": [
            {
                **r,
                "city": r["region"].parent.name if r["region"].parent else "",
                "visible": r["code"] in visible,
                "on_map": r["code"] in on_map,
            }
            for r in rows
        ],
    }
