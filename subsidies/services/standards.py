"""Standards and region settings are data: the most specific applicable row wins."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from catalog.models import Region
from core.errors import DomainError
from core.policy import require
from institutions.selectors import urgent_occupation_ids

from ..models import Basis, RegionSetting, SubsidyStandard

CENT = Decimal("0.01")


def region_chain(region: Region) -> list[str]:
    """County, city, province codes: most specific first."""
    return [region.code[:n] for n in (6, 4, 2) if n <= len(region.code)]


def setting_for(region: Region) -> RegionSetting:
    rows = {
        s.region.code: s
        for s in RegionSetting.objects.filter(region__code__in=region_chain(region)).select_related("region")
    }
    for code in region_chain(region):
        if code in rows:
            return rows[code]
    return RegionSetting()  # the defaults: 50% advance, 80% attendance, 5 working days, 3 a year


def _same_key(q_standard) -> Q:
    s = q_standard
    return Q(
        claim_kind=s.claim_kind,
        region_id=s.region_id,
        training_type_id=s.training_type_id,
        occupation_id=s.occupation_id,
        urgent_only=s.urgent_only,
        skill_level_id=s.skill_level_id,
        mode=s.mode,
    )


@transaction.atomic
def standard_create(*, actor: User, **fields) -> SubsidyStandard:
    """Province, city or county staff set standards for their own region; periods never overlap for one key."""
    standard = SubsidyStandard(**fields)
    require(actor, "standard.create", standard, _("只能为本级区划设置补贴标准。"))
    if standard.occupation_id and standard.urgent_only:
        raise DomainError(_("指定职业的标准不必再勾选“仅急需紧缺职业”。"), field="urgent_only")
    if standard.basis == Basis.PER_DAY and not standard.min_hours_per_day:
        raise DomainError(_("按天补贴须设置每天最少课时。"), field="min_hours_per_day")
    standard.full_clean()
    # Lock the key's rows so two concurrent creations cannot both pass the overlap check.
    existing = list(SubsidyStandard.objects.select_for_update(of=("self",)).filter(_same_key(standard)))
    far = date.max
    for other in existing:
        if standard.valid_from <= (other.valid_to or far) and other.valid_from <= (standard.valid_to or far):
            raise DomainError(
                _("与已有标准（%(s)s，%(f)s 起）的有效期重叠。") % {"s": other, "f": other.valid_from},
                field="valid_from",
            )
    standard.save()
    audit_log(
        actor=actor,
        action="standard.created",
        target=standard,
        region=standard.region,
        details={"amount": str(standard.amount), "basis": standard.basis, "from": str(standard.valid_from)},
    )
    return standard


def standard_for(training_class, on: date | None = None, kind: str = "training") -> SubsidyStandard | None:
    """The standard for a class: county over city over province; then a named occupation over the urgent
    list over any occupation; then a named level and mode over any."""
    program = training_class.program
    on = on or training_class.start_date
    chain = region_chain(training_class.county)
    urgent = program.occupation_id in urgent_occupation_ids(region=training_class.county, year=on.year)
    candidates = SubsidyStandard.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on),
        claim_kind=kind,
        region__code__in=chain,
        valid_from__lte=on,
        training_type_id=training_class.training_type_id,
    ).filter(Q(occupation_id=program.occupation_id) | Q(occupation__isnull=True))
    candidates = candidates.filter(Q(skill_level_id=program.skill_level_id) | Q(skill_level__isnull=True))
    candidates = candidates.filter(Q(mode=training_class.mode) | Q(mode=""))
    if not urgent:
        candidates = candidates.filter(urgent_only=False)

    def specificity(s):
        occupation = 2 if s.occupation_id else (1 if s.urgent_only else 0)
        return (-chain.index(s.region.code), occupation, s.skill_level_id is not None, s.mode != "")

    ranked = sorted(candidates.select_related("region"), key=specificity, reverse=True)
    return ranked[0] if ranked else None


def line_amount(standard: SubsidyStandard, *, standard_hours: int, hours_by_day: dict) -> Decimal:
    """What one qualified person is paid under `standard`."""
    if standard.basis == Basis.PER_PERSON:
        amount = standard.amount
    elif standard.basis == Basis.PER_HOUR:
        amount = standard.amount * standard_hours
    else:  # per day: only days with at least the minimum hours count
        days = sum(1 for hours in hours_by_day.values() if hours >= standard.min_hours_per_day)
        amount = standard.amount * days
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)
