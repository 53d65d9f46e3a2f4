"""The dashboard as plain data (JSON for the charts and the API, tables for the Excel exports), the monthly
report (月报, a fixed-layout Excel archived per region, plan and month) and the Excel import of a child
allocation (every row through target_set, all or nothing)."""

import calendar
import functools
import io
from datetime import date

import openpyxl
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles import Alignment, Font

from accounts.models import Role, User
from accounts.selectors import region_scope_q
from accounts.services import audit_log
from catalog.models import Region
from catalog.services import uploaded_sheet
from core import clock
from core.errors import DomainError
from core.importing import FileRejected, ImportError_, ImportReport
from institutions.models import InstitutionType

from .. import selectors
from ..definitions import DIMENSIONS
from ..models import Indicator, MonthlyReport, Plan, ReportedValue, Target
from .plans import ALLOCATING_ROLES, allocation_gaps, target_set

FORECAST_METHOD = gettext_lazy(
    "预计期末值 = 已完成 + 近 6 个完整月的月均完成 × 剩余月数 + 已批准或在培班级的在册人数（补贴性/各类培训指标）。"
)

# --- the plan a page opens on -------------------------------------------------------------------------------


def plan_default(plans, today: date) -> Plan | None:
    """The plan whose period contains today (the one ending last), else the latest one."""
    plans = list(plans)
    current = [p for p in plans if p.start <= today <= p.end]
    pool = current or plans
    return max(pool, key=lambda p: (p.end, p.start), default=None)


def plan_years(plan: Plan) -> list[int]:
    return list(range(plan.start.year, plan.end.year + 1))


# --- the dashboard as data ----------------------------------------------------------------------------------


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


def dashboard_json(data: dict) -> dict:
    """What selectors.dashboard returns, as JSON-ready values: the page's charts read it through json_script
    and the API serializes it as it is."""
    plan, region, year, today = data["plan"], data["region"], data["year"], data["today"]
    main = data.get("main")
    trend = []
    if main is not None:
        start, end = selectors.period(main, year)
        trend = _filled_trend(data.get("trend", []), start, min(end, today)) if data.get("trend") else []
    return {
        "region": {"code": region.code, "name": region.name, "level": region.level} if region else None,
        "plan": {"code": plan.code, "name": plan.name, "start": plan.start, "end": plan.end},
        "year": year,
        "today": today,
        "main": {"code": main.code, "name": main.name, "unit": main.unit} if main else None,
        "forecast_method": data.get("forecast_method") or FORECAST_METHOD,
        "rows": [
            {
                **{k: row[k] for k in ("code", "name", "unit", "source", "parent", "target", "stretch", "done")},
                **{k: row[k] for k in ("share", "elapsed", "status", "status_label")},
                "forecast": _forecast(row),
            }
            for row in data["rows"]
        ],
        "children": [
            {
                "code": c["code"],
                "name": c["name"],
                "done": c["done"],
                "target": c["target"],
                "share": c["share"],
                "city_own": c.get("city_own", False),
                "url": None if c.get("city_own") else dashboard_url(c["region"], plan, year),
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
        headers = ["指标", "单位", "来源", "目标", "完成", "完成率(%)", "时间进度(%)", "状态", "预计期末", "预计完不成"]
        rows = [
            [
                r["name"],
                r["unit"],
                "系统统计" if r["source"] == Indicator.Source.COMPUTED else "填报",
                r["target"] or None,
                r["done"],
                _percent(r["share"]),
                _percent(r["elapsed"]),
                r["status_label"],
                r["forecast"]["projected"] if r["forecast"] else None,
                ("是" if r["forecast"]["short_of_target"] else "否") if r["forecast"] else None,
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


# --- targets page -------------------------------------------------------------------------------------------


def own_target(indicator: Indicator, region: Region, year: int | None) -> Target | None:
    year = year if indicator.kind == Indicator.Kind.YEARLY else None
    return Target.objects.filter(indicator=indicator, region=region, year=year, city_own=False).first()


def allocation_rows(indicator: Indicator, region: Region, year: int | None) -> list[dict]:
    """Each child of `region` (and 市本级 for a city) with its target, stretch target, progress and, for a
    child that allocates further, whether its own children add up to it."""
    year = year if indicator.kind == Indicator.Kind.YEARLY else None
    progress = {}
    if indicator.definition:
        ctx = selectors.Context(indicator.plan, region, clock.today())
        progress = {(r["code"], r.get("city_own", False)): r for r in selectors.children_rows(ctx, indicator, year)}
    targets = {
        (t.region_id, t.city_own): t
        for t in Target.objects.filter(
            Q(region__parent=region, city_own=False) | Q(region=region, city_own=True), indicator=indicator, year=year
        )
    }
    units = [(child, False) for child in Region.objects.filter(parent=region)]
    if region.level == Region.Level.CITY:
        units.append((region, True))
    rows = []
    for unit, city_own in units:
        target = targets.get((unit.pk, city_own))
        done = progress.get((unit.code, city_own), {})
        rows.append(
            {
                "region": unit,
                "code": unit.code,
                "name": _("市本级") if city_own else unit.name,
                "city_own": city_own,
                "target": target.value if target else None,
                "stretch": target.stretch if target else None,
                "done": done.get("done", 0),
                "share": done.get("share"),
                "gap": None
                if city_own or unit.level == Region.Level.COUNTY
                else allocation_gaps(indicator, unit, year),
            }
        )
    return rows


# --- Excel import of a child allocation --------------------------------------------------------------------

ALLOCATION_COLUMNS = ["区划代码", "名称", "目标", "力争目标"]  # 名称 is for people; the import ignores it
FIELD_COLUMNS = {"value": "目标", "stretch": "力争目标", "year": "年度"}


class _Rollback(Exception):
    pass


def _code(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() if value is not None else ""


def _whole(value, column: str, number: int, errors: list) -> int | None:
    """An Excel cell as a whole number (1360, 1360.0 or "1360"); None when empty. Negative numbers are left
    for target_set to refuse, with its own message."""
    if value is None:
        return None
    if isinstance(value, bool):
        value = None
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        errors.append(ImportError_(number, column, _("应为整数，不能有小数或文字。")))
        return None
    return value


def _lookup(code: str, regions: dict) -> Region | None:
    """Codes at their natural length (2312) or in the 6-digit GB/T 2260 form (231200)."""
    if code in regions:
        return regions[code]
    for suffix, length in (("0000", 2), ("00", 4)):
        if len(code) == 6 and code.endswith(suffix) and code[:length] in regions:
            return regions[code[:length]]
    return None


def target_allocation_import(*, actor: User, indicator: Indicator, year: int | None, uploaded_file) -> ImportReport:
    """Import a child allocation (区划代码, 目标, 力争目标): every row is checked, then every row goes through
    target_set in one transaction; any error and nothing is saved."""
    try:
        sheet = uploaded_sheet(uploaded_file)
    except FileRejected as exc:
        return ImportReport(errors=[ImportError_(None, "", str(exc))])
    report = ImportReport(total=len(sheet.rows), errors=list(sheet.errors))
    missing = sheet.missing(["区划代码", "目标"])
    if missing:
        report.errors.append(ImportError_(None, "", _("表头缺少列：%s。请使用下载的模板。") % "、".join(missing)))
        return report
    if not report.total:
        report.errors.append(ImportError_(None, "", _("文件中没有数据行。")))
        return report
    parent = actor.region
    if actor.role not in ALLOCATING_ROLES or parent is None:
        raise PermissionDenied(_("只能向本级区划的下级（或市本级）分解目标。"))
    year = year if indicator.kind == Indicator.Kind.YEARLY else None
    records = list(sheet.records())
    regions = {r.code: r for r in Region.objects.filter(Q(parent=parent) | Q(pk=parent.pk))}
    typed = {_code(v.get("区划代码")) for _, v in records}
    others = {r.code: r for r in Region.objects.filter(code__in=typed | {c[:n] for c in typed for n in (2, 4)})}
    parsed, seen = [], {}
    for number, values in records:
        code = _code(values.get("区划代码"))
        region = _lookup(code, regions) or _lookup(code, others)
        value = _whole(values.get("目标"), "目标", number, report.errors)
        stretch = _whole(values.get("力争目标"), "力争目标", number, report.errors)
        if not code:
            report.errors.append(ImportError_(number, "区划代码", _("请填写区划代码。")))
            continue
        if region is None:
            report.errors.append(ImportError_(number, "区划代码", _("未知的区划代码 %s。") % code))
            continue
        city_own = region.pk == parent.pk
        if region.parent_id != parent.pk and not (city_own and parent.level == Region.Level.CITY):
            report.errors.append(
                ImportError_(
                    number,
                    "区划代码",
                    _("%(name)s（%(code)s）不是%(parent)s的下级区划，不能分解。")
                    % {"name": region.name, "code": region.code, "parent": parent.name},
                )
            )
            continue
        if region.pk in seen:
            report.errors.append(ImportError_(number, "区划代码", _("与第 %s 行重复。") % seen[region.pk]))
            continue
        seen[region.pk] = number
        if values.get("目标") is None:
            report.errors.append(ImportError_(number, "目标", _("请填写目标。")))
        elif value is not None:
            parsed.append((number, region, city_own, value, stretch))
    # The rows that could be read still go through target_set (rolled back), so one upload lists every error.
    existing = set(
        Target.objects.filter(indicator=indicator, year=year, region__in=[p[1] for p in parsed]).values_list(
            "region_id", "city_own"
        )
    )
    try:
        with transaction.atomic():
            year_errors = set()
            for number, region, city_own, value, stretch in parsed:
                try:
                    target_set(
                        actor=actor,
                        indicator=indicator,
                        region=region,
                        value=value,
                        year=year,
                        city_own=city_own,
                        stretch=stretch,
                    )
                except DomainError as exc:
                    if exc.field == "year":  # the same for every row: say it once, about the file
                        year_errors.add(exc.message)
                    else:
                        report.errors.append(ImportError_(number, FIELD_COLUMNS.get(exc.field, ""), exc.message))
                except PermissionDenied as exc:
                    report.errors.append(ImportError_(number, "区划代码", str(exc) or _("没有权限。")))
            report.errors[:0] = [ImportError_(None, "", message) for message in sorted(year_errors)]
            report.errors.sort(key=lambda e: e.row or 0)
            if report.errors:
                raise _Rollback
    except _Rollback:
        return report
    report.updated = sum(1 for p in parsed if (p[1].pk, p[2]) in existing)
    report.created = len(parsed) - report.updated
    return report


# --- the monthly report (月报) -----------------------------------------------------------------------------

REPORT_HEADERS = ["单位", "目标", "本月完成", "累计完成", "完成率", "时间进度"]
REPORT_ROLES = (Role.PROVINCE, Role.CITY, Role.COUNTY, Role.ADMIN)


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


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


def _unit_counts(ctx, indicator: Indicator, start: date, end: date) -> tuple[dict[str, int], int]:
    """({child code: count}, the region's total) for the months start..end; the city's own records (市本级) are
    the total less its counties."""
    region = ctx.region
    if end < start:
        return {}, 0
    if indicator.source == Indicator.Source.REPORTED:
        values = _reported_by_unit(indicator, region, start, end)
        by_child = {c.code: sum(n for code, n in values.items() if code.startswith(c.code)) for c in ctx.children}
        return by_child, sum(values.values())
    if not indicator.definition:
        return {}, 0
    if region.level == Region.Level.COUNTY:
        return {}, ctx.cube.total(indicator.definition, start, end)
    return dict(ctx.cube.by_child(indicator.definition, start, end)), ctx.cube.total(indicator.definition, start, end)


def monthly_report_sheets(*, region: Region, plan: Plan, month: date) -> list[dict]:
    """One table per indicator: a row per child unit (and 市本级 for a city) and the total. Every number comes
    from the roll-up the dashboard reads (computed indicators) or the reported values, up to the end of `month`."""
    month = month.replace(day=1)
    last_day = month_end(month)
    ctx = selectors.Context(plan, region, last_day)
    children = ctx.children if region.level != Region.Level.COUNTY else []
    sheets = []
    for indicator in ctx.indicators:
        start, end = selectors.period(indicator, month.year)
        year = month.year if indicator.kind == Indicator.Kind.YEARLY else None
        cumulative, cumulative_total = _unit_counts(ctx, indicator, start, min(end, last_day))
        this_month, month_total = _unit_counts(ctx, indicator, max(start, month), min(end, last_day))
        elapsed = selectors.elapsed_share(start, end, last_day)
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
        if own is not None:
            units.append(
                (
                    _("市本级"),
                    own.value,
                    cumulative_total - sum(cumulative.values()),
                    month_total - sum(this_month.values()),
                )
            )
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


def _text(cell, value) -> None:
    """A text cell that stays text: "=..." is never stored as a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def _sheet_title(n: int, name: str) -> str:
    cleaned = "".join(ch for ch in name if ch not in "[]:*?/\\")
    return f"{n}.{cleaned}"[:31]


def monthly_report_xlsx(*, region: Region, plan: Plan, month: date) -> bytes:
    """The fixed layout, one sheet per indicator: row 1 the title (region, plan, month, indicator), row 2 the
    headers 单位 | 目标 | 本月完成 | 累计完成 | 完成率 | 时间进度, a row per unit, the total row last."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for n, sheet in enumerate(monthly_report_sheets(region=region, plan=plan, month=month), start=1):
        indicator = sheet["indicator"]
        ws = book.create_sheet(_sheet_title(n, indicator.name))
        title = _("%(region)s %(month)s 月报 · %(plan)s · %(indicator)s（单位：%(unit)s）") % {
            "region": region.full_name,
            "month": f"{month.year}年{month.month}月",
            "plan": plan.name,
            "indicator": indicator.name,
            "unit": indicator.unit,
        }
        _text(ws.cell(row=1, column=1), title)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(REPORT_HEADERS))
        ws.cell(row=1, column=1).font = Font(bold=True, size=13)
        ws.cell(row=1, column=1).alignment = Alignment(horizontal="center", wrap_text=True)
        ws.row_dimensions[1].height = 36
        for column, header in enumerate(REPORT_HEADERS, start=1):
            _text(ws.cell(row=2, column=column), header)
            ws.cell(row=2, column=column).font = Font(bold=True)
        for r, values in enumerate([*sheet["rows"], sheet["total"]], start=3):
            for column, value in enumerate(values, start=1):
                cell = ws.cell(row=r, column=column)
                _text(cell, value)
                if column >= 5:
                    cell.number_format = "0.0%"
        for column in range(1, len(sheet["total"]) + 1):
            ws.cell(row=2 + len(sheet["rows"]) + 1, column=column).font = Font(bold=True)
        ws.column_dimensions["A"].width = 18
        for letter in "BCDEF":
            ws.column_dimensions[letter].width = 13
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@transaction.atomic
def monthly_report_build(*, region: Region, plan: Plan, month: date) -> MonthlyReport:
    """Write the month's report and archive it; building it again replaces the file (safe to run twice)."""
    month = month.replace(day=1)
    data = monthly_report_xlsx(region=region, plan=plan, month=month)
    report = MonthlyReport.objects.select_for_update().filter(region=region, plan=plan, month=month).first()
    if report is None:
        report = MonthlyReport(region=region, plan=plan, month=month)
    elif report.file:
        report.file.delete(save=False)
    report.file.save(get_valid_filename(f"{region.code}-{plan.code}-{month:%Y-%m}.xlsx"), ContentFile(data), save=False)
    report.created_at = clock.now()
    report.save()
    return report


@transaction.atomic
def monthly_report_request(*, actor: User, region: Region, plan: Plan, month: date) -> None:
    """Ask for a report now (the 生成 button): checked here, built by the worker after commit."""
    if (actor.role not in REPORT_ROLES and not actor.is_superuser) or not selectors.region_visible(actor, region):
        raise PermissionDenied(_("只能生成本级或下级区划的月报。"))
    if not selectors.plans_for(region).filter(pk=plan.pk).exists():
        raise DomainError(_("该计划不适用于%s。") % region.name, field="plan")
    month = month.replace(day=1)
    if month > clock.today():
        raise DomainError(_("不能生成未来月份的月报。"), field="month")
    audit_log(actor=actor, action="report.requested", target=plan, region=region, details={"month": str(month)})
    from ..tasks import build_monthly_report

    build_monthly_report.delay_on_commit(region.pk, plan.pk, month.isoformat())


def last_month(today: date) -> date:
    first = today.replace(day=1)
    return first.replace(year=first.year - 1, month=12) if first.month == 1 else first.replace(month=first.month - 1)


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


# --- scoped lists (pages and API) ---------------------------------------------------------------------------


def target_list(*, user: User):
    """Targets of regions inside the user's scope (admins: all, national ones included)."""
    return (
        Target.objects.filter(region_scope_q(user, "region"))
        .select_related("indicator__plan", "region")
        .order_by("indicator__plan__code", "indicator__sort_order", "region__code", "year", "city_own")
    )


def monthly_report_list(*, user: User):
    return MonthlyReport.objects.filter(region_scope_q(user, "region")).select_related("region", "plan")
