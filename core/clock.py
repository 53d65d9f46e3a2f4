"""What time it is for the services: `now()` and `today()` instead of django.utils.timezone's.

The demo replays past classes through the real services, each step on its own date (`replaying(day)`), so its
history, audit trail and guards are what they would have been. Nothing is patched: the moment is a context
variable that only this module reads. Tests move time with time-machine instead."""

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time

from django.utils import timezone

_replayed: ContextVar[datetime | None] = ContextVar("replayed_moment", default=None)


def now() -> datetime:
    return _replayed.get() or timezone.now()


def today() -> date:
    return timezone.localdate(now())


@contextmanager
def replaying(day: date, at: time = time(18, 0)):
    """Run services as if it were `at` o'clock on `day`, local time."""
    token = _replayed.set(timezone.make_aware(datetime.combine(day, at)))
    try:
        yield
    finally:
        _replayed.reset(token)
