"""What the class-application tests share: the world, moving a class, its available actions and its history, adding
sessions."""

from datetime import time

import pytest

from accounts.models import AuditEvent
from training.models import ClassStatusChange
from training.services.classes import (
    class_transition,
    session_add,
)

from .factories import (
    World,
)


@pytest.fixture
def w():
    return World()


def go(actor, c, to, reason=""):
    return class_transition(actor=actor, training_class=c, to_status=to, reason=reason)


def actions(c) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_id=str(c.pk), action__startswith="class.")
        .order_by("created_at", "id")
        .values_list("action", flat=True)
    )


def history(c) -> list[tuple[str, str]]:
    return [(h.from_status, h.to_status) for h in ClassStatusChange.objects.filter(training_class=c)]


# --- timetable -----------------------------------------------------------------------------------------


def add(w, c, day=None, start=(8, 30), end=(11, 30), hours=3, kind="theory"):
    return session_add(
        actor=w.owner,
        training_class=c,
        date=day or c.start_date,
        start_time=time(*start),
        end_time=time(*end),
        kind=kind,
        hours=hours,
    )
