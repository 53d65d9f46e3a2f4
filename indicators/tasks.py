from datetime import date

from celery import shared_task

from catalog.models import Region
from core import clock

from .models import Plan
from .selectors.reports import last_month, monthly_reports_due
from .services.reports import monthly_report_build
from .services.rollups import progress_recompute_all, progress_refresh, progress_refresh_pending


@shared_task(acks_late=True, name="indicators.refresh_progress")
def refresh_progress(counties: list[int], months: list[str]) -> None:
    """Enqueued on commit by the services that change a counted fact. Idempotent: recomputes the cells."""
    progress_refresh(counties=counties, months=[date.fromisoformat(m) for m in months])


@shared_task(acks_late=True)
def refresh_pending_progress() -> int:
    """Beat, every 5 minutes: the counties whose refresh task was lost (broker down, worker gone)."""
    return progress_refresh_pending()


@shared_task(acks_late=True)
def recompute_progress() -> int:
    """Beat, nightly: the full recompute."""
    return progress_recompute_all()


@shared_task(acks_late=True)
def build_monthly_report(region_id: int, plan_id: int, month_iso: str) -> int:
    """One 月报 (region, plan, month). Idempotent: building it again replaces the archived file."""
    report = monthly_report_build(
        region=Region.objects.get(pk=region_id),
        plan=Plan.objects.get(pk=plan_id),
        month=date.fromisoformat(month_iso),
    )
    return report.pk


@shared_task(acks_late=True)
def build_last_month_reports() -> int:
    """Beat, monthly (e.g. on the 1st): last month's report of every province and city with targets in a
    running plan, one task each."""
    month = last_month(clock.today())
    due = monthly_reports_due(month)
    for region_id, plan_id in due:
        build_monthly_report.delay(region_id, plan_id, month.isoformat())
    return len(due)


@shared_task(acks_late=True)
def compute_ratings() -> int:
    """Beat, nightly: this year's institution ratings (idempotent: recomputed from the records)."""

    from .services.ratings import ratings_compute

    return ratings_compute(year=clock.today().year)
