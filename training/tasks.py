from celery import shared_task

from .services.roster import roster_job_run, roster_jobs_stuck


@shared_task(acks_late=True)
def run_roster_import(job_id: int) -> None:
    """Thin and idempotent: the service skips finished jobs and replaces the roster as a whole."""
    roster_job_run(job_id)


@shared_task(acks_late=True)
def requeue_stuck_roster_imports() -> int:
    stuck = roster_jobs_stuck()
    for job_id in stuck:
        run_roster_import.delay(job_id)
    return len(stuck)
