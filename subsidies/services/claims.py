"""Subsidy claims: preparation, verification by the rules, and the review person by person. Every step is a
transition of subsidies.workflows.CLAIM (or LINE), checked before the claim changes. The public notice and the
approval after it are in notices.py, objections in objections.py, materials in materials.py."""

import json
from decimal import Decimal
from importlib import import_module

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from core import clock
from core.enqueue import enqueue_on_commit
from core.errors import DomainError
from core.policy import require
from training.models import ClassStatus, Enrollment

from .. import rules
from ..models import ClaimKind, ClaimLine, ClaimStatusChange, Finding, Severity, SubsidyClaim
from ..rules.context import attended_hours, load
from ..workflows import CLAIM, LINE
from .review import amount_breakdown
from .standards import setting_for, standard_for

CLAIMABLE_CLASS = {ClassStatus.COMPLETED, ClassStatus.CLOSED}  # the class's own statuses (training app)


def _move(claim: SubsidyClaim, to_status: str, actor: User | None, reason: str = "", action: str = "") -> None:
    """Record the status change (history and audit event) of a transition already checked."""
    ClaimStatusChange.objects.create(
        claim=claim, from_status=claim.status, to_status=to_status, reason=reason, actor=actor
    )
    claim.status = to_status
    claim.save(update_fields=["status"])
    audit_log(
        actor=actor,
        action=action or f"claim.{to_status}",
        target=claim,
        region=claim.county,
        details={"reason": reason} if reason else {},
    )


def _locked(claim: SubsidyClaim) -> SubsidyClaim:
    return (
        SubsidyClaim.objects.select_for_update(of=("self",))
        .select_related("training_class__program__skill_level", "county", "standard")
        .get(pk=claim.pk)
    )


def _enqueue_verification(claim: SubsidyClaim) -> None:
    from ..tasks import verify_claim

    enqueue_on_commit(verify_claim, claim.pk)


# --- preparation ----------------------------------------------------------------------------------------


@transaction.atomic
def claim_create(*, actor: User, training_class, kind: str = ClaimKind.TRAINING) -> SubsidyClaim:
    """A claim for a completed class: one line per enrolled person, the amount from the applicable standard."""
    require(actor, "claim.create", training_class, _("只能为本机构的培训班申请补贴。"))
    if training_class.status not in CLAIMABLE_CLASS:
        raise DomainError(_("培训班结业后才能申请补贴（当前为“%(s)s”）。") % {"s": training_class.get_status_display()})
    if SubsidyClaim.objects.filter(training_class=training_class, kind=kind).exists():
        raise DomainError(_("该培训班已有同类补贴申请，不能重复申请。"), field="kind")
    standard = standard_for(training_class, kind=kind)
    if standard is None:
        raise DomainError(_("没有适用于该培训班的补贴标准，请联系人社局。"))
    try:
        with transaction.atomic():
            claim = SubsidyClaim.objects.create(
                training_class=training_class,
                institution=training_class.institution,
                county=training_class.county,
                kind=kind,
                standard=standard,
                created_by=actor,
            )
    except IntegrityError:
        raise DomainError(_("该培训班已有同类补贴申请，不能重复申请。"), field="kind") from None
    _build_lines(claim)
    ClaimStatusChange.objects.create(claim=claim, to_status=claim.status, actor=actor)
    audit_log(
        actor=actor,
        action="claim.created",
        target=claim,
        region=claim.county,
        details={"lines": claim.lines.count(), "requested": str(claim.requested_amount)},
    )
    return claim


def _build_lines(claim: SubsidyClaim) -> None:
    """Lines for every enrolled person; amounts from the standard and each person's attendance by day."""
    training_class = claim.training_class
    by_day = attended_hours(claim).by_day
    enrollments = Enrollment.objects.filter(training_class=training_class).values_list("id", "trainee_id")
    lines = [
        ClaimLine(
            claim=claim,
            enrollment_id=e,
            trainee_id=t,
            amount=amount_breakdown(  # the page shows the same breakdown (selectors.claim_review_lines)
                claim.standard, standard_hours=training_class.program.standard_hours, hours_by_day=by_day.get(e, {})
            ).amount,
        )
        for e, t in enrollments
    ]
    ClaimLine.objects.bulk_create(lines, batch_size=1000)
    claim.requested_amount = sum((line.amount for line in lines), Decimal(0))
    claim.save(update_fields=["requested_amount"])


@transaction.atomic
def claim_submit(*, actor: User, claim: SubsidyClaim) -> SubsidyClaim:
    """Submit (or resubmit after a return): verification starts in the background."""
    claim = _locked(claim)
    action = "resubmit" if claim.status in CLAIM.sources("resubmit") else "submit"
    submitted = CLAIM.check(actor, claim, action)
    if action == "resubmit":  # the roster, attendance or results may have been corrected: recompute lines and amounts
        claim.findings.all().delete()
        claim.lines.all().delete()
        _build_lines(claim)
    claim.submitted_at = clock.now()
    claim.save(update_fields=["submitted_at"])
    _move(claim, submitted.target, actor)
    queued = CLAIM.check(None, claim, "queue_verification")
    _move(claim, queued.target, actor, action="claim.verification_queued")
    _enqueue_verification(claim)
    return claim


# --- verification ---------------------------------------------------------------------------------------


def _finding_rows(claim: SubsidyClaim, ctx) -> list[Finding]:
    return [
        Finding(
            claim=claim,
            line_id=hit.line_id,
            rule_code=rule.code,
            rule_version=rule.version,
            severity=rule.severity,
            message=(rule.message + hit.detail)[:500],
            inputs=json.loads(json.dumps(hit.inputs, default=str)),
        )
        for rule, hit in ((o.rule, o.hit) for o in rules.evaluate(ctx))
    ]


@transaction.atomic
def claim_verify(claim_id: int) -> SubsidyClaim:
    """Run every rule over the whole claim. Idempotent: a re-run replaces the findings, never adds to them;
    warnings already accepted by staff stay accepted when the same rule finds the same thing again."""
    claim = _locked(SubsidyClaim(pk=claim_id))
    try:
        CLAIM.check(None, claim, "verify")
    except DomainError:  # decided since it was queued (returned, rejected, approved): nothing to verify
        return claim
    ctx = load(claim, setting_for(claim.county))
    # An acceptance holds for the same rule finding the same thing on the same line, not for a new finding.
    accepted = {(f.line_id, f.rule_code, f.message): f for f in claim.findings.exclude(accepted_reason="")}
    rows = _finding_rows(claim, ctx)
    for row in rows:
        kept = accepted.get((row.line_id, row.rule_code, row.message))
        if kept and row.severity == Severity.WARNING:
            row.accepted_reason, row.accepted_by = kept.accepted_reason, kept.accepted_by
    claim.findings.all().delete()
    Finding.objects.bulk_create(rows, batch_size=1000)
    # A line approved earlier that now has a blocking finding (a phone follow-up denial, say) is decided again;
    # while the notice runs it can no longer be, and is struck off.
    blocked = {r.line_id for r in rows if r.severity == Severity.BLOCKING and r.line_id}
    during_notice = claim.status in CLAIM.sources("approve")
    claim.lines.filter(pk__in=blocked, status=LINE["approve"].target).update(
        status=LINE["strike" if during_notice else "reopen"].target,
        decision_reason=_("重新核验发现阻断性问题。"),
    )
    claim.verified_at = clock.now()
    claim.save(update_fields=["verified_at"])
    if claim.status in CLAIM.sources("finish_verification"):
        done = CLAIM.check(None, claim, "finish_verification")
        _move(claim, done.target, None, action="claim.verified")
    return claim


@transaction.atomic
def claim_reverify(*, actor: User, claim: SubsidyClaim) -> None:
    claim = _locked(claim)
    CLAIM.check(actor, claim, "reverify")
    audit_log(actor=actor, action="claim.reverify_requested", target=claim, region=claim.county)
    _enqueue_verification(claim)


STUCK_AFTER_MINUTES = 5


def claims_stuck_in_verification() -> list[int]:
    """Claims submitted for verification whose task never ran (broker down at submission, worker lost)."""
    cutoff = clock.now() - timezone.timedelta(minutes=STUCK_AFTER_MINUTES)
    waiting = CLAIM.sources("finish_verification")
    return list(SubsidyClaim.objects.filter(status__in=waiting, submitted_at__lt=cutoff).values_list("pk", flat=True))


# --- review ---------------------------------------------------------------------------------------------


@transaction.atomic
def line_decide(*, actor: User, line: ClaimLine, approve: bool, reason: str = "") -> ClaimLine:
    """Approve or reject one line. A blocking finding cannot be approved; a warning can, with a written reason."""
    claim = _locked(line.claim)
    CLAIM.check(actor, claim, "decide_lines")
    line = ClaimLine.objects.select_for_update().get(pk=line.pk, claim=claim)
    line.claim = claim
    decision = LINE.check(actor, line, "approve" if approve else "reject")
    reason = (reason or "").strip()
    findings = list(line.findings.all())
    if approve:
        if any(f.is_blocking for f in findings):
            raise DomainError(_("该人员有阻断性问题，不能通过。"))
        open_warnings = [f for f in findings if f.is_warning and not f.accepted_reason]
        if open_warnings and not reason:
            raise DomainError(_("该人员有提示性问题：通过须填写接受理由。"), field="reason")
        for f in open_warnings:
            f.accepted_reason, f.accepted_by = reason[:500], actor
            f.save(update_fields=["accepted_reason", "accepted_by"])
    elif not reason:
        raise DomainError(_("不通过须填写理由。"), field="reason")
    line.status = decision.target
    line.decision_reason, line.decided_by = reason[:500], actor
    line.save(update_fields=["status", "decision_reason", "decided_by"])
    start_review_on_first_decision(claim, actor)
    audit_log(
        actor=actor,
        action="claim.line_approved" if approve else "claim.line_rejected",
        target=claim,
        region=claim.county,
        details={"line": line.pk, "reason": reason[:200]},
    )
    return line


@transaction.atomic
def claim_accept_warning(*, actor: User, finding: Finding, reason: str) -> Finding:
    """Accept a claim-level warning (one that names no line) with a written reason."""
    claim = _locked(finding.claim)
    CLAIM.check(actor, claim, "accept_warning")
    if not finding.is_warning:
        raise DomainError(_("阻断性问题不能接受。"))
    if not (reason or "").strip():
        raise DomainError(_("请填写接受理由。"), field="reason")
    finding.accepted_reason, finding.accepted_by = reason.strip()[:500], actor
    finding.save(update_fields=["accepted_reason", "accepted_by"])
    audit_log(
        actor=actor,
        action="claim.warning_accepted",
        target=claim,
        region=claim.county,
        details={"rule": finding.rule_code, "reason": reason.strip()[:200]},
    )
    return finding


@transaction.atomic
def claim_return(*, actor: User, claim: SubsidyClaim, reason: str) -> SubsidyClaim:
    """Back to the institution for corrections: every line is decided again after the resubmission."""
    claim = _locked(claim)
    returned = CLAIM.check(actor, claim, "return")
    if not (reason or "").strip():
        raise DomainError(_("退回须填写理由。"), field="reason")
    claim.lines.filter(status__in=LINE.sources("reopen")).update(status=LINE["reopen"].target, decision_reason="")
    _move(claim, returned.target, actor, reason.strip())
    return claim


@transaction.atomic
def claim_reject(*, actor: User, claim: SubsidyClaim, reason: str) -> SubsidyClaim:
    """No subsidy for the claim (不予补贴): every line is struck off."""
    claim = _locked(claim)
    rejected = CLAIM.check(actor, claim, "reject")
    if not (reason or "").strip():
        raise DomainError(_("请填写理由。"), field="reason")
    claim.lines.filter(status__in=LINE.sources("strike")).update(status=LINE["strike"].target)
    _move(claim, rejected.target, actor, reason.strip())
    return claim


# --- moved ----------------------------------------------------------------------------------------------
# The public notice, objections and materials have modules of their own; their names stay importable from here
# for the code that imported them from claims (tests/security, bench, older callers).

MOVED = {
    "claim_approve_after_notice": "notices",
    "claim_send_to_notice": "notices",
    "content_hash": "notices",
    "notice_content": "notices",
    "notice_is_intact": "notices",
    "notices_due": "notices",
    "objection_file": "objections",
    "objection_resolve": "objections",
    "MATERIAL_MAX_BYTES": "materials",
    "MATERIAL_TYPES": "materials",
    "claim_material_add": "materials",
}


def __getattr__(name: str):
    if name in MOVED:
        return getattr(import_module(f"{__package__}.{MOVED[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def start_review_on_first_decision(claim: SubsidyClaim, actor: User) -> None:
    """The first line decision on a verified claim starts its review (the reviewer is recorded)."""
    if claim.status in CLAIM.sources("start_review"):
        started = CLAIM.check(None, claim, "start_review")
        claim.reviewed_by = actor
        claim.save(update_fields=["reviewed_by"])
        _move(claim, started.target, actor, action="claim.review_started")
