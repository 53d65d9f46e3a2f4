"""The roll-up read for one region and plan: the cells of the Progress table (Cube), everything one dashboard
request reads, loaded once (Context), and the arithmetic of progress — the period of an indicator, the share of it
gone by, the status and the forecast. Dashboards read the roll-up tables only, never the facts."""

from collections import defaultdict
from datetime import date

from django.db.models import Count, F, Q

from catalog.models import Region
from training.models import ClassStatus, TrainingClass

from ..models import Indicator, Plan, Progress, ProgressStatus, ReportedValue, Target

FORECAST_MONTHS = 6


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


def status_of(done: int, target: int, elapsed: float) -> ProgressStatus:
    """See ProgressStatus; without a target there is nothing to be behind."""
    if not target:
        return ProgressStatus.ON_TRACK
    share = done / target
    if share >= elapsed:
        return ProgressStatus.ON_TRACK
    return ProgressStatus.BEHIND if share >= 0.8 * elapsed else ProgressStatus.AT_RISK


def months_before(month: date, n: int) -> date:
    year, m = divmod(month.year * 12 + month.month - 1 - n, 12)
    return date(year, m + 1, 1)


def reported_done(reported: list[dict], indicator: Indicator, own_code: str | None, start: date, end: date) -> int:
    """What a region did of a reported indicator, from `reported` (rows with indicator_id, period, value and
    region_code, inside the region): its own reports if it made any, else its subordinate units' (never both: no
    double count). A stock indicator takes its latest report, the others the sum over the period."""
    rows = [r for r in reported if r["indicator_id"] == indicator.pk and start.replace(day=1) <= r["period"] <= end]
    own = [r for r in rows if r["region_code"] == own_code]
    rows = own or rows
    if indicator.kind == Indicator.Kind.STOCK:  # each reporting unit's latest value, summed
        latest = {}
        for r in sorted(rows, key=lambda r: r["period"]):
            latest[r["region_code"]] = r["value"]
        return sum(latest.values())
    return sum(r["value"] for r in rows)


class Cube:
    """The roll-up for one region: {(definition, child, month): n}; child = a child region's code, or inside
    a county an institution id; the key "" holds the region's own total."""

    def __init__(self, region: Region | None, definitions: list[str], start: date, end: date):
        qs = Progress.objects.filter(definition__in=definitions, month__range=(start.replace(day=1), end))
        code = region.code if region else ""
        in_county = region is not None and region.level == Region.Level.COUNTY
        if in_county:
            qs = qs.filter(unit=code)
            rows = qs.values_list("definition", "institution", "month", "value")
        else:
            qs = qs.filter(Q(parent=code, institution="") | Q(unit=code, institution=""))
            rows = [
                (d, "" if unit == code else unit, m, v)
                for d, unit, m, v in qs.values_list("definition", "unit", "month", "value")
            ]
        self._fill((d, int(child) if in_county and child.isdigit() else child, m, v) for d, child, m, v in rows)

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
        start = min(plan.start, months_before(today.replace(day=1), FORECAST_MONTHS))
        self.cube = Cube(region, definitions, start, max(plan.end, today))
        children = (
            Region.objects.filter(parent=region) if region else Region.objects.filter(level=Region.Level.PROVINCE)
        )
        self.children = list(children) if not (region and region.level == Region.Level.COUNTY) else []
        targets = (
            Target.objects.filter(indicator__plan=plan).filter(Q(region=region) | Q(region__in=self.children))
            if region
            else Target.objects.filter(indicator__plan=plan).filter(
                Q(region__isnull=True) | Q(region__level=Region.Level.PROVINCE)
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
        if indicator.source == Indicator.Source.REPORTED or not indicator.definition:  # a reference one: reported
            return self.reported_done(indicator, start, end)
        return self.cube.total(indicator.definition, start, end) if indicator.definition else 0

    def reported_done(self, indicator: Indicator, start, end) -> int:
        return reported_done(self.reported, indicator, self.region.code if self.region else None, start, end)

    def pipeline(self) -> int:
        """People on the rosters of classes approved or in training (not yet counted)."""
        if self._pipeline is None:
            qs = TrainingClass.objects.filter(status__in=[ClassStatus.APPROVED, ClassStatus.IN_TRAINING])
            if self.region is not None:
                qs = qs.filter(county__code__startswith=self.region.code)
            self._pipeline = qs.aggregate(n=Count("enrollments"))["n"] or 0
        return self._pipeline


def forecast(ctx: Context, indicator: Indicator, start: date, end: date) -> dict:
    """See dashboard.FORECAST_METHOD."""
    done = ctx.done(indicator, start, end)
    this_month = ctx.today.replace(day=1)
    recent = sum(
        n
        for month, n in ctx.cube.by_month(indicator.definition, months_before(this_month, 6), this_month)
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
