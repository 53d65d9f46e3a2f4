"""Dashboard data: progress against targets for one region and plan, read from the roll-up tables only.

One grouped query reads the roll-up for the region (by child unit and month); every figure on the page
(totals, ranking, trend, forecast) is summed from it in memory.
"""

import functools
import json
from collections import defaultdict
from datetime import date

from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, Sum

from accounts.models import User
from accounts.selectors import region_scope_q
from catalog.models import Region
from core import clock
from institutions.models import Institution
from training.models import ClassStatus, TrainingClass

from .models import Breakdown, Indicator, Plan, Progress, ReportedValue, Target

ON_TRACK, BEHIND, AT_RISK = "on_track", "behind", "at_risk"
STATUS_LABELS = {ON_TRACK: "进度正常", BEHIND: "进度滞后", AT_RISK: "有完不成风险"}
FORECAST_MONTHS = 6
FORECAST_METHOD = (
    "预计完成 = 截至目前完成数 + 近 6 个整月的月均完成数 × 剩余月数 + 已批准或在培、尚未统计的培训班花名册人数"
)


def region_visible(user: User, region: Region | None) -> bool:
    if region is None:
        return user.is_system_admin
    return Region.objects.filter(region_scope_q(user), pk=region.pk).exists()


def plans_for(region: Region | None):
    """Plans that apply to a region: its own, those of the regions above it, and national plans."""
    codes = [region.code[:n] for n in (2, 4, 6) if region and n <= len(region.code)]
    return Plan.objects.filter(Q(region__code__in=codes) | Q(region__isnull=True)).order_by("-end", "code")


def period(indicator: Indicator, year: int | None) -> tuple[date, date]:
    plan = indicator.plan
    if indicator.kind == Indicator.Kind.YEARLY and year:
        return date(year, 1, 1), date(year, 12, 31)
    return plan.start, plan.end


def elapsed_share(start: date, end: date, today: date) -> float:
    if today <= start:
        return 0.0
    if today >= end:
        return 1.0
    return (today - start).days / ((end - start).days or 1)


def status_of(done: int, target: int, elapsed: float) -> str:
    if not target:
        return ON_TRACK
    share = done / target
    if share >= elapsed:
        return ON_TRACK
    return BEHIND if share >= 0.8 * elapsed else AT_RISK


def _months_before(month: date, n: int) -> date:
    year, m = divmod(month.year * 12 + month.month - 1 - n, 12)
    return date(year, m + 1, 1)


class Cube:
    """The roll-up for one region: {(definition, child, month): n}; child = a child region's code, or inside
    a county an institution id; the key "" holds the region's own total."""

    def __init__(self, region: Region | None, definitions: list[str], start: date, end: date):
        qs = Progress.objects.filter(definition__in=definitions, month__range=(start.replace(day=1), end))
        code = region.code if region else ""
        if region is not None and region.level == "county":
            qs = qs.filter(unit=code)
            rows = qs.values_list("definition", "institution", "month", "value")
        else:
            qs = qs.filter(Q(parent=code, institution="") | Q(unit=code, institution=""))
            rows = [
                (d, "" if unit == code else unit, m, v)
                for d, unit, m, v in qs.values_list("definition", "unit", "month", "value")
            ]
        self._fill(
            (d, int(child) if child.isdigit() and region is not None and region.level == "county" else child, m, v)
            for d, child, m, v in rows
        )

    def _fill(self, rows) -> None:
        """Cells per definition: every figure on a dashboard reads one definition's cells, dozens of times."""
        cells = defaultdict(int)
        for d, child, m, v in rows:
            cells[(d, child, m)] += v
        self.cells = defaultdict(list)
        for (d, child, m), v in cells.items():
            self.cells[d].append((child, m, v))

    def _select(self, definition, start, end, child=None):
        first = start.replace(day=1)
        return [
            (c, month, n)
            for c, month, n in self.cells.get(definition, ())
            if first <= month <= end and (child is None or c == child)
        ]

    def total(self, definition, start, end) -> int:
        own = self._select(definition, start, end, child="")
        if own:
            return sum(n for _, _, n in own)
        return sum(n for c, _, n in self._select(definition, start, end) if c != "")  # national: the provinces

    def by_child(self, definition, start, end) -> dict:
        result = defaultdict(int)
        for child, _, n in self._select(definition, start, end):
            if child != "":
                result[child] += n
        return result

    def by_month(self, definition, start, end) -> list[tuple[date, int]]:
        result = defaultdict(int)
        rows = self._select(definition, start, end, child="") or [
            r for r in self._select(definition, start, end) if r[0] != ""
        ]
        for _, month, n in rows:
            result[month] += n
        return sorted(result.items())


class Context:
    """What one dashboard request reads, loaded once."""

    def __init__(self, plan: Plan, region: Region | None, today: date):
        self.plan, self.region, self.today = plan, region, today
        self.indicators = list(plan.indicators.select_related("parent", "plan"))
        definitions = sorted({i.definition for i in self.indicators if i.definition})
        start = min(plan.start, _months_before(today.replace(day=1), FORECAST_MONTHS))
        self.cube = Cube(region, definitions, start, max(plan.end, today))
        children = Region.objects.filter(parent=region) if region else Region.objects.filter(level="province")
        self.children = list(children) if not (region and region.level == "county") else []
        targets = (
            Target.objects.filter(indicator__plan=plan).filter(Q(region=region) | Q(region__in=self.children))
            if region
            else Target.objects.filter(indicator__plan=plan).filter(
                Q(region__isnull=True) | Q(region__level="province")
            )
        )
        self.targets = {(t.indicator_id, t.region_id, t.year, t.city_own): t for t in targets}
        reported = ReportedValue.objects.filter(indicator__plan=plan)
        reported = reported.filter(region__code__startswith=region.code) if region else reported
        self.reported = list(reported.values("indicator_id", "period", "value", region_code=F("region__code")))
        self._pipeline = None

    def target(self, indicator: Indicator, region: Region | None, year, city_own=False) -> Target | None:
        y = year if indicator.kind == Indicator.Kind.YEARLY else None
        return self.targets.get((indicator.pk, region.pk if region else None, y, city_own))

    def done(self, indicator: Indicator, start, end) -> int:
        if indicator.source == Indicator.Source.REPORTED:
            return self.reported_done(indicator, start, end)
        return self.cube.total(indicator.definition, start, end) if indicator.definition else 0

    def reported_done(self, indicator: Indicator, start, end) -> int:
        """The region's own reports if it made any, else its subordinate units' (never both: no double count).
        A stock indicator takes its latest report, the others the sum over the period."""
        rows = [
            r for r in self.reported if r["indicator_id"] == indicator.pk and start.replace(day=1) <= r["period"] <= end
        ]
        own_code = self.region.code if self.region else None
        own = [r for r in rows if r["region_code"] == own_code]
        rows = own or rows
        if indicator.kind == Indicator.Kind.STOCK:  # each reporting unit's latest value, summed
            latest = {}
            for r in sorted(rows, key=lambda r: r["period"]):
                latest[r["region_code"]] = r["value"]
            return sum(latest.values())
        return sum(r["value"] for r in rows)

    def pipeline(self) -> int:
        """People on the rosters of classes approved or in training (not yet counted)."""
        if self._pipeline is None:
            qs = TrainingClass.objects.filter(status__in=[ClassStatus.APPROVED, ClassStatus.IN_TRAINING])
            if self.region is not None:
                qs = qs.filter(county__code__startswith=self.region.code)
            self._pipeline = qs.aggregate(n=Count("enrollments"))["n"] or 0
        return self._pipeline


def forecast(ctx: Context, indicator: Indicator, start: date, end: date) -> dict:
    """See FORECAST_METHOD."""
    done = ctx.done(indicator, start, end)
    this_month = ctx.today.replace(day=1)
    recent = sum(
        n
        for month, n in ctx.cube.by_month(indicator.definition, _months_before(this_month, 6), this_month)
        if month < this_month
    )
    from_month = max(ctx.today, start)  # a future period's months all lie ahead
    months_left = max(0, (end.year - from_month.year) * 12 + end.month - from_month.month + (from_month > ctx.today))
    pipeline = ctx.pipeline() if indicator.definition in ("subsidized_training", "all_training") and months_left else 0
    projected = round(done + recent / FORECAST_MONTHS * months_left + pipeline)
    return {
        "projected": projected,
        "monthly_rate": round(recent / FORECAST_MONTHS, 1),
        "months_left": months_left,
        "pipeline": pipeline,
    }


def indicator_rows(ctx: Context, year: int | None) -> list[dict]:
    rows = []
    for indicator in ctx.indicators:
        start, end = period(indicator, year)
        target = ctx.target(indicator, ctx.region, year)
        done = ctx.done(indicator, start, end)
        elapsed = elapsed_share(start, end, ctx.today)
        value = target.value if target else 0
        state = status_of(done, value, elapsed)
        prediction = forecast(ctx, indicator, start, end) if indicator.definition else None
        rows.append(
            {
                "indicator": indicator,
                "code": indicator.code,
                "name": indicator.name,
                "unit": indicator.unit,
                "source": indicator.source,
                "parent": indicator.parent.name if indicator.parent else "",
                "target": value,
                "stretch": target.stretch if target else None,
                "done": done,
                "share": round(done / value, 4) if value else None,
                "elapsed": round(elapsed, 4),
                "status": state if target else "",
                "status_label": STATUS_LABELS[state] if target else "无本级目标",
                "forecast": prediction,
                "forecast_misses": bool(target and prediction and prediction["projected"] < value),
            }
        )
    return rows


def children_rows(ctx: Context, indicator: Indicator, year: int | None) -> list[dict]:
    """One row per child region (and 市本级 for a city), ranked by share of target."""
    start, end = period(indicator, year)
    done_by = ctx.cube.by_child(indicator.definition, start, end)
    rows = []
    for child in ctx.children:
        target = ctx.target(indicator, child, year)
        done = done_by.get(child.code, 0)
        rows.append(
            {
                "region": child,
                "code": child.code,
                "name": child.name,
                "done": done,
                "target": target.value if target else None,
                "share": round(done / target.value, 4) if target and target.value else None,
            }
        )
    region = ctx.region
    if region is not None and region.level == "city":
        own = ctx.target(indicator, region, year, city_own=True)
        if own:
            done = ctx.cube.total(indicator.definition, start, end) - sum(done_by.values())  # placed at the city
            rows.append(
                {
                    "region": region,
                    "code": region.code,
                    "name": "市本级",
                    "done": done,
                    "target": own.value,
                    "share": round(done / own.value, 4) if own.value else None,
                    "city_own": True,
                }
            )
    return sorted(rows, key=lambda r: (r["share"] is None, -(r["share"] or 0), -r["done"]))


def institutions_rows(ctx: Context, indicator: Indicator, year: int | None) -> list[dict]:
    start, end = period(indicator, year)
    done_by = ctx.cube.by_child(indicator.definition, start, end)
    names = dict(Institution.objects.filter(pk__in=list(done_by)).values_list("pk", "name"))
    rows = [
        {"institution_id": pk, "name": names.get(pk, "（无机构/历史数据）"), "done": n} for pk, n in done_by.items()
    ]
    return sorted(rows, key=lambda r: -r["done"])


def trend(ctx: Context, indicator: Indicator, year: int | None) -> list[dict]:
    start, end = period(indicator, year)
    total, series = 0, []
    for month, n in ctx.cube.by_month(indicator.definition, start, end):
        total += n
        series.append({"month": month.strftime("%Y-%m"), "done": n, "cumulative": total})
    return series


def breakdowns(indicator: Indicator, region: Region | None, year: int | None) -> dict[str, list[dict]]:
    start, end = period(indicator, year)
    qs = Breakdown.objects.filter(definition=indicator.definition, year__range=(start.year, end.year))
    qs = qs.filter(unit=region.code) if region is not None else qs.filter(unit__regex=r"^[0-9]{2}$")
    rows = qs.values("dimension", "key").annotate(n=Sum("value")).order_by("dimension", "-n")
    result = defaultdict(list)
    for row in rows:
        result[row["dimension"]].append({"key": row["key"], "value": row["n"]})
    return {k: v[:15] for k, v in result.items()}


def dashboard(*, user: User, plan: Plan, region: Region | None, year: int | None = None) -> dict:
    if not region_visible(user, region):
        raise PermissionDenied
    today = clock.today()
    year = year or min(max(today.year, plan.start.year), plan.end.year)
    ctx = Context(plan, region, today)
    rows = indicator_rows(ctx, year)
    main = next((r["indicator"] for r in rows if r["indicator"].definition), None)
    data = {
        "plan": plan,
        "region": region,
        "year": year,
        "rows": rows,
        "main": main,
        "today": today,
        "forecast_method": FORECAST_METHOD,
        "children": [],
        "institutions": [],
        "trend": [],
        "breakdowns": {},
    }
    if main is not None:
        if region is not None and region.level == "county":
            data["institutions"] = institutions_rows(ctx, main, year)
        else:
            data["children"] = children_rows(ctx, main, year)
        data["trend"] = trend(ctx, main, year)
        data["breakdowns"] = breakdowns(main, region, year)
    data["overdue_tasks"] = list(plan.tasks.filter(done=False, deadline__lt=today)[:50])
    return data


# --- county map ---------------------------------------------------------------------------------------------

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
    year = year or min(max(today.year, plan.start.year), plan.end.year)
    if indicator is None:
        indicator = plan.indicators.exclude(definition="").order_by("sort_order", "pk").first()
    if indicator is None or not indicator.definition:
        return None
    ctx = CountyContext(plan, region, today, indicator, year)
    rows = [r for r in children_rows(ctx, indicator, year) if not r.get("city_own")]
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


COUNTY_MAP_COLUMNS = ["区划代码", "县（市、区）", "所属地市", "目标", "完成", "完成率(%)", "地图"]


def county_map_table(data: dict) -> tuple[list[str], list[list], str]:
    """(headers, rows, sheet title) of the map's numbers for the Excel export."""
    rows = [
        [
            r["code"],
            r["name"],
            r["city"],
            r["target"],
            r["done"],
            None if r["share"] is None else round(r["share"] * 100, 2),
            "" if r["on_map"] else "无边界数据",
        ]
        for r in data["rows"]
    ]
    return COUNTY_MAP_COLUMNS, rows, "各县完成情况"
