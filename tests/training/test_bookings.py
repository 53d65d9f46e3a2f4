"""Issue 16, at application: the planned headcount against the institution's registered capacity per class; a
teacher teaching two classes at the same time is refused (the session, and the approval); a venue used by two
classes at once, a teacher probably registered at two institutions teaching both at once, or a venue smaller
than the class are warnings the bureau sees on the application page."""

from datetime import time

import pytest
from django.test import Client

from core.errors import DomainError
from training.models import ClassSession
from training.services import classes
from training.services.bookings import application_warnings

from ..institutions.factories import DesignatedInstitutionFactory, TeacherFactory, VenueFactory
from .classes_kit import go
from .factories import World, institution_user, listed_program, make_class, ready_class, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


@pytest.fixture
def w():
    return World()


def create(w, headcount):
    c = make_class(w.program, w.owner, timetable=False)
    return classes.class_update(actor=w.owner, training_class=c, planned_headcount=headcount)


# --- capacity -----------------------------------------------------------------------------------------------


def test_a_planned_headcount_above_the_registered_capacity_is_refused_naming_the_capacity(w):
    w.institution.capacity = 70
    w.institution.save()
    with pytest.raises(DomainError, match="超过机构登记的培训能力（每期 70 人）") as refused:
        classes.class_create(
            actor=w.owner,
            program=w.program,
            name="千人班",
            start_date=make_class(w.program, w.owner, timetable=False).start_date,
            end_date=make_class(w.program, w.owner, timetable=False).end_date,
            planned_headcount=1000,
        )
    assert refused.value.field == "planned_headcount" and "1000 人" in refused.value.message
    c = create(w, 70)  # at the capacity: fine
    with pytest.raises(DomainError, match="每期 70 人"):
        classes.class_update(actor=w.owner, training_class=c, planned_headcount=71)
    c.refresh_from_db()
    assert c.planned_headcount == 70


def test_no_registered_capacity_means_no_check(w):
    assert w.institution.capacity == 0
    assert create(w, 1000).planned_headcount == 1000


def test_a_capacity_lowered_after_the_application_stops_the_approval(w):
    c = ready_class(w.program, w.owner)
    classes.class_update(actor=w.owner, training_class=c, planned_headcount=60)
    w.institution.capacity = 50
    w.institution.save()
    c.refresh_from_db()
    assert "计划人数 60 人超过机构登记的培训能力（每期 50 人）。" in classes.approval_problems(
        c, c.start_date.replace(year=2000)
    )


# --- teachers and venues ------------------------------------------------------------------------------------


def session(w, c, *, start=(8, 30), end=(11, 30), **kw):
    return classes.session_add(
        actor=w.owner,
        training_class=c,
        date=c.start_date,
        start_time=time(*start),
        end_time=time(*end),
        kind="theory",
        hours=3,
        **kw,
    )


def two_classes(w):
    first = make_class(w.program, w.owner, timetable=False, name="甲班")
    second = make_class(w.program, w.owner, timetable=False, name="乙班")
    return first, second


def test_a_teacher_already_teaching_another_class_at_that_time_is_refused(w):
    teacher = TeacherFactory(institution=w.institution, name="李老师")
    first, second = two_classes(w)
    session(w, first, teacher=teacher)
    with pytest.raises(DomainError, match=r"教师 李老师 在 .* 10:00-12:30 同时为「甲班」授课") as refused:
        session(w, second, start=(10, 0), end=(12, 30), teacher=teacher)
    assert refused.value.field == "teacher"
    assert session(w, second, start=(13, 30), end=(16, 30), teacher=teacher).teacher == teacher  # afternoon: free


def test_a_teacher_booked_twice_stops_the_approval_and_a_rejected_class_books_nothing(w):
    teacher = TeacherFactory(institution=w.institution, name="李老师")
    c = ready_class(w.program, w.owner)
    other = make_class(w.program, w.owner, timetable=False, name="另一班")
    own = c.sessions.order_by("date", "start_time").first()
    own.teacher = teacher
    own.save()
    # A session entered before the check (or by a path without it): the same teacher at the same time.
    ClassSession.objects.create(
        training_class=other,
        date=own.date,
        start_time=own.start_time,
        end_time=own.end_time,
        kind="theory",
        hours=3,
        teacher=teacher,
    )
    submit(c, w.owner)
    assert any("教师 李老师" in p for p in classes.approval_problems(c, c.start_date.replace(year=2000)))
    with pytest.raises(DomainError, match="教师 李老师"):
        go(w.bureau, c, "approved")
    assert application_warnings(c) == []  # a blocking clash is a problem, not a warning


def test_a_venue_used_by_two_classes_at_once_is_a_warning_on_the_application_page(w):
    venue = VenueFactory(institution=w.institution, name="实训楼一层", capacity=100)
    first, second = two_classes(w)
    session(w, first, venue=venue)
    session(w, second, start=(9, 0), end=(12, 0), venue=venue)  # not refused
    warnings = application_warnings(second)
    assert len(warnings) == 1 and "场地 实训楼一层" in warnings[0] and "「甲班」" in warnings[0]
    assert not any("场地" in p for p in classes.approval_problems(second, second.start_date))
    client = Client()
    client.force_login(w.owner)
    assert "实训楼一层" in client.get(f"/classes/{second.pk}/").content.decode().split("application-warnings")[1]


def test_a_teacher_registered_at_two_institutions_teaching_both_at_once_is_a_warning(w):
    mine = TeacherFactory(institution=w.institution, name="赵老师", id_number_masked="231202*********7")
    elsewhere = listed_program(DesignatedInstitutionFactory(name="另一所学校"))
    theirs = TeacherFactory(institution=elsewhere.institution, name="赵老师", id_number_masked="231202*********7")
    namesake = TeacherFactory(institution=elsewhere.institution, name="赵老师", id_number_masked="231202*********8")
    other_owner = institution_user(elsewhere.institution)
    c = make_class(w.program, w.owner, timetable=False)
    theirs_class = make_class(elsewhere, other_owner, timetable=False, name="外校班", start=c.start_date)
    namesake_class = make_class(elsewhere, other_owner, timetable=False, name="同名班", start=c.start_date)
    for owner, klass, teacher in ((other_owner, theirs_class, theirs), (other_owner, namesake_class, namesake)):
        classes.session_add(
            actor=owner,
            training_class=klass,
            date=c.start_date,
            start_time=time(8, 30),
            end_time=time(11, 30),
            kind="theory",
            hours=3,
            teacher=teacher,
        )
    session(w, c, teacher=mine)  # another institution's row: not refused
    (warning,) = application_warnings(c)
    assert "赵老师" in warning and "另一所学校" in warning and "「外校班」" in warning


def test_a_venue_smaller_than_the_planned_headcount_is_a_warning(w):
    venue = VenueFactory(institution=w.institution, name="小教室", capacity=20)
    c = create(w, 30)
    session(w, c, venue=venue)
    assert application_warnings(c) == ["场地 小教室 容纳 20 人，少于计划人数 30 人。"]


def test_the_class_form_states_the_capacity_and_shows_the_refusal_on_its_field(w):
    w.institution.capacity = 70
    w.institution.save()
    client = Client()
    client.force_login(w.owner)
    assert "不超过本机构登记的培训能力：每期 70 人。" in client.get("/classes/new/").content.decode()
    dates = make_class(w.program, w.owner, timetable=False)
    response = client.post(
        "/classes/new/",
        {
            "program": w.program.pk,
            "name": "千人班",
            "start_date": str(dates.start_date),
            "end_date": str(dates.end_date),
            "planned_headcount": "1000",
        },
    )
    assert response.status_code == 400
    assert "计划人数 1000 人超过机构登记的培训能力（每期 70 人）" in response.content.decode()
