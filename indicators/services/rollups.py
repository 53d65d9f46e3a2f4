"""The progress roll-up: a full recompute (nightly) and an incremental refresh (on commit) of the counties a
change touched. Both count with the same grouped queries and the definitions' conditional counts, so
incremental = full = a direct count.

Cells exist for every level (counties, with their institutions, and the sums for cities and provinces), so a
dashboard reads just its region's children. The incremental refresh recounts the touched counties and moves
their city's and province's sums by the difference."""

from collections import Counter
from datetime import date

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import ExtractYear

from catalog.bulk import copy_insert
from catalog.models import Occupation, Region, TraineeCategory, TrainingType
from institutions.models import InstitutionType

from ..definitions import DEFINITIONS, FACTS
from ..models import Breakdown, Progress


def _definitions_of(source: str) -> dict:
    return {code: d.sources[source] for code, d in DEFINITIONS.items() if source in d.sources}


def _grouped(source: str, facts, group: dict, *, counties=None, years=None):
    """One grouped query of a fact source: the `group` expressions and a conditional count per definition."""
    qs = facts.queryset.annotate(_county=facts.county, _month=facts.month, **group)
    if counties is not None:
        qs = qs.filter(_county__in=counties)
    if years is not None:
        qs = qs.filter(_month__gte=date(min(years), 1, 1), _month__lte=date(max(years), 12, 1))
    counts = {code: Count("pk", filter=q) for code, q in _definitions_of(source).items()}
    return qs.order_by().values(*group).annotate(**counts), list(counts)


def _labels() -> dict:
    return {
        "category": dict(TraineeCategory.objects.values_list("pk", "name")),
        "training_type": dict(TrainingType.objects.values_list("pk", "name")),
        "occupation": dict(Occupation.objects.values_list("pk", "name")),
        "institution_type": {value: str(label) for value, label in InstitutionType.choices},
    }


def count_facts(*, counties=None, years=None) -> tuple[Counter, Counter]:
    """County-level cells straight from the facts: progress {(definition, county code, institution, month): n}
    (institution "" = the county's total) and breakdown {(definition, county code, year, dimension, key): n}.

    A few counties (the incremental refresh) are read in one query per fact source grouped by every key; all of
    them (the nightly recompute) in one query for the cells and one per breakdown dimension, which return far
    fewer groups. Both group the same expressions, so they give the same counts."""
    code_of = dict(Region.objects.filter(level__in=["county", "city"]).values_list("pk", "code"))
    labels = _labels()
    progress, breakdown = Counter(), Counter()

    def label(dimension, value):
        return labels[dimension].get(value, "未登记") if value not in (None, "") else "未登记"

    for source, make in FACTS.items():
        facts = make()
        cell = {"c": facts.county, "i": facts.institution, "m": facts.month}
        if counties is not None:  # few rows: one query with every key
            dims = {f"k_{d}": expression for d, expression in facts.keys.items()}
            rows, codes = _grouped(source, facts, {**cell, **dims}, counties=counties, years=years)
            for row in rows:
                unit, month = code_of.get(row["c"]), row["m"]
                if unit and month:
                    keys = [(d, label(d, row[f"k_{d}"])) for d in facts.keys]
                    _add(progress, breakdown, codes, row, unit, month, keys)
            continue
        rows, codes = _grouped(source, facts, cell, years=years)
        for row in rows:
            unit, month = code_of.get(row["c"]), row["m"]
            if unit and month:
                _add(progress, breakdown, codes, row, unit, month, [])
        for dimension, expression in facts.keys.items():
            rows, codes = _grouped(
                source, facts, {"c": facts.county, "y": ExtractYear(facts.month), "k": expression}, years=years
            )
            for row in rows:
                unit = code_of.get(row["c"])
                for code in codes:
                    if row[code] and unit and row["y"]:
                        breakdown[(code, unit, row["y"], dimension, label(dimension, row["k"]))] += row[code]
    return progress, breakdown


def _add(progress, breakdown, codes, row, unit, month, keys) -> None:
    for code in codes:
        n = row[code]
        if not n:
            continue
        progress[(code, unit, "", month)] += n
        if row["i"]:
            progress[(code, unit, str(row["i"]), month)] += n
        for dimension, key in keys:
            breakdown[(code, unit, month.year, dimension, key)] += n


def _parent(code: str) -> str:
    return code[:4] if len(code) == 6 else (code[:2] if len(code) == 4 else "")


def _ancestors(code: str) -> list[str]:
    return [a for a in (code[:4], code[:2]) if len(a) < len(code)]


def _write(progress: Counter, breakdown: Counter) -> int:
    copy_insert(
        Progress,
        ["definition", "unit", "parent", "institution", "month", "value"],
        [(d, u, u if i else _parent(u), i, m, n) for (d, u, i, m), n in progress.items() if n],
    )
    copy_insert(
        Breakdown,
        ["definition", "unit", "year", "dimension", "key", "value"],
        [(d, u, y, dim, k[:60], n) for (d, u, y, dim, k), n in breakdown.items() if n],
    )
    return len(progress)


def _with_ancestors(progress: Counter, breakdown: Counter) -> tuple[Counter, Counter]:
    p, b = Counter(progress), Counter(breakdown)
    for (d, unit, institution, month), n in progress.items():
        if not institution:
            for ancestor in _ancestors(unit):
                p[(d, ancestor, "", month)] += n
    for (d, unit, year, dimension, key), n in breakdown.items():
        for ancestor in _ancestors(unit):
            b[(d, ancestor, year, dimension, key)] += n
    return p, b


@transaction.atomic
def progress_recompute_all() -> int:
    """Nightly: rebuild every cell from the facts."""
    progress, breakdown = _with_ancestors(*count_facts())
    Progress.objects.all().delete()
    Breakdown.objects.all().delete()
    return _write(progress, breakdown)


@transaction.atomic
def progress_refresh(*, counties: list[int], months: list[date]) -> None:
    """Recount the touched counties for the years of the touched months (an approved claim: one county, one
    year) and move their city's and province's sums by the difference."""
    touched = sorted({m.year for m in months})
    years = list(range(touched[0], touched[-1] + 1))  # one contiguous window, counted and replaced whole
    first, last = date(years[0], 1, 1), date(years[-1], 12, 1)
    units = list(Region.objects.filter(pk__in=counties).values_list("code", flat=True))
    new_p, new_b = count_facts(counties=counties, years=years)
    old_p = {
        (r.definition, r.unit, r.institution, r.month): r.value
        for r in Progress.objects.filter(unit__in=units, month__range=(first, last))
    }
    old_b = {
        (r.definition, r.unit, r.year, r.dimension, r.key): r.value
        for r in Breakdown.objects.filter(unit__in=units, year__in=years)
    }
    delta_p, delta_b = Counter(), Counter()
    for key in set(old_p) | set(new_p):
        d, unit, institution, month = key
        if not institution:
            for ancestor in _ancestors(unit):
                delta_p[(d, ancestor, "", month)] += new_p.get(key, 0) - old_p.get(key, 0)
    for key in set(old_b) | set(new_b):
        d, unit, year, dimension, k = key
        for ancestor in _ancestors(unit):
            delta_b[(d, ancestor, year, dimension, k)] += new_b.get(key, 0) - old_b.get(key, 0)
    Progress.objects.filter(unit__in=units, month__range=(first, last)).delete()
    Breakdown.objects.filter(unit__in=units, year__in=years).delete()
    _write(new_p, new_b)
    _apply(
        Progress,
        ["definition", "unit", "institution", "month"],
        {k: v for k, v in delta_p.items() if v},
        month__range=(first, last),
    )
    _apply(
        Breakdown,
        ["definition", "unit", "year", "dimension", "key"],
        {k: v for k, v in delta_b.items() if v},
        year__in=years,
    )


def _apply(model, key_fields: list[str], deltas: dict, **window) -> None:
    """Add `deltas` to the ancestors' cells (creating or removing cells as their value leaves zero)."""
    if not deltas:
        return
    units = {k[1] for k in deltas}
    rows = model.objects.filter(unit__in=units, **window)
    existing = {
        tuple(getattr(r, f) for f in key_fields): r for r in rows if tuple(getattr(r, f) for f in key_fields) in deltas
    }
    new, changed, gone = [], [], []
    for key, delta in deltas.items():
        row = existing.get(key)
        if row is None:
            fields = dict(zip(key_fields, key, strict=True))
            if model is Progress:
                fields["parent"] = _parent(fields["unit"])
            new.append(model(value=delta, **fields))
        elif row.value + delta == 0:
            gone.append(row.pk)
        else:
            row.value += delta
            changed.append(row)
    model.objects.bulk_create(new)
    model.objects.bulk_update(changed, ["value"])
    model.objects.filter(pk__in=gone).delete()
