"""How lower apps announce that a counted fact changed, without importing the indicators app above them:
a durable PendingRefresh row in their own transaction, and the refresh task enqueued by name (a string
contract) on commit; in embedded mode inline. A lost task leaves the row for the sweeper."""

from datetime import date

from celery import current_app

from . import clock
from .bulk import insert_ignoring_conflicts
from .enqueue import enqueue_on_commit
from .models import PendingRefresh

REFRESH_TASK = "indicators.refresh_progress"


def progress_changed(*, counties: set[int], months: set[date]) -> None:
    if not (counties and months):
        return
    firsts = sorted({m.replace(day=1) for m in months})
    insert_ignoring_conflicts(
        PendingRefresh,
        ["county", "month", "created_at"],
        [(county, month, clock.now()) for county in sorted(counties) for month in firsts],
    )
    task = current_app.tasks.get(REFRESH_TASK)
    if task is not None:
        enqueue_on_commit(task, sorted(counties), [m.isoformat() for m in firsts])


def progress_recompute_needed() -> None:
    """After a bulk load (history migration) that touches many cells: the full recompute, on commit."""
    task = current_app.tasks.get("indicators.tasks.recompute_progress")
    if task is not None:
        enqueue_on_commit(task)
