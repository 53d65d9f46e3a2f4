"""The progress roll-up: a full recompute (nightly) and an incremental refresh (on commit) of the counties a
change touched. Both count with the same grouped queries and the definitions' conditional counts, so
incremental = full = a direct count.

Cells exist for every level (counties, with their institutions, and the sums for cities and provinces), so a
dashboard reads just its region's children. The incremental refresh recounts the touched counties and moves
their city's and province's sums by the difference.

A fact's unit is its region's 6-digit GB/T 2260 form (Region.gb_code): a county its own code; a fact placed at a
city itself (a class of a city-level institution, 市直) falls in the city's own unit, 绥化市 2312 → 231200 (市本级),
a child of the city beside its counties; one placed at the province itself in 230000 (省本级), a child of the
province beside its cities. So a city's sum holds its 市本级, and 市本级 has cells of its own."""

from collections import Counter, defaultdict
from datetime import date, timedelta
from functools import lru_cache

from django.db import connection, transaction
from django.db.models import Count, F, Q, Value
from django.utils import timezone

from catalog.models import Occupation, Region, TraineeCategory, TrainingType
from core import clock
from core.bulk import add_to_counts, copy_insert, replace_all
from core.dates import YearOf
from core.models import PendingRefresh
from institutions.models import InstitutionType

from ..definitions import DEFINITIONS, FACTS, whole_ledger
from ..models import Breakdown, Progress
from . import rollup_areas


def _definitions_of(source: str) -> dict:
    return {code: d.sources[source] for code, d in DEFINITIONS.items() if source in d.sources}


def _grouped(source: str, group: tuple[str, ...], *, counties=None, years=None) -> tuple[str, list, list]:
    """One grouped query of a fact source: the `group` values (c county, i institution, m month, y year,
    k_<dimension> a breakdown key) in that order, then a count per definition, limited to `counties` and `years`.
    Returns the SQL, its params and the definitions' codes."""
    whole = counties is None  # the nightly recompute: over the whole ledger
    sql, params, columns, codes = _grouped_sql(
        source, group, connection.vendor, timezone.get_current_timezone_name(), whole
    )
    where, values = [], []
    if counties is not None:
        where.append(f"f.c IN ({', '.join(['%s'] * len(counties))})")
        values += list(counties)
    if years is not None:
        window = [date(min(years), 1, 1), date(max(years), 12, 1)] if "m" in group else [min(years), max(years)]
        where.append(f"f.{'m' if 'm' in group else 'y'} BETWEEN %s AND %s")
        values += window
    # On the group columns: PostgreSQL applies it below the grouping, on the ledger's (county, month) index.
    condition = f" WHERE {' AND '.join(where)}" if where else ""
    return f"SELECT {', '.join(columns)} FROM ({sql}) f{condition}", [*params, *values], codes  # noqa: S608


def _fetch(sql: str, params: list) -> list[tuple]:
    """Plain tuples: the nightly run reads tens of thousands of groups, and a dict per row with Django's
    converters cost a second."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@lru_cache
def _grouped_sql(source: str, group: tuple, vendor: str, time_zone: str, whole: bool) -> tuple[str, tuple, list, list]:
    """The grouped query's SQL, compiled once per process (building it took most of an incremental refresh);
    it holds no ids or dates, only the definitions' constants (vendor and time zone are the cache's key). For
    the `whole` ledger, group membership is tested as a hashed IN (definitions.whole_ledger): the same rows."""
    facts = FACTS[source]()
    expressions = {"c": facts.county, "i": facts.institution, "m": facts.month, "y": YearOf(facts.month)}
    expressions.update({f"k_{d}": expression for d, expression in facts.keys.items()}, a=F("ka_code"))
    filters = {code: whole_ledger(q) if whole else q for code, q in _definitions_of(source).items()}
    counts = {code: Count("pk", filter=q) for code, q in filters.items()}
    areas = rollup_areas.aggregates(source, group)  # after the counts: the 重点领域 breakdown's
    qs = facts.queryset.annotate(**{name: expressions[name] for name in group})
    sql, params = qs.order_by().values(*group).annotate(**counts, **areas).query.sql_with_params()
    return sql, params, [*group, *counts, *areas], list(counts)


def _labels() -> dict:
    """The breakdown keys' names, in one query (the incremental refresh is a few milliseconds of queries)."""
    labels = {"category": {}, "training_type": {}, "occupation": {}}
    for dimension, pk, name in _fetch(*_labels_sql(connection.vendor)):
        labels[dimension][pk] = name
    labels["institution_type"] = {value: str(label) for value, label in InstitutionType.choices}
    return labels


@lru_cache
def _labels_sql(vendor: str) -> tuple[str, tuple]:
    names = TraineeCategory.objects.values_list(Value("category"), "pk", "name").order_by()
    for dimension, model in (("training_type", TrainingType), ("occupation", Occupation)):
        names = names.union(model.objects.values_list(Value(dimension), "pk", "name").order_by(), all=True)
    return names.query.sql_with_params()


def count_facts(*, counties=None, years=None) -> tuple[Counter, Counter]:
    """County-level cells straight from the facts: progress {(definition, county code, institution, month): n}
    (institution "" = the county's total) and breakdown {(definition, county code, year, dimension, key): n}.

    Per fact source, one query groups the cells with the breakdown keys: every key for a few counties (the
    incremental refresh), the keys with few values for all of them (the nightly recompute), which then counts
    each many-valued key (occupation) by county and year in a query of its own, so no query returns more than
    a few times the cells' groups; so is a key that is a set (Facts.sets: a person's groups), always. All group
    the same expressions, so they give the same counts."""
    code_of = _units(counties)
    labels = _labels()
    progress, breakdown = Counter(), Counter()
    window = {"counties": counties, "years": years}

    def label(dimension, value):
        return labels[dimension].get(value, "未登记") if value not in (None, "") else "未登记"

    for source, make in FACTS.items():
        sets = make().sets()  # a person's groups: never in the cells' query, which they would multiply
        keys = [d for d in make().keys if d not in sets]
        few, many = _dimensions_split(keys, labels) if counties is None else (keys, [])
        sql, params, codes = _grouped(source, ("c", "i", "m", *(f"k_{d}" for d in few)), **window)
        for county, institution, month, *rest in _fetch(sql, params):
            unit, month = code_of.get(county), _month(month)
            if unit and month:
                values = [(d, label(d, k)) for d, k in zip(few, rest, strict=False)]
                _add(progress, breakdown, codes, rest[len(few) :], unit, institution, month, values)
        by_occupation = None  # the rollup_areas.NIGHTLY query's rows, when the nightly recompute runs it
        for dimension in [*many, *sets]:
            # A set by month in a refresh (its window then uses the ledger's county-month index), by year nightly.
            period = "m" if dimension in sets and counties is not None else "y"
            sql, params, codes = _grouped(source, ("c", period, f"k_{dimension}"), **window)
            rows = _fetch(sql, params)
            by_occupation = rows if dimension == "occupation" else by_occupation
            for county, when, key, *counts in rows:
                unit = code_of.get(county)
                year = _month(when).year if period == "m" and when else when
                if unit and year:
                    value = label(dimension, key)
                    for code, n in zip(codes, counts, strict=False):
                        if n:
                            breakdown[(code, unit, year, dimension, value)] += n
        helpers = {"grouped": _grouped, "fetch": _fetch, "code_of": code_of, "window": window}
        rollup_areas.add(breakdown, source, codes, by_occupation, **helpers)
    return progress, breakdown


FEW = 20  # a dimension with at most this many values is counted with the cells, in their query


def _dimensions_split(dimensions: list[str], labels) -> tuple[list[str], list[str]]:
    """The breakdown dimensions with few values (category, training type, institution type, which follows the
    institution) are counted in the cells' query: one scan gives both, and their combinations multiply the
    cells' groups only a few times. Each dimension with many values (occupation) gets a query of its own,
    grouped by county and year."""
    few = [d for d in dimensions if len(labels[d]) <= FEW]
    return few, [d for d in dimensions if d not in few]


def _month(value) -> date | None:
    """A month as a date (SQLite returns Django's month truncation as text)."""
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _add(progress, breakdown, codes, counts, unit, institution, month, keys) -> None:
    """One group of the cells' query: its counts into the county's (and institution's) cell of the month and
    into the county's breakdowns of the year."""
    for code, n in zip(codes, counts, strict=True):
        if not n:
            continue
        progress[(code, unit, "", month)] += n
        if institution:
            progress[(code, unit, str(institution), month)] += n
        for dimension, key in keys:
            breakdown[(code, unit, month.year, dimension, key)] += n


def _units(regions=None) -> dict[int, str]:
    """{region pk: the unit its facts count in} for `regions` (pks; None: all): the region's 6-digit form, so a
    city's own facts fall in <city>00 and the province's in <province>0000 (see the module's docstring)."""
    qs = Region.objects.all() if regions is None else Region.objects.filter(pk__in=regions)
    return {pk: code.ljust(6, "0") for pk, code in qs.values_list("pk", "code")}


def _parent(code: str) -> str:
    """The unit a cell's count is summed into: a county (or 市本级 <city>00) into its city, 省本级 <province>0000
    and a city into the province, a province into the nation ("")."""
    if len(code) == 6:
        return code[:2] if code.endswith("0000") else code[:4]
    return code[:2] if len(code) == 4 else ""


def _ancestors(code: str) -> list[str]:
    ancestors = []
    while code := _parent(code):
        ancestors.append(code)
    return ancestors


PROGRESS_FIELDS = ["definition", "unit", "institution", "month", "parent", "value"]  # the key, then the values
BREAKDOWN_FIELDS = ["definition", "unit", "year", "dimension", "key", "value"]


def _rows(progress: Counter, breakdown: Counter) -> tuple[list[tuple], list[tuple]]:
    """The cells as table rows (in PROGRESS_FIELDS and BREAKDOWN_FIELDS order), the empty ones left out."""
    return (
        [(d, u, i, m, u if i else _parent(u), n) for (d, u, i, m), n in progress.items() if n],
        [(d, u, y, dim, k[:60], n) for (d, u, y, dim, k), n in breakdown.items() if n],
    )


def _with_ancestors(progress: Counter, breakdown: Counter) -> tuple[Counter, Counter]:
    return _summed_up(progress, lambda key: not key[2]), _summed_up(breakdown)


def _summed_up(cells: Counter, counted=lambda key: True) -> Counter:
    """The cells plus their cities' and provinces' sums (the unit is a key's second part): the counties (and the
    own units, 市本级 and 省本级) into their parent, then the cities, with their counties now in them, into their
    province."""
    result = Counter(cells)
    for length in (6, 4):
        sums = {}
        for key, n in result.items():
            if len(key[1]) == length and counted(key):
                parent = (key[0], _parent(key[1]), *key[2:])
                sums[parent] = sums.get(parent, 0) + n
        result.update(sums)
    return result


ROLLUP_LOCK = 7_210_001  # the advisory lock the roll-up writers share


def _one_writer_at_a_time() -> None:
    """Roll-up writers run one at a time (a transaction-level advisory lock, taken before anything is read):
    two refreshes of counties in the same city both read-modify-write the city's and the province's cells, and
    a refresh beside the nightly rebuild could add its county's change to sums that already hold it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ROLLUP_LOCK])


def _batch_settings() -> None:
    """For this transaction: hash the groups in memory (the planner expects a million groups where there are
    thousands, and would sort on disk instead), match the staged cells by hash rather than by sorting their
    Chinese keys under the database's collation (a merge anti-join of 160k breakdown cells took 1 s, the hash
    one 0.15 s), and skip JIT compilation (it costs more than it saves here)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'; SET LOCAL enable_mergejoin = off; SET LOCAL jit = off")


def _analyze(*models) -> None:
    """Fresh planner statistics for the rewritten tables (the first recompute fills them from nothing)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(m._meta.db_table for m in models)}")


@transaction.atomic
def progress_recompute_all() -> int:
    """Nightly: rebuild every cell from the facts, swapped in as one transaction (core.bulk.replace_all): a
    dashboard read meanwhile shows the figures from before, never an empty table."""
    _one_writer_at_a_time()
    PendingRefresh.objects.all().delete()  # before counting, as in progress_refresh
    _batch_settings()
    progress, breakdown = _with_ancestors(*count_facts())
    progress_rows, breakdown_rows = _rows(progress, breakdown)
    replace_all(Progress, PROGRESS_FIELDS, 4, progress_rows)
    replace_all(Breakdown, BREAKDOWN_FIELDS, 5, breakdown_rows)
    _analyze(Progress, Breakdown)
    return len(progress)


@transaction.atomic
def progress_refresh(*, counties: list[int], months: list[date]) -> None:
    """Recount the touched counties for the years of the touched months (an approved claim: one county, one
    year) and move their city's and province's sums by the difference."""
    _one_writer_at_a_time()
    touched = sorted({m.year for m in months})
    years = list(range(touched[0], touched[-1] + 1))  # one contiguous window, counted and replaced whole
    first, last = date(years[0], 1, 1), date(years[-1], 12, 1)
    counties, units = _sharing_units(counties)
    # Taken before counting: a change committed from here on is counted below or leaves its own row.
    PendingRefresh.objects.filter(county__in=counties, month__range=(first, last)).delete()
    new_p, new_b = count_facts(counties=counties, years=years)
    old_p = _cells(Progress, ["definition", "unit", "institution", "month"], unit__in=units, month__range=(first, last))
    old_b = _cells(Breakdown, ["definition", "unit", "year", "dimension", "key"], unit__in=units, year__in=years)
    # Only what changed is written: the county's own cells and its ancestors' move by the same differences (a
    # claim changes a month's cells and a year's breakdowns; rewriting every cell of the county-years cost
    # more than counting them).
    delta_p, delta_b = Counter(), Counter()
    for key in set(old_p) | set(new_p):
        d, unit, institution, month = key
        change = new_p.get(key, 0) - old_p.get(key, 0)
        if change:
            delta_p[key] += change
            for ancestor in [] if institution else _ancestors(unit):
                delta_p[(d, ancestor, "", month)] += change
    for key in set(old_b) | set(new_b):
        d, unit, year, dimension, k = key
        change = new_b.get(key, 0) - old_b.get(key, 0)
        if change:
            delta_b[key] += change
            for ancestor in _ancestors(unit):
                delta_b[(d, ancestor, year, dimension, k)] += change
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


def _sharing_units(counties: list[int]) -> tuple[list[int], list[str]]:
    """The touched regions' units, and every region counted in them: a unit's cells are replaced whole, so all
    its facts are recounted (东莞市 4419's own unit 441900 is also its only county-level unit, 441900)."""
    units = sorted(set(_units(counties).values()))
    # Only an own unit (…00) can be shared; a county's refresh costs no query more.
    codes = {code for unit in units if unit.endswith("00") for code in (unit, unit[:4], unit[:2])}
    if not codes:
        return counties, units
    candidates = Region.objects.filter(code__in=codes).values_list("pk", flat=True)
    shared = [pk for pk, unit in _units(list(candidates)).items() if unit in units]
    return sorted(set(counties) | set(shared)), units


def _cells(model, key_fields: list[str], **filters) -> dict[tuple, int]:
    """What the cells matching `filters` hold, {key: value} (plain tuples: no model rows, no converters)."""
    query = model.objects.filter(**filters).query
    where, params = query.get_compiler(connection=connection).compile(query.where)
    table, columns = model._meta.db_table, [model._meta.get_field(f).column for f in key_fields]
    rows = _fetch(f"SELECT {', '.join(columns)}, value FROM {table} WHERE {where}", params)  # noqa: S608
    return {tuple(row[:-1]): row[-1] for row in rows}


def progress_refresh_pending(*, older_than: timedelta = timedelta(minutes=2)) -> int:
    """The sweeper: refresh the counties whose change was not counted yet (its task lost with the broker or a
    worker), one county per transaction. Returns how many counties it refreshed."""
    due = PendingRefresh.objects.filter(created_at__lte=clock.now() - older_than)
    months_of = defaultdict(set)
    for county, month in due.values_list("county", "month"):
        months_of[county].add(month)
    for county, months in months_of.items():
        progress_refresh(counties=[county], months=sorted(months))
    return len(months_of)


def _apply(model, key_fields: list[str], deltas: dict, **window) -> None:
    """Add `deltas` to the ancestors' cells in one UPDATE, create the cells that did not exist, remove those
    whose value fell to zero."""
    if not deltas:
        return
    now = add_to_counts(model, key_fields, deltas)
    gone = [key for key, value in now.items() if value == 0]
    if gone:
        match = Q()
        for key in gone:
            match |= Q(**dict(zip(key_fields, key, strict=True)))
        model.objects.filter(match, **window).delete()
    new = [(key, delta) for key, delta in deltas.items() if key not in now]
    if model is Progress:  # and its parent: the county for an institution's cell, else the unit it is summed into
        rows = [(*key, delta, key[1] if key[2] else _parent(key[1])) for key, delta in new]
        copy_insert(model, [*key_fields, "value", "parent"], rows)
    else:
        copy_insert(model, [*key_fields, "value"], [(*key, delta) for key, delta in new])
