"""Teachers and venues booked for two classes at the same time (issue 16), and the institution's registered
capacity per class. Sessions record their teacher and venue (ClassSession.teacher / .venue, both the
institution's own): the same teacher row teaching another class at an overlapping time is clearly the same
person twice — it stops the session and the approval. A venue in use by another class at that time, or a
teacher of another institution with the same name and masked ID number (probably the same person, registered
twice), is a warning the bureau sees on the application page. One query per class, whatever its size."""

from dataclasses import dataclass
from datetime import date, time

from django.db.models import Q
from django.utils.translation import gettext as _

from core.errors import DomainError

from ..models import ClassSession, ClassStatus, TrainingClass

# Sessions of these classes hold no booking: the bureau refused the application.
NOT_BOOKED = [ClassStatus.REJECTED]


@dataclass(frozen=True)
class Booking:
    """A session of this class and another class's session at an overlapping time, sharing `what`."""

    what: str  # "teacher", "venue" or "same_person" (a teacher of another institution, likely the same person)
    name: str  # the teacher's or venue's name
    day: date
    start: time
    end: time
    other_class: str
    other_institution: str

    @property
    def blocks(self) -> bool:
        return self.what == "teacher"

    @property
    def message(self) -> str:
        values = {
            "n": self.name,
            "d": self.day,
            "s": f"{self.start:%H:%M}",
            "e": f"{self.end:%H:%M}",
            "c": self.other_class,
            "i": self.other_institution,
        }
        if self.what == "teacher":
            return _("教师 %(n)s 在 %(d)s %(s)s-%(e)s 同时为「%(c)s」授课。") % values
        if self.what == "venue":
            return _("场地 %(n)s 在 %(d)s %(s)s-%(e)s 同时被「%(c)s」使用。") % values
        return _("教师 %(n)s（姓名和身份证号与%(i)s的教师相同）在 %(d)s %(s)s-%(e)s 同时为「%(c)s」授课。") % values


def _overlap(a, b) -> bool:
    return a.date == b.date and a.start_time < b.end_time and b.start_time < a.end_time


def booking_conflicts(training_class: TrainingClass, sessions=None) -> list[Booking]:
    """Every clash of this class's sessions (or of `sessions`, not yet saved) with other classes' sessions."""
    own = list(sessions) if sessions is not None else list(training_class.sessions.select_related("teacher"))
    teachers = {s.teacher_id for s in own if s.teacher_id}
    venues = {s.venue_id for s in own if s.venue_id}
    people = {(s.teacher.name, s.teacher.id_number_masked) for s in own if s.teacher_id and s.teacher.id_number_masked}
    if not (teachers or venues):
        return []
    match = Q(teacher_id__in=teachers) | Q(venue_id__in=venues)
    if people:
        match |= Q(teacher__name__in={n for n, _m in people}, teacher__id_number_masked__in={m for _n, m in people})
    others = (
        ClassSession.objects.filter(match, date__in={s.date for s in own})
        .exclude(training_class=training_class)
        .exclude(training_class__status__in=NOT_BOOKED)
        .select_related("training_class__institution", "teacher", "venue")
    )
    found = []
    for other in others:
        for s in own:
            if not _overlap(s, other):
                continue
            where = (other.training_class.name, other.training_class.institution.name)
            if s.teacher_id and other.teacher_id == s.teacher_id:
                found.append(Booking("teacher", s.teacher.name, s.date, s.start_time, s.end_time, *where))
            elif (
                s.teacher_id
                and other.teacher_id
                and other.teacher.institution_id != training_class.institution_id
                and (other.teacher.name, other.teacher.id_number_masked) == (s.teacher.name, s.teacher.id_number_masked)
                and s.teacher.id_number_masked
            ):
                found.append(Booking("same_person", s.teacher.name, s.date, s.start_time, s.end_time, *where))
            if s.venue_id and other.venue_id == s.venue_id:
                found.append(Booking("venue", other.venue.name, s.date, s.start_time, s.end_time, *where))
    return sorted(found, key=lambda b: (b.day, b.start, b.what, b.other_class))


def require_teacher_free(training_class: TrainingClass, session: ClassSession) -> None:
    """A session whose teacher already teaches another class at that time is refused."""
    for booking in booking_conflicts(training_class, [session]):
        if booking.blocks:
            raise DomainError(booking.message, field="teacher")


def require_within_capacity(institution, planned_headcount: int) -> None:
    """The planned headcount may not exceed the institution's registered capacity per class (培训能力（人/期）;
    0: not registered, no check)."""
    if institution.capacity and planned_headcount > institution.capacity:
        raise DomainError(
            _("计划人数 %(n)s 人超过机构登记的培训能力（每期 %(c)s 人），请减少计划人数或分期开班。")
            % {"n": planned_headcount, "c": institution.capacity},
            field="planned_headcount",
        )


def application_warnings(training_class: TrainingClass) -> list[str]:
    """What the bureau should look at before approving, without stopping it: venues in use by another class at
    the same time, a teacher probably registered at two institutions teaching both at once, and a venue that
    holds fewer people than planned."""
    sessions = list(training_class.sessions.select_related("teacher", "venue"))
    warnings = [b.message for b in booking_conflicts(training_class, sessions) if not b.blocks]
    small = {s.venue for s in sessions if s.venue_id and 0 < s.venue.capacity < training_class.planned_headcount}
    for venue in sorted(small, key=lambda v: v.name):
        warnings.append(
            _("场地 %(v)s 容纳 %(c)s 人，少于计划人数 %(n)s 人。")
            % {"v": venue.name, "c": venue.capacity, "n": training_class.planned_headcount}
        )
    return warnings
