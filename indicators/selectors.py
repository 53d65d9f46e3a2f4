"""Dashboard data: progress against targets for one region and plan, read from the roll-up tables only."""

from collections import defaultdict
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.utils import timezone

from accounts.models import User
from accounts.selectors import region_scope_q
from catalog.models import Region
from institutions.models import Institution
from training.models import ClassStatus, TrainingClass

from .models import Breakdown, Indicator, Plan, Progress, ReportedValue, Target

ON_TRACK, BEHIND, AT_RISK = "on_track", "behind", "at_risk"
STATUS_LABELS = {ON_TRACK: "进度正常", BEHIND: "进度滞后", AT_RISK: "有完不成风险"}


def region_visible(user: User, region: Region | None) -> bool:
    if region is None:
        return user.is_system_admin
    return Region.objects.filter(region_scope_q(user), pk=region.pk).exists()


def default_region(user: User) -> Region | None:
    return user.region


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


def _prefix_q(region: Region | None, field: str = "county__code") -> Q:
    return Q(**{f"{field}__startswith": region.code}) if region else Q()


def done_by_county(definition: str, region: Region | None, start: date, end: date) -> dict[str, int]:
    rows = (
        Progress.objects.filter(_prefix_q(region), definition=definition, month__range=(start.replace(day=1), end))
        .values("county__code")
        .annotate(n=Sum("value"))
        .values_list("county__code", "n")
    )
    return dict(rows)


def done_total(indicator: Indicator, region: Region | None, start: date, end: date) -> int:
    if indicator.source == Indicator.Source.REPORTED:
        qs = ReportedValue.objects.filter(indicator=indicator, period__range=(start.replace(day=1), end))
        qs = qs.filter(_prefix_q(region, "region__code")) if region else qs
        return qs.aggregate(n=Sum("value"))["n"] or 0
    return sum(done_by_county(indicator.definition, region, start, end).values()) if indicator.definition else 0


def target_for(indicator: Indicator, region: Region | None, year: int | None, city_own: bool = False) -> Target | None:
    qs = Target.objects.filter(indicator=indicator, region=region, city_own=city_own)
    if indicator.kind == Indicator.Kind.YEARLY:
        qs = qs.filter(year=year)
    return qs.first()


def indicator_rows(plan: Plan, region: Region | None, year: int | None, today: date) -> list[dict]:
    rows = []
    for indicator in plan.indicators.select_related("parent"):
        start, end = period(indicator, year)
        target = target_for(indicator, region, year)
        done = done_total(indicator, region, start, end)
        elapsed = elapsed_share(start, end, today)
        value = target.value if target else 0
        state = status_of(done, value, elapsed)
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
                "forecast": forecast(indicator, region, start, end, today) if indicator.definition else None,
            }
        )
    return rows


def children_rows(indicator: Indicator, region: Region | None, year: int | None) -> list[dict]:
    """One row per child region (and 市本级 for a city), ranked by share of target."""
    start, end = period(indicator, year)
    by_county = done_by_county(indicator.definition, region, start, end) if indicator.definition else {}
    children = Region.objects.filter(parent=region) if region else Region.objects.filter(level="province")
    targets = {
        t.region_id: t
        for t in Target.objects.filter(
            indicator=indicator,
            region__in=children,
            city_own=False,
            **({"year": year} if indicator.kind == "yearly" else {}),
        )
    }
    rows = []
    for child in children:
        done = sum(v for code, v in by_county.items() if code.startswith(child.code))
        target = targets.get(child.pk)
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
    if region is not None and region.level == "city":
        own = target_for(indicator, region, year, city_own=True)
        if own:
            done = by_county.get(region.code, 0)  # records placed at the city itself
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


def institutions_rows(indicator: Indicator, county: Region, year: int | None) -> list[dict]:
    start, end = period(indicator, year)
    rows = (
        Progress.objects.filter(
            definition=indicator.definition, county=county, month__range=(start.replace(day=1), end)
        )
        .values("institution_id")
        .annotate(n=Sum("value"))
        .order_by("-n")
    )
    names = dict(Institution.objects.filter(pk__in=[r["institution_id"] for r in rows]).values_list("pk", "name"))
    return [
        {
            "institution_id": r["institution_id"],
            "name": names.get(r["institution_id"], "（无机构/历史数据）"),
            "done": r["n"],
        }
        for r in rows
    ]


def trend(indicator: Indicator, region: Region | None, year: int | None) -> list[dict]:
    start, end = period(indicator, year)
    if not indicator.definition:
        return []
    rows = (
        Progress.objects.filter(
            _prefix_q(region), definition=indicator.definition, month__range=(start.replace(day=1), end)
        )
        .values("month")
        .annotate(n=Sum("value"))
        .order_by("month")
    )
    total, series = 0, []
    for row in rows:
        total += row["n"]
        series.append({"month": row["month"].strftime("%Y-%m"), "done": row["n"], "cumulative": total})
    return series


def breakdowns(indicator: Indicator, region: Region | None, year: int | None) -> dict[str, list[dict]]:
    start, end = period(indicator, year)
    if not indicator.definition:
        return {}
    rows = (
        Breakdown.objects.filter(_prefix_q(region), definition=indicator.definition, year__range=(start.year, end.year))
        .values("dimension", "key")
        .annotate(n=Sum("value"))
        .order_by("dimension", "-n")
    )
    result = defaultdict(list)
    for row in rows:
        result[row["dimension"]].append({"key": row["key"], "value": row["n"]})
    return {k: v[:15] for k, v in result.items()}


def forecast(indicator: Indicator, region: Region | None, start: date, end: date, today: date) -> dict:
    """End-of-period projection: done so far + the average of the last six full months × the months left +
    people on the rosters of classes approved or running but not yet counted (subsidized-training indicators)."""
    done = done_total(indicator, region, start, end)
    this_month = today.replace(day=1)
    recent = (
        Progress.objects.filter(
            _prefix_q(region),
            definition=indicator.definition,
            month__lt=this_month,
            month__gte=_months_before(this_month, 6),
        ).aggregate(n=Sum("value"))["n"]
        or 0
    )
    months_left = max(0, (end.year - today.year) * 12 + end.month - today.month)
    pipeline = 0
    if indicator.definition in ("subsidized_training", "all_training") and today <= end:
        pipeline = (
            TrainingClass.objects.filter(
                _prefix_q(region), status__in=[ClassStatus.APPROVED, ClassStatus.IN_TRAINING]
            ).aggregate(n=Count("enrollments"))["n"]
            or 0
        )
    return {
        "projected": round(done + recent / 6 * months_left + pipeline),
        "monthly_rate": round(recent / 6, 1),
        "months_left": months_left,
        "pipeline": pipeline,
    }


def _months_before(month: date, n: int) -> date:
    year, m = divmod(month.year * 12 + month.month - 1 - n, 12)
    return date(year, m + 1, 1)


def dashboard(*, user: User, plan: Plan, region: Region | None, year: int | None = None) -> dict:
    if not region_visible(user, region):
        raise PermissionDenied
    today = timezone.localdate()
    year = year or min(max(today.year, plan.start.year), plan.end.year)
    rows = indicator_rows(plan, region, year, today)
    main = next((r["indicator"] for r in rows if r["indicator"].definition), None)
    data = {"plan": plan, "region": region, "year": year, "rows": rows, "main": main, "today": today}
    if main is not None:
        data["children"] = children_rows(main, region, year) if not (region and region.level == "county") else []
        data["institutions"] = institutions_rows(main, region, year) if region and region.level == "county" else []
        data["trend"] = trend(main, region, year)
        data["breakdowns"] = breakdowns(main, region, year)
    data["overdue_tasks"] = list(plan.tasks.filter(done=False, deadline__lt=today)[:50])
    return data
