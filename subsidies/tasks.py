from celery import shared_task
from django.utils import timezone

from .services.claims import claim_approve_after_notice, claim_verify, notices_due


@shared_task(acks_late=True)
def verify_claim(claim_id: int) -> None:
    """Idempotent: a re-run replaces the claim's findings."""
    claim_verify(claim_id)


@shared_task(acks_late=True)
def close_due_notices() -> int:
    """Beat, daily: approve claims whose public notice ended with no open objection."""
    due = notices_due(timezone.localdate())
    for claim_id in due:
        claim_approve_after_notice(claim_id)
    return len(due)
