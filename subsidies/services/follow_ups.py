"""电话回访: a sample of a claim's people, sized from confidence and margin of error (or everyone)."""

import math
import random

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from core import clock
from core.enqueue import enqueue_on_commit
from core.errors import DomainError
from core.policy import require

from ..models import FollowUpOutcome, PhoneFollowUp, SubsidyClaim

Z = {0.90: 1.645, 0.95: 1.96, 0.99: 2.576}


def sample_size(population: int, *, confidence: float = 0.95, margin: float = 0.05) -> int:
    """Cochran's formula with the finite-population correction, p = 0.5."""
    if population <= 0:
        return 0
    n0 = Z[confidence] ** 2 * 0.25 / margin**2
    return min(population, math.ceil(n0 / (1 + (n0 - 1) / population)))


@transaction.atomic
def follow_ups_draw(
    *, actor: User, claim: SubsidyClaim, confidence: float = 0.95, margin: float = 0.05, everyone: bool = False
) -> list[PhoneFollowUp]:
    require(actor, "follow_up.draw", claim, _("该补贴申请不在您的管辖范围内。"))
    if confidence not in Z:
        raise DomainError(_("置信水平只能是 90%、95% 或 99%。"), field="confidence")
    if not 0 < margin < 0.5:
        raise DomainError(_("允许误差应在 0 到 50% 之间。"), field="margin")
    if claim.follow_ups.exists():
        raise DomainError(_("该申请已抽取回访名单。"))
    lines = list(claim.lines.order_by("id"))
    size = len(lines) if everyone else sample_size(len(lines), confidence=confidence, margin=margin)
    chosen = random.Random(f"claim-{claim.pk}").sample(lines, size)  # noqa: S311 - reproducible on purpose
    rows = PhoneFollowUp.objects.bulk_create([PhoneFollowUp(claim=claim, line=line) for line in chosen])
    audit_log(actor=actor, action="follow_up.drawn", target=claim, region=claim.county, details={"size": size})
    return rows


@transaction.atomic
def follow_up_record(*, actor: User, follow_up: PhoneFollowUp, outcome: str, notes: str = "") -> PhoneFollowUp:
    """Record a call. A denial of attending becomes a blocking finding on the line (the claim is re-verified)."""
    claim = follow_up.claim
    require(actor, "follow_up.record", follow_up, _("该补贴申请不在您的管辖范围内。"))
    if outcome not in FollowUpOutcome.values:
        raise DomainError(_("请选择回访结果。"), field="outcome")
    follow_up.outcome, follow_up.notes = outcome, notes.strip()[:500]
    follow_up.called_at, follow_up.caller = clock.now(), actor
    follow_up.save()
    audit_log(
        actor=actor,
        action="follow_up.recorded",
        target=claim,
        region=claim.county,
        details={"line": follow_up.line_id, "outcome": outcome},
    )
    if outcome == FollowUpOutcome.DENIES:  # re-verify: the denial becomes a blocking finding on the line
        from ..tasks import verify_claim

        enqueue_on_commit(verify_claim, claim.pk)
    return follow_up
