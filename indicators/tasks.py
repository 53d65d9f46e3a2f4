from datetime import date

from celery import shared_task

from .services.rollups import progress_recompute_all, progress_refresh


@shared_task(acks_late=True, name="indicators.refresh_progress")
def refresh_progress(counties: list[int], months: list[str]) -> None:
    """Enqueued on commit by the services that change a counted fact. Idempotent: recomputes the cells."""
    progress_refresh(counties=counties, months=[date.fromisoformat(m) for m in months])


@shared_task(acks_late=True)
def recompute_progress() -> int:
    """Beat, nightly: the full recompute."""
    return progress_recompute_all()
