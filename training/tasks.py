from celery import shared_task

from .services.roster import roster_job_run


@shared_task(acks_late=True)
def run_roster_import(job_id: int) -> None:
    """Thin and idempotent: the service skips finished jobs and replaces the roster as a whole."""
    roster_job_run(job_id)
