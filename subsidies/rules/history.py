"""Against the archive ledger: same occupation and level, lower level after higher, yearly limit, overlap;
and the phone follow-up."""

from collections import defaultdict

from django.utils.translation import gettext_lazy as _

from trainees.models import SubsidyKind

from ..models import ClaimKind, FollowUpOutcome, Severity
from .base import Hit, rule

# The region setting holding the yearly limit, by the claim's kind (any other kind: the training limit).
# No ClaimKind is a skill upgrade yet (技能提升补贴 is to be its own claim): that limit waits for it.
LIMIT_SETTING = {ClaimKind.TRAINING: "yearly_limit_training", SubsidyKind.SKILL_UPGRADE: "yearly_limit_skill_upgrade"}


def _training_subsidies_in_occupation(ctx, line):
    """The person's earlier training subsidies for this class's occupation (any level). An entrepreneurship
    class has no occupation: the occupation-and-level rules do not apply to it (see entrepreneurship.py)."""
    if ctx.occupation_id is None:
        return []
    return [
        entry
        for entry in ctx.ledger.get(line.trainee_id, [])
        if entry.occupation_id == ctx.occupation_id and entry.subsidy_kind == SubsidyKind.TRAINING
    ]


def _same_occupation_level_subsidies(ctx, line):
    """The person's earlier training or skill-upgrade subsidies (技能提升补贴, paid to the person: seed 000 §24,
    not together with the training subsidy) for this class's occupation and level; none for an entrepreneurship
    class, which has no occupation (see entrepreneurship.py)."""
    if ctx.occupation_id is None:
        return []
    kinds = {SubsidyKind.TRAINING, SubsidyKind.SKILL_UPGRADE}
    return [
        entry
        for entry in ctx.ledger.get(line.trainee_id, [])
        if entry.occupation_id == ctx.occupation_id
        and entry.level_rank == ctx.level_rank
        and entry.subsidy_kind in kinds
    ]


@rule(
    code="DUPLICATE_OCCUPATION_LEVEL",
    label=_("重复享受同职业同等级补贴"),
    severity=Severity.BLOCKING,
    version=2,
    message="已享受过本职业同等级的培训补贴或技能提升补贴（任何机构、地区、年度）",
)
def same_occupation_level(ctx):
    for line in ctx.lines:
        earlier = _same_occupation_level_subsidies(ctx, line)
        if earlier:
            yield Hit(line.line_id, {"earlier": [{"year": e.year, "ref": e.source_ref[:12]} for e in earlier]})


@rule(
    code="LOWER_LEVEL_AFTER_HIGHER",
    label=_("已享受更高等级补贴"),
    severity=Severity.BLOCKING,
    version=1,
    message="已享受过本职业更高等级的培训补贴，不能再补贴较低等级",
)
def lower_after_higher(ctx):
    for line in ctx.lines:
        higher = {e.level_rank for e in _training_subsidies_in_occupation(ctx, line) if e.level_rank > ctx.level_rank}
        if higher:
            yield Hit(line.line_id, {"higher_levels": sorted(higher), "this_level": ctx.level_rank})


@rule(
    code="YEARLY_LIMIT",
    label=_("年度次数已达上限"),
    severity=Severity.BLOCKING,
    version=1,
    message="本年度享受补贴次数已达上限",
)
def yearly_limit(ctx):
    limit = getattr(ctx.settings, LIMIT_SETTING.get(ctx.kind, LIMIT_SETTING[ClaimKind.TRAINING]))
    year = ctx.end.year
    for line in ctx.lines:
        count = sum(
            1
            for entry in ctx.ledger.get(line.trainee_id, [])
            if entry.year == year and entry.subsidy_kind == SubsidyKind.TRAINING
        )
        if count >= limit:
            yield Hit(line.line_id, {"year": year, "count": count, "limit": limit}, f"（{year} 年已 {count} 次）")


@rule(
    code="TIME_OVERLAP",
    label=_("培训时间重叠"),
    severity=Severity.BLOCKING,
    version=2,
    message="同一时间参加了另一个培训班",
)
def overlap(ctx):
    """Another class the person checked in at, at a session overlapping one of this class's in time; or (v2) a
    training in the migrated history on one of this class's days (history has dates, not hours)."""
    own = defaultdict(list)
    for session in ctx.sessions:
        own[session.day].append(session)
    for line in ctx.lines:
        classes = sorted(
            {
                other.class_name
                for other in ctx.other_check_ins.get(line.trainee_id, [])
                if any(other.start_time < s.end_time and s.start_time < other.end_time for s in own.get(other.day, []))
            }
        )
        archived = _archived_overlaps(ctx, line, own)
        if classes or archived:
            inputs = {"classes": classes}
            if archived:
                inputs["archived"] = [
                    {"from": str(a.start_date), "to": str(a.end_date), "institution": a.institution} for a in archived
                ]
            names = classes + [
                str(_("档案记录 %(f)s 至 %(t)s") % {"f": a.start_date, "t": a.end_date})
                + (f"（{a.institution}）" if a.institution else "")
                for a in archived
            ]
            yield Hit(line.line_id, inputs, "：" + "、".join(names))


def _archived_overlaps(ctx, line, own) -> list:
    """The person's history trainings spanning one of this class's session days (its dates if no timetable)."""
    mine = ctx.archived_trainings.get(line.trainee_id, [])  # loaded for dates overlapping the class's
    if not own:
        return list(mine)
    return [a for a in mine if any(a.start_date <= day <= a.end_date for day in own)]


@rule(
    code="PHONE_FOLLOW_UP_DENIED",
    label=_("回访本人否认参训"),
    severity=Severity.BLOCKING,
    version=1,
    message="电话回访中本人否认参加培训",
)
def follow_up_denied(ctx):
    for line in ctx.lines:
        if ctx.follow_up_outcomes.get(line.line_id) == FollowUpOutcome.DENIES:
            yield Hit(line.line_id, {"outcome": FollowUpOutcome.DENIES})
