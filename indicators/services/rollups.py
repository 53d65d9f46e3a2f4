"""The progress roll-up: a full recompute (nightly) and an incremental refresh of the touched counties and
years (on commit). Both run the same grouped fact queries and the same predicates (definitions.py), so
incremental = full = a direct count."""

from collections import Counter
from datetime import date

from django.db import transaction
from django.db.models import Count

from catalog.bulk import copy_insert
from catalog.models import Occupation, TraineeCategory, TrainingType
from institutions.models import Institution, InstitutionType, UrgentOccupationList

from ..definitions import DEFINITIONS, FACTS
from ..models import Breakdown, Progress

FIELDS_COUNTY, FIELDS_MONTH = "county", "month"


def grouped(facts_key: str, *, counties=None, years=None) -> list[dict]:
    """One grouped query of a fact source: rows of its keys and n."""
    facts = FACTS[facts_key]()
    qs = facts.queryset.annotate(**{f"_{k}": v for k, v in facts.fields.items()})
    if counties is not None:
        qs = qs.filter(_county__in=counties)
    if years is not None:
        qs = qs.filter(_month__gte=date(min(years), 1, 1), _month__lte=date(max(years), 12, 1))
        if facts_key == "ledger":  # lets the (county, end_date) index narrow the scan; approval follows the end
            qs = qs.filter(end_date__gte=date(min(years) - 1, 1, 1))
    keys = [f"_{k}" for k in facts.fields]
    rows = qs.order_by().values(*keys).annotate(n=Count("pk"))
    return [{k[1:]: row[k] for k in keys} | {"n": row["n"]} for row in rows if row["_county"] and row["_month"]]


def _reference() -> dict:
    """Ids the predicates compare with, and the labels of the breakdown keys (small tables, read once)."""
    return {
        "migrant_worker": TraineeCategory.objects.filter(code="migrant_worker").values_list("pk", flat=True).first(),
        "apprenticeship": TrainingType.objects.filter(code="apprenticeship").values_list("pk", flat=True).first(),
        "urgent_occupations": set(UrgentOccupationList.objects.values_list("occupations", flat=True)),
        "labels": {
            "category": dict(TraineeCategory.objects.values_list("pk", "name")),
            "training_type": dict(TrainingType.objects.values_list("pk", "name")),
            "occupation": dict(Occupation.objects.values_list("pk", "name")),
        },
        "institution_types": {pk: InstitutionType(t).label for pk, t in Institution.objects.values_list("pk", "type")},
    }


def count_all(*, counties=None, years=None) -> tuple[Counter, Counter]:
    """Progress {(definition, county, institution, month): n} and breakdown {(definition, county, year,
    dimension, key): n}, one grouped query per fact source."""
    ref = _reference()
    rows = {key: grouped(key, counties=counties, years=years) for key in FACTS}
    progress, breakdown = Counter(), Counter()
    for code, definition in DEFINITIONS.items():
        for key in definition.facts.split("+"):
            for row in rows[key]:
                if not definition.counts(row, ref):
                    continue
                n, county, month = row["n"], row["county"], row["month"]
                progress[(code, county, row["institution"] or 0, month)] += n
                for dimension, label in _labels(row, ref).items():
                    breakdown[(code, county, month.year, dimension, label)] += n
    return progress, breakdown


def _labels(row, ref) -> dict[str, str]:
    labels = {d: ref["labels"][d].get(row[d], "未登记") for d in ("category", "training_type", "occupation")}
    labels["institution_type"] = ref["institution_types"].get(row["institution"], "（无机构）")
    return labels


def _write(progress: Counter, breakdown: Counter) -> None:
    copy_insert(
        Progress,
        ["definition", "county", "institution_id", "month", "value"],
        [(code, c, i, m, n) for (code, c, i, m), n in progress.items()],
    )
    copy_insert(
        Breakdown,
        ["definition", "county", "year", "dimension", "key", "value"],
        [(code, c, y, d, k[:60], n) for (code, c, y, d, k), n in breakdown.items()],
    )


@transaction.atomic
def progress_recompute_all() -> int:
    """Nightly: rebuild every cell from the facts."""
    progress, breakdown = count_all()
    Progress.objects.all().delete()
    Breakdown.objects.all().delete()
    _write(progress, breakdown)
    return len(progress)


@transaction.atomic
def progress_refresh(*, counties: list[int], months: list[date]) -> None:
    """Recompute the touched counties for the years of the touched months (e.g. one approved claim: one
    county, one year)."""
    years = sorted({m.year for m in months})
    progress, breakdown = count_all(counties=counties, years=years)
    Progress.objects.filter(
        county_id__in=counties, month__gte=date(years[0], 1, 1), month__lte=date(years[-1], 12, 1)
    ).delete()
    Breakdown.objects.filter(county_id__in=counties, year__in=years).delete()
    _write(progress, breakdown)
