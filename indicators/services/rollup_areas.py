"""The 重点领域 breakdown of the key-area definitions (definitions.KEY_AREA_DEFINITIONS) in the roll-up, without a
group key of its own: as one, the area multiplied the cells' groups (3.4 times on the bench's ledger), and beside
the occupation it made the planner give up the parallel plan; fourteen conditional counts, one per area, made
the cells' query half as slow again.

Instead the query by county, year and occupation also returns, per key-area definition, the least and the
greatest area code of the rows it counts. An occupation is in one area on any day, so they are nearly always the
same: the group's count is that area's. The few groups where they differ (a tag changed area that year, a
program's tag differs from its occupation's) are recounted by area, for their counties and years only."""

from collections import defaultdict

from django.db.models import Max, Min

from ..definitions import DEFINITIONS, KEY_AREA_DEFINITIONS, KEY_AREA_NAMES

GROUP = ("c", "y", "k_occupation")  # the query that carries the areas' least and greatest


def aggregates(source: str, group: tuple) -> dict:
    """The MIN and MAX of the area code (the facts' ka_code) of each key-area definition's rows of `source`,
    for the GROUP query."""
    out = {}
    for code in _definitions(source) if group == GROUP else []:
        q = DEFINITIONS[code].sources[source]
        out |= {f"least_{code}": Min("ka_code", filter=q), f"most_{code}": Max("ka_code", filter=q)}
    return out


def _definitions(source: str) -> list[str]:
    return [code for code in KEY_AREA_DEFINITIONS if source in DEFINITIONS[code].sources]


def add(breakdown, source: str, codes: list[str], rows, *, grouped, fetch, code_of, window) -> None:
    """Add the areas' cells of `source` to `breakdown` from the GROUP query's `rows` (county, year, occupation,
    a count per definition in `codes`, then least and greatest per key-area definition; None: run it here)."""
    definitions = _definitions(source)
    if not definitions:
        return
    if rows is None:
        sql, params, codes = grouped(source, GROUP, **window)
        rows = fetch(sql, params)
    mixed = defaultdict(set)  # county → years of the groups whose areas differ
    for county, year, occupation, *values in rows:
        unit = code_of.get(county)
        if not (unit and year):
            continue
        counts, bounds = dict(zip(codes, values, strict=False)), values[len(codes) :]
        for n, code in enumerate(definitions):
            least, most = bounds[2 * n], bounds[2 * n + 1]
            if least is not None and least == most:
                breakdown[(code, unit, year, "key_area", KEY_AREA_NAMES.get(least, least))] += counts[code]
            elif least is not None:
                mixed[county].add((year, occupation, code))
    if mixed:
        _recount(breakdown, source, mixed, grouped=grouped, fetch=fetch, code_of=code_of)


def _recount(breakdown, source, mixed, *, grouped, fetch, code_of) -> None:
    """The mixed groups counted by area: one query grouped by the area too, for their counties and years."""
    years = sorted({year for cells in mixed.values() for year, _, _ in cells})
    sql, params, codes = grouped(source, (*GROUP, "a"), counties=sorted(mixed), years=years)
    for county, year, occupation, area, *counts in fetch(sql, params):
        for code, n in zip(codes, counts, strict=False):
            if area is not None and n and (year, occupation, code) in mixed.get(county, ()):
                breakdown[(code, code_of[county], year, "key_area", KEY_AREA_NAMES.get(area, area))] += n
