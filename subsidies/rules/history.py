"""Against the archive ledger: same occupation and level, lower level after higher, yearly limit, overlap."""

from ..models import Severity
from .base import Hit, rule

LIMIT_SETTING = {"training": "yearly_limit_training", "skill_upgrade": "yearly_limit_skill_upgrade"}


@rule(
    code="DUPLICATE_OCCUPATION_LEVEL",
    severity=Severity.BLOCKING,
    version=1,
    message="已享受过本职业同等级的培训补贴（任何机构、地区、年度）",
)
def same_occupation_level(ctx):
    for line in ctx.lines:
        earlier = [
            r
            for r in ctx.ledger.get(line.trainee_id, [])
            if r[0] == ctx.occupation_id and r[1] == ctx.level_rank and r[3] == "training"
        ]
        if earlier:
            yield Hit(line.line_id, {"earlier": [{"year": r[2], "ref": r[4][:12]} for r in earlier]})


@rule(
    code="LOWER_LEVEL_AFTER_HIGHER",
    severity=Severity.BLOCKING,
    version=1,
    message="已享受过本职业更高等级的培训补贴，不能再补贴较低等级",
)
def lower_after_higher(ctx):
    for line in ctx.lines:
        higher = [
            r
            for r in ctx.ledger.get(line.trainee_id, [])
            if r[0] == ctx.occupation_id and r[1] > ctx.level_rank and r[3] == "training"
        ]
        if higher:
            yield Hit(line.line_id, {"higher_levels": sorted({r[1] for r in higher}), "this_level": ctx.level_rank})


@rule(code="YEARLY_LIMIT", severity=Severity.BLOCKING, version=1, message="本年度享受补贴次数已达上限")
def yearly_limit(ctx):
    limit = getattr(ctx.settings, LIMIT_SETTING.get(ctx.kind, "yearly_limit_training"))
    year = ctx.end.year
    for line in ctx.lines:
        count = sum(1 for r in ctx.ledger.get(line.trainee_id, []) if r[2] == year and r[3] == "training")
        if count >= limit:
            yield Hit(line.line_id, {"year": year, "count": count, "limit": limit}, f"（{year} 年已 {count} 次）")


@rule(code="TIME_OVERLAP", severity=Severity.BLOCKING, version=1, message="同一时间参加了另一个培训班")
def overlap(ctx):
    for line in ctx.lines:
        classes = ctx.overlapping.get(line.trainee_id)
        if classes:
            yield Hit(line.line_id, {"classes": classes}, "：" + "、".join(classes))


@rule(code="PHONE_FOLLOW_UP_DENIED", severity=Severity.BLOCKING, version=1, message="电话回访中本人否认参加培训")
def follow_up_denied(ctx):
    for line in ctx.lines:
        if line.line_id in ctx.follow_up_denials:
            yield Hit(line.line_id, {"outcome": "denies"})
