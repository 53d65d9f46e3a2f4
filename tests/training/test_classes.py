"""Class applications: creation, the timetable and the materials."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEvent
from core.errors import DomainError
from institutions.models import ProgramStatus
from institutions.services.programs import program_set_status
from training.models import ClassStatus as S
from training.services.classes import (
    MATERIAL_MAX_BYTES,
    class_create,
    material_upload,
    session_remove,
)

from ..institutions.factories import bureau_actor
from . import classes_kit as kit
from .classes_kit import (
    actions,
    add,
    history,
)
from .factories import (
    institution_user,
    listed_program,
    make_class,
    today,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]
w = kit.w  # the fixture

# --- creation ------------------------------------------------------------------------------------------


def test_creating_a_class_copies_the_program_and_county_and_starts_a_draft_history(w):
    c = make_class(w.program, w.owner, timetable=False)
    assert (c.status, c.revision, c.county.code, c.training_type_id) == (
        S.DRAFT,
        1,
        "231202",
        w.program.training_type_id,
    )
    assert history(c) == [("", S.DRAFT)]
    assert actions(c) == ["class.created"]


def test_only_the_programs_own_institution_may_open_a_class(w):
    other = institution_user(listed_program().institution)
    for actor in (other, w.bureau):
        with pytest.raises(PermissionDenied):
            class_create(
                actor=actor,
                program=w.program,
                name="班",
                start_date=today() + timedelta(days=20),
                end_date=today() + timedelta(days=30),
                planned_headcount=20,
            )


@pytest.mark.parametrize(
    ("days", "headcount", "message"), [((30, 20), 20, "结业日期不能早于开班日期"), ((20, 30), 0, "计划人数")]
)
def test_create_refuses_bad_dates_and_headcount(w, days, headcount, message):
    with pytest.raises(DomainError, match=message):
        class_create(
            actor=w.owner,
            program=w.program,
            name="班",
            start_date=today() + timedelta(days=days[0]),
            end_date=today() + timedelta(days=days[1]),
            planned_headcount=headcount,
        )


def test_a_delisted_program_cannot_open_a_class(w):
    program_set_status(
        actor=bureau_actor(w.institution.county),
        program=w.program,
        to_status=ProgramStatus.DELISTED,
        reason="质量不达标",
        effective_date=today(),
    )
    w.program.refresh_from_db()
    with pytest.raises(DomainError, match="移出目录"):
        make_class(w.program, w.owner, timetable=False)


def test_each_class_hour_takes_at_least_40_minutes(w):
    c = make_class(w.program, w.owner, timetable=False)
    with pytest.raises(DomainError, match="3 课时至少需要 120 分钟"):
        add(w, c, start=(8, 30), end=(10, 29))
    assert add(w, c, start=(8, 30), end=(10, 30)).minutes == 120


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": (9, 0), "end": (12, 0)}, "重叠"),
        ({"start": (12, 0), "end": (12, 30), "hours": 0}, "课时"),
        ({"start": (12, 0), "end": (12, 0)}, "结束时间应晚于开始时间"),
        ({"start": (14, 0), "end": (17, 0), "kind": "party"}, "课程类型"),
    ],
)
def test_session_rules(w, kwargs, message):
    c = make_class(w.program, w.owner, timetable=False)
    add(w, c)  # 08:30-11:30
    with pytest.raises(DomainError, match=message):
        add(w, c, **kwargs)


def test_sessions_may_touch_but_must_lie_within_the_class_dates(w):
    c = make_class(w.program, w.owner, timetable=False)
    add(w, c)
    add(w, c, start=(11, 30), end=(14, 30))  # starts when the other ends: no overlap
    for day in (c.start_date - timedelta(days=1), c.end_date + timedelta(days=1)):
        with pytest.raises(DomainError, match="开班与结业日期之间"):
            add(w, c, day=day)


def test_a_session_is_removed_by_its_institution_only(w):
    c = make_class(w.program, w.owner, timetable=False)
    session = add(w, c)
    with pytest.raises(PermissionDenied):
        session_remove(actor=institution_user(listed_program().institution), session=session)
    session_remove(actor=w.owner, session=session)
    assert not c.sessions.exists()


# --- materials -----------------------------------------------------------------------------------------


def test_materials_accept_office_pdf_and_images_and_are_audited(w):
    c = make_class(w.program, w.owner, timetable=False)
    material = material_upload(
        actor=w.owner, training_class=c, kind="syllabus", uploaded_file=SimpleUploadedFile("大纲.PDF", b"%PDF-1.4 x")
    )
    assert (material.original_name, material.size) == ("大纲.PDF", 10)
    assert AuditEvent.objects.filter(action="class.material_uploaded", target_id=str(c.pk)).exists()


@pytest.mark.parametrize("name", ["setup.exe", "plan.pdf.js", "no-suffix", "x.zip"])
def test_materials_of_other_types_are_refused(w, name):
    c = make_class(w.program, w.owner, timetable=False)
    with pytest.raises(DomainError, match="只能上传"):
        material_upload(actor=w.owner, training_class=c, kind="syllabus", uploaded_file=SimpleUploadedFile(name, b"x"))


def test_materials_over_20_mb_are_refused(w):
    c = make_class(w.program, w.owner, timetable=False)
    big = SimpleUploadedFile("plan.pdf", b"%PDF")
    big.size = MATERIAL_MAX_BYTES + 1  # the size as the upload handler reports it; no need to allocate 20 MB
    with pytest.raises(DomainError, match="20 MB"):
        material_upload(actor=w.owner, training_class=c, kind="training_plan", uploaded_file=big)
    assert not c.materials.exists()
