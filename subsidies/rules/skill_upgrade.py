"""The 技能提升补贴 eligibility rules (seed 000 §24, DOMAIN.md), each one function with a code, a version and a
Chinese message, over a SkillUpgradeContext (loaded by services.skill_upgrade with a fixed number of queries).
Their own registry: they judge one application, not a claim's lines, so the claim engine never runs them."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from trainees.models import CertificateType, SubsidyKind

from ..models import Severity
from .base import Hit, Rule

# The national ceilings by level (DOMAIN.md: 初级 ≤1000, 中级 ≤1500, 高级 ≤2000). The seeds name no separate
# amount for 技师 and 高级技师: they get the 高级 ceiling. 学徒工 and the levels above 高级技师 are not certificates
# this subsidy pays for.
AMOUNT_BY_LEVEL = {
    "level5": Decimal("1000"),
    "level4": Decimal("1500"),
    "level3": Decimal("2000"),
    "level2": Decimal("2000"),
    "level1": Decimal("2000"),
}
ELIGIBLE_CERTIFICATES = {CertificateType.QUALIFICATION, CertificateType.SKILL_LEVEL}
WINDOW_MONTHS = 12
MIN_INSURED_MONTHS = 12


@dataclass(frozen=True)
class Earlier:
    """A subsidy the person already has (or has been promised): from the ledger or an open application."""

    kind: str  # SubsidyKind
    occupation_id: int
    level_rank: int
    year: int
    urgent: bool = False
    ref: str = ""


@dataclass
class SkillUpgradeContext:
    certificate_type: str
    level_code: str | None
    level_rank: int
    occupation_id: int
    issue_date: date
    filed_on: date
    insured_months: int
    urgent: bool
    base_limit: int  # RegionSetting.yearly_limit_skill_upgrade
    urgent_extra: int  # RegionSetting.skill_upgrade_urgent_extra
    earlier: list[Earlier] = field(default_factory=list)
    hits: dict = field(default_factory=dict)


SKILL_UPGRADE_RULES: list[Rule] = []


def su_rule(*, code: str, label, version: int, message: str):
    def register(check):
        if any(r.code == code for r in SKILL_UPGRADE_RULES):
            raise ValueError(f"rule {code} is registered twice")
        SKILL_UPGRADE_RULES.append(Rule(code, Severity.BLOCKING, version, message, check, label))
        return check

    return register


def months_after(day: date, months: int) -> date:
    """The same day `months` later (the last day of a shorter month)."""
    from calendar import monthrange

    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


@su_rule(
    code="SU_CERTIFICATE_TYPE",
    label=_("证书类型不符"),
    version=1,
    message="只有职业资格证书或职业技能等级证书（初级工至高级技师）可以申领技能提升补贴",
)
def certificate_type(ctx):
    if ctx.certificate_type not in ELIGIBLE_CERTIFICATES or ctx.level_code not in AMOUNT_BY_LEVEL:
        yield Hit(None, {"type": ctx.certificate_type, "level": ctx.level_code})


@su_rule(code="SU_WINDOW", label=_("超过申领期限"), version=1, message="须在取得证书之日起 12 个月内申领")
def within_window(ctx):
    last = months_after(ctx.issue_date, WINDOW_MONTHS)
    if not ctx.issue_date <= ctx.filed_on <= last:
        yield Hit(None, {"issued": str(ctx.issue_date), "last_day": str(last)}, f"（截止 {last}）")


@su_rule(code="SU_INSURED_MONTHS", label=_("参保不足 12 个月"), version=1, message="失业保险累计缴费须满 12 个月")
def insured_long_enough(ctx):
    if ctx.insured_months < MIN_INSURED_MONTHS:
        yield Hit(None, {"months": ctx.insured_months}, f"（{ctx.insured_months} 个月）")


def _same_occupation(ctx, kind):
    return [e for e in ctx.earlier if e.kind == kind and e.occupation_id == ctx.occupation_id]


@su_rule(
    code="SU_DUPLICATE",
    label=_("已享受同职业同等级技能提升补贴"),
    version=1,
    message="已享受过本职业同等级的技能提升补贴",
)
def same_occupation_level(ctx):
    same = [e for e in _same_occupation(ctx, SubsidyKind.SKILL_UPGRADE) if e.level_rank == ctx.level_rank]
    if same:
        yield Hit(None, {"earlier": [e.ref for e in same]})


@su_rule(
    code="SU_LOWER_AFTER_HIGHER",
    label=_("已享受更高等级技能提升补贴"),
    version=1,
    message="已享受过本职业更高等级的技能提升补贴，不能再申领较低等级",
)
def lower_after_higher(ctx):
    higher = sorted(
        {e.level_rank for e in _same_occupation(ctx, SubsidyKind.SKILL_UPGRADE) if e.level_rank > ctx.level_rank}
    )
    if higher:
        yield Hit(None, {"higher_levels": higher, "this_level": ctx.level_rank})


@su_rule(
    code="SU_TRAINING_SAME_LEVEL",
    label=_("已享受同职业同等级培训补贴"),
    version=1,
    message="已享受过本职业同等级的职业培训补贴，不能重复享受技能提升补贴",
)
def not_with_training_subsidy(ctx):
    same = [e for e in _same_occupation(ctx, SubsidyKind.TRAINING) if e.level_rank == ctx.level_rank]
    if same:
        yield Hit(None, {"earlier": [e.ref for e in same]})


@su_rule(
    code="SU_YEARLY_LIMIT",
    label=_("年度技能提升补贴次数已满"),
    version=1,
    message="本年度技能提升补贴次数已达上限（急需紧缺职业可增加次数）",
)
def yearly_limit(ctx):
    """At most `base_limit` a year, plus `urgent_extra` more for urgent-shortage occupations: the urgent ones fill
    the extra places first, so an ordinary occupation is refused once the base places are taken by it or by
    urgent ones beyond the extras."""
    this_year = [e for e in ctx.earlier if e.kind == SubsidyKind.SKILL_UPGRADE and e.year == ctx.filed_on.year]
    urgent = sum(1 for e in this_year if e.urgent)
    ordinary = len(this_year) - urgent
    base_used = ordinary + max(0, urgent - ctx.urgent_extra)
    full = len(this_year) >= ctx.base_limit + ctx.urgent_extra if ctx.urgent else base_used >= ctx.base_limit
    if full:
        yield Hit(
            None,
            {"year": ctx.filed_on.year, "count": len(this_year), "urgent": urgent},
            f"（{ctx.filed_on.year} 年已 {len(this_year)} 次）",
        )


@dataclass(frozen=True)
class Finding:
    code: str
    label: str
    message: str
    detail: str
    version: int


def findings(ctx) -> list[Finding]:
    """Every rule's hits on `ctx`, each rule run once, in registry order."""
    return [
        Finding(r.code, str(r.label), r.message, hit.detail, r.version)
        for r in SKILL_UPGRADE_RULES
        for hit in r.run(ctx)
    ]


def amount_for(level_code: str | None) -> Decimal | None:
    return AMOUNT_BY_LEVEL.get(level_code or "")
