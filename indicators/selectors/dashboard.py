"""A dashboard's data: progress of every indicator of a plan for one region, the ranking of its children (its
institutions, for a county), the monthly trend, the breakdowns and the overdue key tasks — all summed in memory from
one read of the roll-up (progress.Context)."""

from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import Region
from core import clock
from institutions.models import Institution

from ..models import Breakdown, Indicator, Plan
from .plans import overdue_tasks, region_visible, year_default
from .progress import Context, elapsed_share, forecast, period, status_of

FORECAST_METHOD = (
    "预计完成 = 截至目前完成数 + 近 6 个整月的月均完成数 × 剩余月数 + 已批准或在培、尚未统计的培训班花名册人数"
)


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
                "status": state.value if target else "",
                "status_label": str(state.label) if target else _("无本级目标"),
                "forecast": prediction,
                "forecast_misses": bool(target and prediction and prediction["projected"] < value),
            }
        )
    return rows


SORTS = ("share", "done", "region")


def ranking_sort(rows: list[dict], sort: str) -> list[dict]:
    """The ranking in `sort` order: "share" the share of target, highest first (units without a target last, by
    count); "done" the count, highest first; "region" the region code (GB/T 2260 order, 市本级 last). Ties: by
    code."""
    if sort == "done":
        return sorted(rows, key=lambda r: (-r["done"], r["code"]))
    if sort == "region":
        return sorted(rows, key=lambda r: (r.get("own_level", False), r["code"]))
    return sorted(rows, key=lambda r: (r["share"] is None, -(r["share"] or 0), -r["done"], r["code"]))


def children_rows(ctx: Context, indicator: Indicator, year: int | None, sort: str = "share") -> list[dict]:
    """One row per child region, and the region's own level (市本级 of a city, 省本级 of a province) where it has
    a target or a count, in `sort` order (ranking_sort)."""
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
    own = own_level_row(ctx, indicator, year, done_by)
    return ranking_sort(rows + ([own] if own else []), sort)


def own_level_row(ctx: Context, indicator: Indicator, year: int | None, done_by: dict) -> dict | None:
    """The region's own level as a ranking row: what was counted at the city (or province) itself, in its own
    unit <code>00 (<code>0000) of the roll-up, against the city's 市本级 target. None for a county, or where
    there is neither a target nor a count."""
    region = ctx.region
    names = {Region.Level.CITY: _("市本级"), Region.Level.PROVINCE: _("省本级")}
    if region is None or region.level not in names:
        return None
    target = ctx.target(indicator, region, year, city_own=True) if region.level == Region.Level.CITY else None
    done = done_by.get(region.gb_code, 0)
    if target is None and not done:
        return None
    return {
        "region": region,
        "code": region.code,
        "name": names[region.level],
        "done": done,
        "target": target.value if target else None,
        "share": round(done / target.value, 4) if target and target.value else None,
        "city_own": region.level == Region.Level.CITY,
        "own_level": True,
    }


def institutions_rows(ctx: Context, indicator: Indicator, year: int | None) -> list[dict]:
    start, end = period(indicator, year)
    done_by = ctx.cube.by_child(indicator.definition, start, end)
    names = dict(Institution.objects.filter(pk__in=list(done_by)).values_list("pk", "name"))
    rows = [
        {"institution_id": pk, "name": names.get(pk, _("（无机构/历史数据）")), "done": n} for pk, n in done_by.items()
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


def dashboard(
    *,
    user: User,
    plan: Plan,
    region: Region | None,
    year: int | None = None,
    sort: str = "share",
    indicator: str | None = None,
) -> dict:
    """Everything one dashboard shows; `sort`: the order of the children's ranking (ranking_sort); `indicator`:
    the code of the indicator the charts show (the first counted one when absent or not counted)."""
    if not region_visible(user, region):
        raise PermissionDenied
    today = clock.today()
    year = year or year_default(plan, today)
    ctx = Context(plan, region, today)
    rows = indicator_rows(ctx, year)
    counted = [r["indicator"] for r in rows if r["indicator"].definition]
    main = next((i for i in counted if i.code == indicator), counted[0] if counted else None)
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
        "sort": sort if sort in SORTS else "share",
    }
    if main is not None:
        if region is not None and region.level == Region.Level.COUNTY:
            data["institutions"] = institutions_rows(ctx, main, year)
        else:
            data["children"] = children_rows(ctx, main, year, data["sort"])
        data["trend"] = trend(ctx, main, year)
        data["breakdowns"] = breakdowns(main, region, year)
    data["overdue_tasks"] = list(overdue_tasks(plan, today)[:50])
    return data
