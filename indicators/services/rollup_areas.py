"""The 重点领域 breakdown of the key-area definitions (definitions.KEY_AREA_DEFINITIONS) in the roll-up, without a
group key of its own: as one, the area multiplied the cells' groups (3.4 times on the bench's ledger), and beside
the occupation it made the planner give up the parallel plan; fourteen conditional counts, one per area, made
the cells' query half as slow again.

Instead the query by county, year and occupation (by month for the incremental refresh, whose window the
ledger's (county, month) index serves) also returns, per key-area definition, the least and the greatest area
code of the rows it counts. An occupation is in one area on any day, so they are nearly always the
same: the group's count is that area's. The few groups where they differ (a tag changed area that year, a
program's tag differs from its occupation's) are recounted by area, for their counties and years only."""

from collections import defaultdict

from django.db.models import Max, Min

from ..definitions import DEFINITIONS, KEY_AREA_DEFINITIONS, KEY_AREA_NAMES

NIGHTLY, REFRESH = ("c", "y", "k_occupation"), ("c", "m", "k_occupation")  # the queries with least and greatest


def aggregates(source: str, group: tuple) -> dict:
    """The MIN and MAX of the area code (the facts' ka_code) of each key-area definition's rows of `source`,
    for the NIGHTLY and REFRESH queries."""
    out = {}
    for code in _definitions(source) if group in (NIGHTLY, REFRESH) else []:
        q = DEFINITIONS[code].sources[source]
        out |= {f"least_{code}": Min("ka_code", filter=q), f"most_{code}": Max("ka_code", filter=q)}
    return out


def _definitions(source: str) -> list[str]:
    return [code for code in KEY_AREA_DEFINITIONS if source in DEFINITIONS[code].sources]


def add(breakdown, source: str, codes: list[str], rows, *, grouped, fetch, code_of, window) -> None:
    """Add the areas' cells of `source` to `breakdown` from the NIGHTLY query's `rows` (county, year, occupation,
    a count per definition in `codes`, then least and greatest per key-area definition; None: run REFRESH)."""
    definitions = _definitions(source)
    if not definitions:
        return
    if rows is None:
        sql, params, codes = grouped(source, REFRESH, **window)
        rows = fetch(sql, params)
    mixed = defaultdict(set)  # county → (year or month, occupation, definition) of the groups whose areas differ
    for county, period, occupation, *values in rows:
        unit, year = code_of.get(county), _year(period)
        if not (unit and year):
            continue
        counts, bounds = dict(zip(codes, values, strict=False)), values[len(codes) :]
        for n, code in enumerate(definitions):
            least, most = bounds[2 * n], bounds[2 * n + 1]
            if least is not None and least == most:
                breakdown[(code, unit, year, "key_area", KEY_AREA_NAMES.get(least, least))] += counts[code]
            elif least is not None:
                mixed[county].add((period, occupation, code))
    if mixed:
        _recount(breakdown, source, mixed, grouped=grouped, fetch=fetch, code_of=code_of)


def _year(period) -> int | None:
    """A group's year: the year itself, or its month's (SQLite returns a month as text)."""
    if period is None or isinstance(period, int):
        return period
    return period.year if hasattr(period, "year") else int(str(period)[:4])


def _recount(breakdown, source, mixed, *, grouped, fetch, code_of) -> None:
    """The mixed groups counted by area: one query grouped by month and area too, for their counties and years."""
    years = sorted({_year(period) for cells in mixed.values() for period, _, _ in cells})
    sql, params, codes = grouped(source, (*REFRESH, "a"), counties=sorted(mixed), years=years)
    for county, month, occupation, area, *counts in fetch(sql, params):
        cells, year = mixed.get(county, ()), _year(month)
        for code, n in zip(codes, counts, strict=False):
            in_mixed = (month, occupation, code) in cells or (year, occupation, code) in cells
            if area is not None and n and in_mixed:
                breakdown[(code, code_of[county], year, "key_area", KEY_AREA_NAMES.get(area, area))] += n
