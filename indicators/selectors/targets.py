"""Targets: the allocation of an indicator to a region's children (the targets page and its Excel template), how
far the children's targets are from the parent's."""

from django.db.models import Q
from django.utils.translation import gettext as _

from catalog.models import Region
from core import clock

from ..models import Indicator, Target
from .dashboard import children_rows
from .progress import Context


def own_target(indicator: Indicator, region: Region, year: int | None) -> Target | None:
    year = year if indicator.kind == Indicator.Kind.YEARLY else None
    return Target.objects.filter(indicator=indicator, region=region, year=year, city_own=False).first()


def allocation_gaps(indicator: Indicator, region: Region, year: int | None) -> dict | None:
    """Where children's targets (plus 市本级) do not add up to the parent's."""
    parent = Target.objects.filter(indicator=indicator, region=region, year=year, city_own=False).first()
    if parent is None:
        return None
    children = Target.objects.filter(indicator=indicator, year=year, region__parent=region, city_own=False)
    own = Target.objects.filter(indicator=indicator, year=year, region=region, city_own=True)
    total = sum(t.value for t in children) + sum(t.value for t in own)
    if not children.exists() and not own.exists():
        return None
    return {"parent": parent.value, "allocated": total, "difference": total - parent.value}


def allocation_rows(indicator: Indicator, region: Region, year: int | None) -> list[dict]:
    """Each child of `region` (and 市本级 for a city) with its target, stretch target, progress and, for a
    child that allocates further, whether its own children add up to it."""
    year = year if indicator.kind == Indicator.Kind.YEARLY else None
    progress = {}
    if indicator.definition:
        ctx = Context(indicator.plan, region, clock.today())
        progress = {(r["code"], r.get("city_own", False)): r for r in children_rows(ctx, indicator, year)}
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
                "allocates_further": not city_own and unit.level != Region.Level.COUNTY,
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
