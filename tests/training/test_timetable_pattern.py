"""A timetable by pattern (training/services/timetable.py and its page): the pattern expands to the right
sessions, every kind of conflict is shown in the preview and refuses the whole pattern, and one audit event
records what was generated."""

from datetime import time, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from accounts.models import AuditEvent
from core.errors import DomainError
from tests.institutions.factories import DesignatedInstitutionFactory
from tests.training.factories import institution_user, listed_program, make_class
from training.models import SessionKind
from training.services import timetable
from training.services.timetable import parse_periods

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

WEEKDAYS = {0, 1, 2, 3, 4}


@pytest.fixture
def draft():
    """A draft class without a timetable."""
    return make_class(listed_program(), timetable=False)


def pattern(c, **changes):
    return {
        "start": c.start_date,
        "end": c.end_date,
        "weekdays": WEEKDAYS,
        "periods": parse_periods("08:30-11:30\n13:30-16:30"),
    } | changes


def test_periods_read_as_clerks_write_them():
    assert parse_periods("08:30-11:30\n 13:30～16:30 4 \n\n19：00-21:00") == [
        timetable.Period(time(8, 30), time(11, 30), 3),
        timetable.Period(time(13, 30), time(16, 30), 4),
        timetable.Period(time(19, 0), time(21, 0), 2),
    ]
    for bad in ("8点半-11点", "11:30-08:30", "25:00-26:00", ""):
        with pytest.raises(DomainError):
            parse_periods(bad)


def test_the_pattern_expands_over_the_chosen_weekdays_and_periods(draft):
    planned = timetable.timetable_preview(draft, **pattern(draft, weekdays={0, 2}))
    days = sorted({p.date for p in planned})
    assert all(d.weekday() in {0, 2} for d in days)
    assert len(planned) == 2 * len(days) and not any(p.problem for p in planned)
    assert days[0] >= draft.start_date and days[-1] <= draft.end_date


def test_every_conflict_shows_in_the_preview(draft):
    before = draft.start_date - timedelta(days=1)
    outside = timetable.timetable_preview(draft, **pattern(draft, start=before, end=before, weekdays=set(range(7))))
    assert outside[0].problem == "不在开班与结业日期之间"
    too_long = timetable.timetable_preview(draft, **pattern(draft, periods=parse_periods("08:30-09:30 3")))
    assert "至少需要 120 分钟" in too_long[0].problem
    overlapping = timetable.timetable_preview(
        draft, **pattern(draft, periods=parse_periods("08:30-11:30\n10:00-12:00"))
    )
    assert "与本次生成的" in overlapping[1].problem


def test_generating_creates_all_sessions_with_one_audit_event(draft):
    owner = institution_user(draft.institution)
    made = timetable.timetable_apply(actor=owner, training_class=draft, kind=SessionKind.THEORY, **pattern(draft))
    assert made == draft.sessions.count() > 0
    assert sum(s.hours for s in draft.sessions.all()) == 6 * (made // 2)
    event = AuditEvent.objects.get(action="class.timetable_generated")
    assert event.details["sessions"] == made

    # the same pattern again overlaps every session just made: refused whole, nothing added
    with pytest.raises(DomainError, match="节课存在问题"):
        timetable.timetable_apply(actor=owner, training_class=draft, kind=SessionKind.THEORY, **pattern(draft))
    assert draft.sessions.count() == made


def test_a_teacher_booked_in_another_class_is_a_conflict(draft):
    owner = institution_user(draft.institution)
    teacher = draft.institution.teachers.create(name="王老师", id_number_masked="230102********12")
    other = make_class(draft.program, owner, timetable=False, start=draft.start_date, name="同期另一班")
    one_day = {"start": draft.start_date, "end": draft.start_date, "weekdays": set(range(7))}
    timetable.timetable_apply(
        actor=owner, training_class=other, kind=SessionKind.THEORY, teacher=teacher, **pattern(other, **one_day)
    )
    planned = timetable.timetable_preview(draft, teacher=teacher, **pattern(draft, **one_day))
    assert planned[0].problem.startswith("授课教师已在其他班")


def test_another_institutions_user_and_a_submitted_class_are_refused(draft):
    stranger = institution_user(DesignatedInstitutionFactory())
    with pytest.raises(PermissionDenied):
        timetable.timetable_apply(actor=stranger, training_class=draft, kind=SessionKind.THEORY, **pattern(draft))
    assert draft.sessions.count() == 0


def test_the_page_previews_then_generates(draft):
    client = Client()
    client.force_login(institution_user(draft.institution))
    url = f"/classes/{draft.pk}/sessions/pattern/"
    assert client.get(url).status_code == 200
    form = {
        "start": draft.start_date,
        "end": draft.end_date,
        "weekdays": ["0", "1", "2", "3", "4"],
        "periods": "08:30-11:30\n13:30-16:30",
        "kind": SessionKind.THEORY,
    }
    preview = client.post(url, form | {"preview": "1"})
    assert preview.status_code == 200 and 'data-testid="confirm"' in preview.content.decode()
    assert draft.sessions.count() == 0
    done = client.post(url, form | {"confirm": "1"})
    assert done.status_code == 302 and draft.sessions.count() > 0
    bad = client.post(url, form | {"periods": "八点半到十一点", "preview": "1"})
    assert bad.status_code == 400 and "无法识别" in bad.content.decode()
