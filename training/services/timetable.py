"""A timetable by pattern: a date range × weekdays × periods a day expands into sessions, each checked as
session_add checks one (inside the class's dates, the hours fit the minutes, no overlap with the class's other
sessions) and against the teacher's and the venue's other classes; the clerk sees the preview with every
problem, then all sessions are created in one transaction with one audit event."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from core.errors import DomainError

from ..models import ClassSession, TrainingClass
from .classes import MIN_MINUTES_PER_HOUR, require_editable

PERIOD = re.compile(r"^\s*(\d{1,2})[:：](\d{2})\s*[-~～－—至到]+\s*(\d{1,2})[:：](\d{2})(?:\s+(\d{1,2}))?\s*$")
MAX_SESSIONS = 400  # a year of two periods a weekday; more is a mistyped range


@dataclass(frozen=True)
class Period:
    start: time
    end: time
    hours: int

    @property
    def minutes(self) -> int:
        return (datetime.combine(date.min, self.end) - datetime.combine(date.min, self.start)).seconds // 60


@dataclass
class Planned:
    date: date
    period: Period
    problem: str = ""


def parse_periods(text: str) -> list[Period]:
    """One period a line, "08:30-11:30" or "08:30-11:30 4" (class hours; default: whole 60-minute hours)."""
    periods = []
    for n, line in enumerate(filter(str.strip, text.splitlines()), start=1):
        match = PERIOD.match(line)
        if not match:
            raise DomainError(
                _("第 %(n)s 行时段「%(l)s」无法识别，请写成如 08:30-11:30，可在后面加课时数。")
                % {"n": n, "l": line.strip()},
                field="periods",
            )
        h1, m1, h2, m2, hours = match.groups()
        try:
            start, end = time(int(h1), int(m1)), time(int(h2), int(m2))
        except ValueError:
            raise DomainError(_("第 %(n)s 行时段的时间不存在。") % {"n": n}, field="periods") from None
        if end <= start:
            raise DomainError(_("第 %(n)s 行时段的结束时间应晚于开始时间。") % {"n": n}, field="periods")
        periods.append(Period(start, end, int(hours) if hours else Period(start, end, 0).minutes // 60))
    if not periods:
        raise DomainError(_("请至少填写一个时段，如 08:30-11:30。"), field="periods")
    return periods


def _overlaps(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and b_start < a_end


def _problem(training_class: TrainingClass, day: date, period: Period, taken: list) -> str:
    if not training_class.start_date <= day <= training_class.end_date:
        return _("不在开班与结业日期之间")
    if period.hours <= 0 or period.minutes < period.hours * MIN_MINUTES_PER_HOUR:
        return _("%(h)s 课时至少需要 %(m)s 分钟") % {"h": period.hours, "m": period.hours * MIN_MINUTES_PER_HOUR}
    for other, whose in taken:
        if other.date == day and _overlaps(period.start, period.end, other.start_time, other.end_time):
            return whose % {"s": other}
    return ""


def _taken(training_class: TrainingClass, days: list[date], teacher, venue) -> list:
    """The sessions a new one must not overlap: the class's own, and the teacher's and venue's elsewhere."""
    on_days = ClassSession.objects.filter(date__in=days).select_related("training_class")
    taken = [(s, _("与本班 %(s)s 的课程重叠")) for s in on_days.filter(training_class=training_class)]
    others = on_days.exclude(training_class=training_class)
    if teacher is not None:
        taken += [(s, _("授课教师已在其他班 %(s)s 上课")) for s in others.filter(teacher=teacher)]
    if venue is not None:
        taken += [(s, _("场地已被其他班 %(s)s 占用")) for s in others.filter(venue=venue)]
    return taken


def timetable_preview(
    training_class: TrainingClass,
    *,
    start: date,
    end: date,
    weekdays: set[int],
    periods: list[Period],
    teacher=None,
    venue=None,
) -> list[Planned]:
    """The sessions the pattern gives (weekdays: 0 = Monday), each with its problem, if any."""
    if end < start:
        raise DomainError(_("结束日期应不早于开始日期。"), field="end")
    days = [start + timedelta(n) for n in range((end - start).days + 1)]
    days = [d for d in days if d.weekday() in weekdays]
    if len(days) * len(periods) > MAX_SESSIONS:
        raise DomainError(_("一次最多生成 %(n)s 节课，请缩小日期范围。") % {"n": MAX_SESSIONS}, field="end")
    taken = _taken(training_class, days, teacher, venue)
    planned = []
    for day in days:
        for period in periods:
            planned.append(Planned(day, period, _problem(training_class, day, period, taken)))
            mine = ClassSession(date=day, start_time=period.start, end_time=period.end)
            taken.append((mine, _("与本次生成的 %(s)s 重叠")))
    return planned


@transaction.atomic
def timetable_apply(
    *, actor: User, training_class: TrainingClass, kind: str, teacher=None, venue=None, **pattern
) -> int:
    """Create every session of the pattern, or none: a single problem refuses the whole pattern."""
    training_class = TrainingClass.objects.select_for_update().get(pk=training_class.pk)
    require_editable(actor, training_class)
    for person_or_place in (teacher, venue):
        if person_or_place is not None and person_or_place.institution_id != training_class.institution_id:
            raise DomainError(_("只能选择本机构的教师和场地。"))
    planned = timetable_preview(training_class, teacher=teacher, venue=venue, **pattern)
    if not planned:
        raise DomainError(_("所选日期范围内没有符合的星期，未生成课程。"), field="weekdays")
    if bad := [p for p in planned if p.problem]:
        raise DomainError(
            _("有 %(n)s 节课存在问题（如 %(d)s：%(p)s），请调整规律后再生成。")
            % {"n": len(bad), "d": bad[0].date, "p": bad[0].problem}
        )
    sessions = [
        ClassSession(
            training_class=training_class,
            date=p.date,
            start_time=p.period.start,
            end_time=p.period.end,
            kind=kind,
            hours=p.period.hours,
            teacher=teacher,
            venue=venue,
        )
        for p in planned
    ]
    ClassSession.objects.bulk_create(sessions)
    hours = sum(s.hours for s in sessions)
    details = {"sessions": len(sessions), "hours": hours, "from": str(planned[0].date), "to": str(planned[-1].date)}
    audit_log(
        actor=actor,
        action="class.timetable_generated",
        target=training_class,
        region=training_class.county,
        details=details,
    )
    return len(sessions)
