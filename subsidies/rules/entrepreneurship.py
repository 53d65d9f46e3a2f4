"""创业培训 (seed 000 §(四)): the stages (创业意识, 创办企业, 改善企业, 网络创业, 模拟实训) have no occupation or
level; each is subsidized once per person. The seeds name no order between stages (they are offered "针对不同
创业阶段"), so no rule asks for an earlier stage first. The yearly limit (history.yearly_limit) counts these
subsidies like any training subsidy."""

from django.utils.translation import gettext_lazy as _

from trainees.models import SubsidyKind

from ..models import Severity
from .base import Hit, rule


@rule(
    code="DUPLICATE_ENTREPRENEURSHIP_STAGE",
    label=_("重复享受同阶段创业培训补贴"),
    severity=Severity.BLOCKING,
    version=1,
    message="已享受过本阶段的创业培训补贴（任何机构、地区、年度）",
)
def same_stage(ctx):
    if ctx.stage_id is None:
        return
    for line in ctx.lines:
        earlier = [
            e
            for e in ctx.ledger.get(line.trainee_id, [])
            if e.stage_id == ctx.stage_id and e.subsidy_kind == SubsidyKind.TRAINING
        ]
        if earlier:
            yield Hit(line.line_id, {"earlier": [{"year": e.year, "ref": e.source_ref[:12]} for e in earlier]})
