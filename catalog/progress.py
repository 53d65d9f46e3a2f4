"""How lower apps announce that a counted fact changed, without importing the indicators app above them:
they enqueue its refresh task by name (a string contract). Tasks run on commit; in embedded mode inline."""

from datetime import date

from celery import current_app

from .tasks_util import enqueue_on_commit

REFRESH_TASK = "indicators.refresh_progress"


def progress_changed(*, counties: set[int], months: set[date]) -> None:
    task = current_app.tasks.get(REFRESH_TASK)
    if task is not None and counties and months:
        enqueue_on_commit(task, sorted(counties), sorted({m.replace(day=1).isoformat() for m in months}))


def progress_recompute_needed() -> None:
    """After a bulk load (history migration) that touches many cells: the full recompute, on commit."""
    task = current_app.tasks.get("indicators.tasks.recompute_progress")
    if task is not None:
        enqueue_on_commit(task)
