"""The dashboard as the pages and the API show it: JSON-ready data for the charts (the page's json_script, the
API's response), with the links to the children's dashboards, and each chart's numbers as a table for its Excel
export."""

import functools
from datetime import date

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from catalog.models import Region
from institutions.models import InstitutionType

from .definitions import DIMENSIONS
from .models import Indicator, Plan, Target
from .selectors.progress import period


def dashboard_url(region: Region | None, plan: Plan, year: int | None = None) -> str:
    path = _region_path(region.code) if region else reverse("indicators:dashboard")
    query = {"plan": plan.code, **({"year": year} if year else {})}
    return f"{path}?{urlencode(query)}"


@functools.cache
def _region_path(code: str) -> str:
    """Reversed once per code: a province map links all its ~130 counties on every request."""
    return reverse("indicators:region", args=[code])


def _forecast(row: dict) -> dict | None:
    f = row["forecast"]
    if f is None:
        return None
    misses = row.get("forecast_misses", bool(row["target"]) and f["projected"] < row["target"])
    return {
        **f,
        "short_of_target": bool(misses),
        "explanation": _("%(done)s + 月均 %(rate)s × 剩余 %(left)s 个月 + 在培 %(pipe)s")
        % {"done": row["done"], "rate": f["monthly_rate"], "left": f["months_left"], "pipe": f["pipeline"]},
    }


def _months(start: date, end: date) -> list[str]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _filled_trend(points: list[dict], start: date, end: date) -> list[dict]:
    """Every month of the period up to today, months without any count as 0 (the line does not skip them)."""
    by_month = {p["month"]: p["done"] for p in points}
    months = sorted(set(_months(start, end)) | set(by_month))
    total, series = 0, []
    for month in months:
        total += by_month.get(month, 0)
        series.append({"month": month, "done": by_month.get(month, 0), "cumulative": total})
    return series


def _key_label(dimension: str, key: str) -> str:
    if dimension == "institution_type" and key in InstitutionType.values:
        return str(InstitutionType(key).label)
    return key or "—"


def _national_figures(rows: list[dict], year: int | None) -> dict[int, int]:
    """{indicator id: the national target} of the reference rows (one query, only where there are some)."""
    ids = [r["indicator"].pk for r in rows if r["source"] == Indicator.Source.REFERENCE]
    if not ids:
        return {}
    targets = Target.objects.filter(indicator__in=ids, region__isnull=True, city_own=False)
    return {
        t.indicator_id: t.value
        for t in targets.select_related("indicator")
        if t.year is None or t.indicator.kind != Indicator.Kind.YEARLY or t.year == year
    }


NOT_REFERENCE = {"national": None, "national_share": None, "national_share_pct": ""}


def _row(row: dict, national: dict) -> dict:
    """One indicator's row: its plan's words (comparator, attribute, source) beside the numbers. A reference
    indicator (a national one in a provincial deployment) shows the region's contribution and its share of the
    national figure, never a completion rate or a status: the province cannot complete a national target."""
    indicator = row["indicator"]
    words = {
        "comparator": indicator.comparator,
        "comparator_label": str(indicator.get_comparator_display()),
        "attribute": indicator.attribute,
        "attribute_label": str(indicator.get_attribute_display()) if indicator.attribute else "",
        "source_label": str(indicator.get_source_display()),
    }
    numbers = {k: row[k] for k in ("code", "name", "unit", "source", "parent", "target", "stretch", "done")}
    if indicator.source != Indicator.Source.REFERENCE:
        progress = {k: row[k] for k in ("share", "elapsed", "status", "status_label")}
        return {**numbers, **words, **progress, "forecast": _forecast(row)} | NOT_REFERENCE
    figure = national.get(indicator.pk)
    share = round(row["done"] / figure, 6) if figure else None
    return {
        **numbers,
        **words,
        "target": None,
        "stretch": None,
        "share": None,
        "elapsed": None,
        "status": "",
        "status_label": "",
        "forecast": None,
        "national": figure,
        "national_share": share,
        "national_share_pct": "—" if share is None else f"{share * 100:.2f}%",
    }


def dashboard_json(data: dict) -> dict:
    """What selectors.dashboard.dashboard returns, as JSON-ready values: the page's charts read it through
    json_script and the API serializes it as it is."""
    plan, region, year, today = data["plan"], data["region"], data["year"], data["today"]
    national = _national_figures(data["rows"], year)
    main = data.get("main")
    trend = []
    if main is not None:
        start, end = period(main, year)
        trend = _filled_trend(data.get("trend", []), start, min(end, today)) if data.get("trend") else []
    return {
        "region": {"code": region.code, "name": region.name, "level": region.level} if region else None,
        "plan": {"code": plan.code, "name": plan.name, "start": plan.start, "end": plan.end},
        "year": year,
        "today": today,
        "main": {"code": main.code, "name": main.name, "unit": main.unit} if main else None,
        "forecast_method": data["forecast_method"],
        "rows": [_row(row, national) for row in data["rows"]],
        "children": [
            {
                "code": c["code"],
                "name": c["name"],
                "done": c["done"],
                "target": c["target"],
                "share": c["share"],
                "city_own": c.get("city_own", False),
                "own_level": c.get("own_level", False),  # 市本级 or 省本级: no dashboard of its own
                "url": None if c.get("own_level") else dashboard_url(c["region"], plan, year),
            }
            for c in data.get("children", [])
        ],
        "institutions": [
            {"id": i["institution_id"], "name": i["name"], "done": i["done"]} for i in data.get("institutions", [])
        ],
        "trend": trend,
        "breakdowns": [
            {
                "dimension": dimension,
                "label": label,
                "items": [
                    {"key": _key_label(dimension, i["key"]), "value": i["value"]}
                    for i in data.get("breakdowns", {}).get(dimension, [])
                ],
            }
            for dimension, label in DIMENSIONS.items()
            if data.get("breakdowns", {}).get(dimension)
        ],
        "overdue_tasks": [
            {"id": t.pk, "number": t.number, "title": t.title, "responsible": t.responsible, "deadline": t.deadline}
            for t in data.get("overdue_tasks", [])
        ],
    }


def _percent(share) -> float | None:
    return None if share is None else round(share * 100, 2)


def chart_table(payload: dict, chart: str) -> tuple[list[str], list[list], str] | None:
    """(headers, rows, sheet title) of one chart's numbers for the Excel export, or None for an unknown chart."""
    if chart == "indicators":
        headers = ["指标", "单位", "来源", "属性", "目标表述", "目标", "完成", "完成率(%)", "时间进度(%)", "状态"]
        headers += ["预计期末", "预计完不成", "全国目标（参考）", "占全国(%)"]
        rows = [
            [
                r["name"],
                r["unit"],
                r["source_label"],
                r["attribute_label"],
                r["comparator_label"],
                r["target"] or None,
                r["done"],
                _percent(r["share"]),
                _percent(r["elapsed"]),
                r["status_label"],
                r["forecast"]["projected"] if r["forecast"] else None,
                ("是" if r["forecast"]["short_of_target"] else "否") if r["forecast"] else None,
                r["national"],
                _percent(r["national_share"]),
            ]
            for r in payload["rows"]
        ]
        return headers, rows, "指标完成情况"
    if chart == "children":
        rows = [[c["name"], c["code"], c["target"], c["done"], _percent(c["share"])] for c in payload["children"]]
        return ["单位", "区划代码", "目标", "完成", "完成率(%)"], rows, "下级排名"
    if chart == "institutions":
        return ["培训机构", "完成"], [[i["name"], i["done"]] for i in payload["institutions"]], "培训机构"
    if chart == "trend":
        rows = [[p["month"], p["done"], p["cumulative"]] for p in payload["trend"]]
        return ["月份", "当月完成", "累计完成"], rows, "月度趋势"
    for breakdown in payload["breakdowns"]:
        if chart == f"breakdown-{breakdown['dimension']}":
            rows = [[i["key"], i["value"]] for i in breakdown["items"]]
            return [breakdown["label"], "人次"], rows, breakdown["label"]
    return None


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


def department_table(rows: list[dict]) -> list[dict]:
    """The department quota rows (selectors.departments) with their completion as the page prints it."""

    def pct(share):
        return "—" if share is None else f"{share * 100:.1f}%"

    return [
        {**r, "share_pct": pct(r["share"]), "parts": [{**p, "share_pct": pct(p["share"])} for p in r["parts"]]}
        for r in rows
    ]
