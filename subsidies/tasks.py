from celery import shared_task

from core import clock

from .services.claims import claim_verify, claims_stuck_in_verification
from .services.notices import claim_approve_after_notice, notices_due


@shared_task(acks_late=True)
def verify_claim(claim_id: int) -> None:
    """Idempotent: a re-run replaces the claim's findings."""
    claim_verify(claim_id)


@shared_task(acks_late=True)
def close_due_notices() -> int:
    """Beat, daily: approve claims whose public notice ended with no open objection."""
    due = notices_due(clock.today())
    for claim_id in due:
        claim_approve_after_notice(claim_id)
    return len(due)


@shared_task(acks_late=True)
def requeue_stuck_verifications() -> int:
    """Beat, every few minutes: the durable 'verifying' status is the record of work to do."""
    stuck = claims_stuck_in_verification()
    for claim_id in stuck:
        verify_claim.delay(claim_id)
    return len(stuck)
