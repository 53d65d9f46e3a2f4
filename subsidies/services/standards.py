"""Standards and region settings are data: the most specific applicable row wins."""

from datetime import date, timedelta
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


# Fields a version may change; the key (region, claim kind, training type, occupation, urgent, level, mode) stays.
VERSIONED_FIELDS = ("basis", "amount", "min_hours_per_day", "document")
EDITABLE_FIELDS = (
    "claim_kind",
    "valid_from",
    "valid_to",
    "training_type",
    "occupation",
    "urgent_only",
    "skill_level",
    "mode",
    *VERSIONED_FIELDS,
)


def _validate(standard: SubsidyStandard) -> None:
    """The standard's own rules, then no overlap with another standard of its key (rows locked)."""
    if standard.occupation_id and standard.urgent_only:
        raise DomainError(_("指定职业的标准不必再勾选“仅急需紧缺职业”。"), field="urgent_only")
    if standard.basis == Basis.PER_DAY and not standard.min_hours_per_day:
        raise DomainError(_("按天补贴须设置每天最少课时。"), field="min_hours_per_day")
    if standard.valid_to and standard.valid_to < standard.valid_from:
        raise DomainError(_("失效日期不能早于生效日期。"), field="valid_to")
    standard.full_clean()
    # Lock the key's rows so two concurrent writes cannot both pass the overlap check.
    existing = SubsidyStandard.objects.select_for_update(of=("self",)).filter(_same_key(standard))
    far = date.max
    for other in existing.exclude(pk=standard.pk) if standard.pk else existing:
        if standard.valid_from <= (other.valid_to or far) and other.valid_from <= (standard.valid_to or far):
            raise DomainError(
                _("与已有标准（%(s)s，%(f)s 起）的有效期重叠：请先为它设置失效日期，或改为其后的生效日期。")
                % {"s": other, "f": other.valid_from},
                field="valid_from",
            )


@transaction.atomic
def standard_create(*, actor: User, **fields) -> SubsidyStandard:
    """The province sets its guideline and each city its own standards (the page's permission, standard.manage);
    counties apply them. Periods never overlap for one key."""
    standard = SubsidyStandard(**fields)
    require(
        actor,
        "standard.manage",
        standard,
        _("补贴标准由省级（指导标准）和市级人社部门为本级区划制定，县区执行上级标准。"),
    )
    _validate(standard)
    standard.save()
    audit_log(
        actor=actor,
        action="standard.created",
        target=standard,
        region=standard.region,
        details={"amount": str(standard.amount), "basis": standard.basis, "from": str(standard.valid_from)},
    )
    return standard


def standard_in_use(standard: SubsidyStandard) -> bool:
    """A claim was computed from it: it is never changed in place again (a new version, from a date)."""
    return standard.claims.exists()


def standard_versions(standard: SubsidyStandard) -> list[SubsidyStandard]:
    """Every standard of the same key (region, kind, type, occupation, urgency, level, mode), oldest first."""
    return list(SubsidyStandard.objects.filter(_same_key(standard)).order_by("valid_from", "pk"))


def _last_class_start(standard: SubsidyStandard) -> date | None:
    """The latest start date of a class whose claim uses the standard (the day standard_for chose it on)."""
    starts = standard.claims.values_list("training_class__start_date", flat=True).order_by(
        "-training_class__start_date"
    )
    return starts.first()


def _locked_standard(standard: SubsidyStandard) -> SubsidyStandard:
    return SubsidyStandard.objects.select_for_update(of=("self",)).select_related("region").get(pk=standard.pk)


@transaction.atomic
def standard_update(*, actor: User, standard: SubsidyStandard, **fields) -> SubsidyStandard:
    """Correct a standard no claim uses yet, in place. A standard in use is revised (standard_revise) instead."""
    standard = _locked_standard(standard)
    require(actor, "standard.manage", standard, _("只能修改本级区划的补贴标准。"))
    if standard_in_use(standard):
        raise DomainError(_("该标准已被补贴申请使用，不能直接修改：请“从某日起发布新版本”，旧版本自动停用。"))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(_("不能修改的字段：%(f)s。") % {"f": "、".join(sorted(unknown))})
    before = {name: str(getattr(standard, name)) for name in fields}
    for name, value in fields.items():
        setattr(standard, name, value)
    _validate(standard)
    standard.save()
    changed = {
        name: [before[name], str(getattr(standard, name))]
        for name in fields
        if before[name] != str(getattr(standard, name))
    }
    audit_log(actor=actor, action="standard.updated", target=standard, region=standard.region, details=changed)
    return standard


@transaction.atomic
def standard_revise(*, actor: User, standard: SubsidyStandard, valid_from: date, **fields) -> SubsidyStandard:
    """A new version of `standard` from `valid_from` (new amount, basis, minimum hours or document): the old
    version ends the day before, so classes that started earlier keep the standard their claims were computed
    from. The new version starts after every class whose claim uses the old one."""
    old = _locked_standard(standard)
    require(actor, "standard.manage", old, _("只能修改本级区划的补贴标准。"))
    unknown = set(fields) - set(VERSIONED_FIELDS)
    if unknown:
        raise DomainError(_("新版本只能改变标准、计算方式、每天最少课时和依据文件。"))
    if valid_from <= old.valid_from:
        raise DomainError(
            _("新版本的生效日期应晚于原标准的生效日期（%(d)s）。") % {"d": old.valid_from}, field="valid_from"
        )
    if old.valid_to and valid_from > old.valid_to:
        raise DomainError(_("原标准已于 %(d)s 失效：请直接新建标准。") % {"d": old.valid_to}, field="valid_from")
    last = _last_class_start(old)
    if last and valid_from <= last:
        raise DomainError(
            _("已有开班日期为 %(d)s 的培训班按原标准申请补贴：新版本的生效日期应晚于该日期。") % {"d": last},
            field="valid_from",
        )
    new = SubsidyStandard(
        **{f.name: getattr(old, f.name) for f in SubsidyStandard._meta.concrete_fields if f.name not in ("id",)}
    )
    new.pk = None
    for name, value in fields.items():
        setattr(new, name, value)
    new.valid_from, new.valid_to = valid_from, old.valid_to
    old.valid_to = valid_from - timedelta(days=1)
    old.save(update_fields=["valid_to"])
    _validate(new)
    new.save()
    audit_log(
        actor=actor,
        action="standard.retired",
        target=old,
        region=old.region,
        details={"to": str(old.valid_to), "successor": new.pk},
    )
    audit_log(
        actor=actor,
        action="standard.revised",
        target=new,
        region=new.region,
        details={
            "previous": old.pk,
            "from": str(new.valid_from),
            "amount": [str(old.amount), str(new.amount)],
            "basis": [old.basis, new.basis],
        },
    )
    return new


@transaction.atomic
def standard_retire(*, actor: User, standard: SubsidyStandard, valid_to: date) -> SubsidyStandard:
    """停用: the standard ends on `valid_to`, never before a class whose claim uses it started."""
    standard = _locked_standard(standard)
    require(actor, "standard.manage", standard, _("只能停用本级区划的补贴标准。"))
    if valid_to < standard.valid_from:
        raise DomainError(_("失效日期不能早于生效日期（%(d)s）。") % {"d": standard.valid_from}, field="valid_to")
    if standard.valid_to and valid_to >= standard.valid_to:
        raise DomainError(_("该标准已于 %(d)s 失效。") % {"d": standard.valid_to}, field="valid_to")
    last = _last_class_start(standard)
    if last and valid_to < last:
        raise DomainError(
            _("已有开班日期为 %(d)s 的培训班按该标准申请补贴：失效日期不能早于该日期。") % {"d": last},
            field="valid_to",
        )
    standard.valid_to = valid_to
    standard.save(update_fields=["valid_to"])
    audit_log(
        actor=actor, action="standard.retired", target=standard, region=standard.region, details={"to": str(valid_to)}
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
