"""Subsidy standards for the subsidies tests, set through standard_create by a user of the region (from
STANDARD_FROM, open-ended) or written with the ORM where the service cannot, and the skill levels and training
types they name; re-exported by tests/subsidies/factories.py."""

from datetime import date
from decimal import Decimal

from catalog.models import Region, SkillLevel, TrainingType
from subsidies.models import SubsidyStandard
from subsidies.services import standards

from .factories_users import bureau, province

STANDARD_FROM = date(2024, 1, 1)


def level(code: str = "level5") -> SkillLevel:
    return SkillLevel.objects.get(code=code)


def training_type(code: str = "employment_skills") -> TrainingType:
    return TrainingType.objects.get(code=code)


def make_standard(region_code: str = "23", *, amount=1000, basis="per_person", **kw) -> SubsidyStandard:
    """A standard set through standard_create by a user of that region (from 2024-01-01, open-ended)."""
    actor = province() if len(region_code) == 2 else bureau(region_code)
    fields = {
        "region": actor.region,
        "valid_from": STANDARD_FROM,
        "training_type": training_type(),
        "amount": Decimal(amount),
        "basis": basis,
        **kw,
    }
    return standards.standard_create(actor=actor, **fields)


def make_standard_row(region_code: str = "23", *, amount=1000, basis="per_person", **kw) -> SubsidyStandard:
    """A standard written with the ORM, bypassing standard_create: only for standards the service cannot
    create — on PostgreSQL any skill level (see test_standards, the FOR UPDATE over an outer join), and a county's
    own (counties apply the city's; the lookup still prefers the nearest region, as a migrated one may be)."""
    fields = {
        "region": Region.objects.get(code=region_code),
        "valid_from": STANDARD_FROM,
        "training_type": training_type(),
        "amount": Decimal(amount),
        "basis": basis,
        **kw,
    }
    standard = SubsidyStandard(**fields)
    standard.full_clean()
    standard.save()
    return standard


def ensure_standard(region_code: str = "23", **kw) -> SubsidyStandard:
    """The per-person standard for 初级工 就业技能培训 of a region (1000 yuan), set through standard_create once
    and reused by the next classes of the test. (A named level: standard_create fails on PostgreSQL for an
    any-level standard.)"""
    existing = SubsidyStandard.objects.filter(
        claim_kind="training",
        region__code=region_code,
        training_type=training_type(),
        occupation=None,
        skill_level=level("level5"),
        urgent_only=False,
        mode="",
    ).first()
    return existing or make_standard(region_code, skill_level=level("level5"), **kw)
