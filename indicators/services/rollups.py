"""The progress roll-up: full recompute (nightly) and incremental refresh of touched cells (on commit).
Both group the same definitions, so incremental = full = a direct count."""

from collections import Counter
from datetime import date

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import ExtractYear

from catalog.bulk import copy_insert

from ..definitions import DEFINITIONS
from ..models import Breakdown, Progress


def progress_counts(code: str, *, counties=None, months=None) -> Counter:
    """{(county id, institution id, month): count} straight from the source tables."""
    counts: Counter = Counter()
    for source in DEFINITIONS[code][1]():
        qs = source.queryset.annotate(_county=source.county, _institution=source.institution, _month=source.month)
        if counties is not None:
            qs = qs.filter(_county__in=counties)
        if months is not None:
            qs = qs.filter(_month__in=months)
        for row in qs.order_by().values("_county", "_institution", "_month").annotate(n=Count("pk")):
            if row["_county"] is not None and row["_month"] is not None:
                counts[(row["_county"], row["_institution"] or 0, row["_month"])] += row["n"]
    return counts


def breakdown_counts(code: str, *, counties=None, years=None) -> Counter:
    """{(county id, year, dimension, key): count}."""
    counts: Counter = Counter()
    for source in DEFINITIONS[code][1]():
        base = source.queryset.annotate(_county=source.county, _year=ExtractYear(source.month))
        if counties is not None:
            base = base.filter(_county__in=counties)
        if years is not None:
            base = base.filter(_year__in=years)
        for dimension, expression in source.breakdown.items():
            rows = base.annotate(_key=expression).order_by().values("_county", "_year", "_key").annotate(n=Count("pk"))
            for row in rows:
                if row["_county"] is not None and row["_year"] is not None:
                    counts[(row["_county"], row["_year"], dimension, str(row["_key"] or "—")[:60])] += row["n"]
    return counts


def _write(code, progress: Counter, breakdown: Counter) -> None:
    copy_insert(
        Progress,
        ["definition", "county", "institution_id", "month", "value"],
        [(code, c, i, m, n) for (c, i, m), n in progress.items()],
    )
    copy_insert(
        Breakdown,
        ["definition", "county", "year", "dimension", "key", "value"],
        [(code, c, y, d, k, n) for (c, y, d, k), n in breakdown.items()],
    )


@transaction.atomic
def progress_recompute_all() -> int:
    """Nightly: rebuild every cell from the source tables, set-based (one grouped query per source)."""
    Progress.objects.all().delete()
    Breakdown.objects.all().delete()
    cells = 0
    for code in DEFINITIONS:
        progress, breakdown = progress_counts(code), breakdown_counts(code)
        _write(code, progress, breakdown)
        cells += len(progress)
    return cells


@transaction.atomic
def progress_refresh(*, counties: list[int], months: list[date]) -> None:
    """Recompute just the cells a change touched (e.g. one approved claim: one county, one month)."""
    months = sorted({m.replace(day=1) for m in months})
    years = sorted({m.year for m in months})
    Progress.objects.filter(county_id__in=counties, month__in=months).delete()
    Breakdown.objects.filter(county_id__in=counties, year__in=years).delete()
    for code in DEFINITIONS:
        _write(
            code,
            progress_counts(code, counties=counties, months=months),
            breakdown_counts(code, counties=counties, years=years),
        )
