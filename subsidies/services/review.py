"""The fast review of a claim: how each line's amount was computed (the breakdown the claim's lines are built
from), and approving at once every pending line on which the verification found nothing.

`amount_breakdown` is what `claims._build_lines` stores as each line's amount: the amount itself comes from
`standards.line_amount`, the breakdown adds the figures it multiplied (the standard's rate and the number of
persons, hours or days), so the page explains the very amount that was computed."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log

from ..models import Basis, ClaimLine, Finding, LineStatus, SubsidyClaim, SubsidyStandard
from ..workflows import CLAIM, LINE
from .standards import CENT, line_amount

# --- the amount of one line, explained ---------------------------------------------------------------------


@dataclass(frozen=True)
class AmountBreakdown:
    """rate × quantity = amount: per person (quantity 1), per hour (the program's standard hours) or per day
    (the days the person attended at least the standard's minimum hours)."""

    standard: SubsidyStandard
    basis: str  # Basis
    rate: Decimal  # the standard's amount, yuan per person, hour or day
    quantity: int
    amount: Decimal  # standards.line_amount: what the line is paid
    days_attended: int = 0  # per day: days with any attendance
    min_hours_per_day: int = 0  # per day: the standard's minimum

    @property
    def basis_label(self) -> str:
        return Basis(self.basis).label

    @property
    def unit(self) -> str:
        return {Basis.PER_PERSON: _("人"), Basis.PER_HOUR: _("课时"), Basis.PER_DAY: _("天")}[self.basis]

    @property
    def days_short(self) -> int:
        """Per day: days attended but below the minimum hours (not paid)."""
        return max(self.days_attended - self.quantity, 0) if self.basis == Basis.PER_DAY else 0

    @property
    def product(self) -> Decimal:
        return (self.rate * self.quantity).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def formula(self) -> str:
        return _("%(rate)s 元/%(unit)s × %(q)s %(unit)s = %(amount)s 元") % {
            "rate": self.rate,
            "unit": self.unit,
            "q": self.quantity,
            "amount": self.amount,
        }

    @property
    def quantity_note(self) -> str:
        """Where the quantity comes from, in words."""
        if self.basis == Basis.PER_HOUR:
            return _("按项目标准课时 %(h)s 课时计") % {"h": self.quantity}
        if self.basis == Basis.PER_DAY:
            note = _("出勤 %(d)s 天，其中 %(q)s 天达到每天最少 %(m)s 课时") % {
                "d": self.days_attended,
                "q": self.quantity,
                "m": self.min_hours_per_day,
            }
            if self.days_short:
                note += _("；%(s)s 天不足，不计补贴") % {"s": self.days_short}
            return note
        return _("每人定额")


def amount_breakdown(standard: SubsidyStandard, *, standard_hours: int, hours_by_day: dict) -> AmountBreakdown:
    """The line's amount (standards.line_amount) with the figures it multiplies."""
    amount = line_amount(standard, standard_hours=standard_hours, hours_by_day=hours_by_day)
    if standard.basis == Basis.PER_PERSON:
        quantity = 1
    elif standard.basis == Basis.PER_HOUR:
        quantity = standard_hours
    else:
        quantity = sum(1 for hours in hours_by_day.values() if hours >= standard.min_hours_per_day)
    return AmountBreakdown(
        standard=standard,
        basis=standard.basis,
        rate=standard.amount,
        quantity=quantity,
        amount=amount,
        days_attended=sum(1 for hours in hours_by_day.values() if hours > 0),
        min_hours_per_day=standard.min_hours_per_day,
    )


# --- approving every line without a finding ----------------------------------------------------------------


@dataclass(frozen=True)
class BulkApproval:
    approved: int  # lines approved by this call
    flagged_pending: int  # lines still pending (each has a finding): to be decided one by one
    next_line_id: int | None  # the first of them, where the page puts the reviewer next


def _clean_pending(claim: SubsidyClaim):
    """Pending lines on which the verification found nothing at all (no blocking finding, no warning)."""
    return claim.lines.filter(status=LineStatus.PENDING).exclude(Exists(Finding.objects.filter(line=OuterRef("pk"))))


def clean_pending_count(claim: SubsidyClaim) -> int:
    return _clean_pending(claim).count()


@transaction.atomic
def claim_approve_clean_lines(*, actor: User, claim: SubsidyClaim) -> BulkApproval:
    """Approve, in one transaction, every pending line of the claim that has no finding: each through the
    line workflow's `approve` (permission and guard), one audit event with the count. Running it again
    approves nothing more (the lines are no longer pending) and writes nothing."""
    from .claims import (
        _locked,
        start_review_on_first_decision,
    )  # claims builds its lines with amount_breakdown: imported when called

    claim = _locked(claim)
    CLAIM.check(actor, claim, "decide_lines")
    lines = list(_clean_pending(claim).select_for_update().order_by("id"))
    for line in lines:
        line.claim = claim
        decision = LINE.check(actor, line, "approve")
    if lines:
        ClaimLine.objects.filter(pk__in=[line.pk for line in lines]).update(
            status=decision.target, decision_reason="", decided_by=actor
        )
        start_review_on_first_decision(claim, actor)
        audit_log(
            actor=actor,
            action="claim.clean_lines_approved",
            target=claim,
            region=claim.county,
            details={"count": len(lines), "lines": [line.pk for line in lines][:500]},
        )
    pending = list(claim.lines.filter(status=LineStatus.PENDING).order_by("id").values_list("pk", flat=True))
    return BulkApproval(len(lines), len(pending), pending[0] if pending else None)
