"""The class-application workflow with every guard, who may act, and editing and changes after approval."""

from datetime import time, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEvent
from core.clock import replaying as clock
from core.errors import DomainError
from institutions.models import InstitutionStatus, ProgramStatus
from institutions.services.programs import program_set_status
from training.models import ClassStatus as S
from training.models import ClassStatusChange, Enrollment
from training.services import classes, roster
from training.services.classes import (
    AUDIT_ACTIONS,
    approval_problems,
    class_request_change,
    class_update,
    material_upload,
    session_add,
    session_remove,
)
from training.workflows import CLASS

from ..institutions.factories import bureau_actor, transition
from . import classes_kit as kit
from .classes_kit import (
    actions,
    add,
    go,
    history,
)
from .factories import (
    approve,
    bureau_user,
    institution_user,
    listed_program,
    make_class,
    ready_class,
    rows,
    sheet_of,
    start,
    submit,
    today,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]
w = kit.w  # the fixture

# --- the workflow --------------------------------------------------------------------------------------


def test_the_full_journey_draft_to_closed_with_history_and_audit(w):
    c = ready_class(w.program, w.owner)
    submit(c, w.owner)
    go(w.bureau, c, S.APPROVED)
    start(c, w.owner)
    with clock(c.end_date, time(17, 0)):
        go(w.owner, c, S.COMPLETED)
    with clock(c.end_date + timedelta(days=30)):
        c = go(w.bureau, c, S.CLOSED, reason="补贴已拨付")
    assert c.status == S.CLOSED and c.approved_at is not None
    assert history(c) == [
        ("", S.DRAFT),
        (S.DRAFT, S.SUBMITTED),
        (S.SUBMITTED, S.APPROVED),
        (S.APPROVED, S.IN_TRAINING),
        (S.IN_TRAINING, S.COMPLETED),
        (S.COMPLETED, S.CLOSED),
    ]
    assert actions(c) == [
        "class.created",
        "class.roster_imported",
        "class.submitted",
        "class.approved",
        "class.started",
        "class.completed",
        "class.closed",
    ]


def test_returned_with_a_reason_then_resubmitted_then_rejected_with_a_reason(w):
    c = ready_class(w.program, w.owner)
    submit(c, w.owner)
    go(w.bureau, c, S.RETURNED, reason="课程表需调整")
    assert ClassStatusChange.objects.filter(training_class=c, to_status=S.RETURNED).get().reason == "课程表需调整"
    go(w.owner, c, S.SUBMITTED)
    c = go(w.bureau, c, S.REJECTED, reason="同类培训班已满额")
    assert c.status == S.REJECTED
    assert actions(c)[-3:] == ["class.returned", "class.resubmitted", "class.rejected"]
    assert AuditEvent.objects.get(action="class.rejected").details == {"reason": "同类培训班已满额"}


def test_every_transition_in_the_table_is_covered_and_nothing_else_is_allowed():
    # The (from, to) pairs class_transition takes: the acts of the workflow it performs.
    transitions = {(frm, CLASS[a].target) for a in AUDIT_ACTIONS for frm in CLASS[a].sources}
    assert transitions == {
        (S.DRAFT, S.SUBMITTED),
        (S.RETURNED, S.SUBMITTED),
        (S.SUBMITTED, S.APPROVED),
        (S.SUBMITTED, S.RETURNED),
        (S.SUBMITTED, S.REJECTED),
        (S.APPROVED, S.IN_TRAINING),
        (S.IN_TRAINING, S.COMPLETED),
        (S.COMPLETED, S.CLOSED),
    }


@pytest.mark.parametrize("to", [S.APPROVED, S.IN_TRAINING, S.COMPLETED, S.CLOSED, S.REJECTED, "nonsense"])
def test_a_draft_cannot_skip_steps(w, to):
    c = ready_class(w.program, w.owner)
    with pytest.raises(DomainError, match="不能从“草稿”变更为"):
        go(w.bureau if to in (S.APPROVED, S.CLOSED) else w.owner, c, to, reason="x")


@pytest.mark.parametrize("to", [S.RETURNED, S.REJECTED])
def test_return_and_reject_need_a_reason(w, to):
    c = ready_class(w.program, w.owner)
    submit(c, w.owner)
    with pytest.raises(DomainError, match="请填写理由"):
        go(w.bureau, c, to, reason="   ")
    c.refresh_from_db()
    assert c.status == S.SUBMITTED


def test_submit_needs_a_timetable_and_a_roster(w):
    bare = make_class(w.program, w.owner, timetable=False)
    with pytest.raises(DomainError, match="请先填写课程表"):
        submit(bare, w.owner)
    no_roster = make_class(w.program, w.owner)
    with pytest.raises(DomainError, match="请先上传花名册"):
        submit(no_roster, w.owner)


def test_approval_is_refused_on_or_after_the_start_date(w):
    c = ready_class(w.program, w.owner)
    submit(c, w.owner)
    with clock(c.start_date), pytest.raises(DomainError, match="不能事后补批"):
        go(w.bureau, c, S.APPROVED)
    with clock(c.start_date - timedelta(days=1)):
        assert go(w.bureau, c, S.APPROVED).status == S.APPROVED


def test_approval_is_refused_when_the_timetable_hours_differ_from_the_standard_hours(w):
    c = make_class(w.program, w.owner, days=4)  # 24 of 30 hours
    roster.roster_commit(
        actor=w.owner, training_class=c, check=roster.roster_check(training_class=c, sheet=sheet_of(rows(2)))
    )
    submit(c, w.owner)
    with pytest.raises(DomainError, match="合计 24 课时，与项目标准课时 30 不一致"):
        go(w.bureau, c, S.APPROVED)


def test_approval_is_refused_when_the_institution_is_suspended(w):
    c = ready_class(w.program, w.owner)
    submit(c, w.owner)
    transition(w.institution, InstitutionStatus.SUSPENDED, on=today())
    with pytest.raises(DomainError, match="机构在培训期间不是已认定状态"):
        go(w.bureau, c, S.APPROVED)


def test_approval_is_refused_when_the_program_was_delisted(w):
    c = ready_class(w.program, w.owner)
    submit(c, w.owner)
    program_set_status(
        actor=bureau_actor(w.institution.county),
        program=w.program,
        to_status=ProgramStatus.DELISTED,
        reason="质量不达标",
        effective_date=today(),
    )
    with pytest.raises(DomainError, match="培训项目在培训期间不在目录内"):
        go(w.bureau, c, S.APPROVED)


def test_approval_is_refused_when_the_roster_was_emptied(w):
    c = ready_class(w.program, w.owner)
    submit(c, w.owner)
    Enrollment.objects.filter(training_class=c).delete()
    with pytest.raises(DomainError, match="花名册为空"):
        go(w.bureau, c, S.APPROVED)


def test_approval_problems_list_every_problem_at_once(w):
    c = make_class(w.program, w.owner, days=1)
    problems = approval_problems(c, today=c.start_date)
    assert len(problems) == 3 and "不能事后补批" in problems[0] and "花名册为空" in problems[2]


def test_start_waits_for_the_start_date_and_records_the_institutions_last_class(w):
    c = ready_class(w.program, w.owner)
    approve(c, w.owner, w.bureau)
    with pytest.raises(DomainError, match="未到开班日期"):
        go(w.owner, c, S.IN_TRAINING)
    start(c, w.owner)
    w.institution.refresh_from_db()
    assert w.institution.last_class_on == c.start_date


def test_complete_waits_for_the_end_date(w):
    c = ready_class(w.program, w.owner)
    approve(c, w.owner, w.bureau)
    start(c, w.owner)
    with clock(c.end_date - timedelta(days=1)), pytest.raises(DomainError, match="未到结业日期"):
        go(w.owner, c, S.COMPLETED)


# --- who may act ---------------------------------------------------------------------------------------


def test_bureau_users_cannot_submit_and_institutions_cannot_decide(w):
    c = ready_class(w.program, w.owner)
    with pytest.raises(PermissionDenied):
        submit(c, w.bureau)
    submit(c, w.owner)
    with pytest.raises(PermissionDenied):
        go(w.owner, c, S.APPROVED)


def test_another_institution_cannot_act_on_the_class(w):
    c = ready_class(w.program, w.owner)
    stranger = institution_user(listed_program().institution)
    for call in (
        lambda: submit(c, stranger),
        lambda: class_update(actor=stranger, training_class=c, name="改名"),
        lambda: class_request_change(actor=stranger, training_class=c, reason="x"),
        lambda: session_add(
            actor=stranger,
            training_class=c,
            date=c.start_date,
            start_time=time(18),
            end_time=time(21),
            kind="theory",
            hours=3,
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()


@pytest.mark.parametrize(("role", "code"), [("county", "231221"), ("city", "2311"), ("province", "23")])
def test_bureaus_outside_the_county_and_the_province_cannot_decide(w, role, code):
    c = ready_class(w.program, w.owner)
    submit(c, w.owner)
    with pytest.raises(PermissionDenied):
        go(bureau_user(code, role), c, S.RETURNED, reason="x")


def test_the_city_bureau_may_decide_for_its_counties(w):
    c = ready_class(w.program, w.owner)
    submit(c, w.owner)
    assert go(bureau_user("2312", "city"), c, S.APPROVED).status == S.APPROVED


# --- editing and changes after approval ----------------------------------------------------------------


def test_an_approved_class_cannot_be_edited_directly(w):
    c = approve(ready_class(w.program, w.owner), w.owner, w.bureau)
    session = c.sessions.first()
    edits = [
        lambda: class_update(actor=w.owner, training_class=c, name="改名"),
        lambda: add(w, c, start=(18, 0), end=(21, 0)),
        lambda: session_remove(actor=w.owner, session=session),
        lambda: material_upload(
            actor=w.owner, training_class=c, kind="syllabus", uploaded_file=SimpleUploadedFile("a.pdf", b"x")
        ),
        lambda: roster.roster_commit(
            actor=w.owner, training_class=c, check=roster.roster_check(training_class=c, sheet=sheet_of(rows(1)))
        ),
    ]
    for edit in edits:
        with pytest.raises(DomainError, match="已批准"):
            edit()
    assert c.sessions.count() == 10 and c.enrollments.count() == 3


def test_material_upload_checks_the_stored_status_not_the_callers_copy(w):
    # BUG: material_upload calls require_editable() on the instance it is given and never re-reads (or locks)
    # the class, unlike class_update/session_add/session_remove/roster_commit; a stale or concurrently approved
    # class still takes new materials.
    c = ready_class(w.program, w.owner)
    approve(c, w.owner, w.bureau)  # `c` is still the draft copy
    with pytest.raises(DomainError, match="已批准"):
        material_upload(
            actor=w.owner, training_class=c, kind="syllabus", uploaded_file=SimpleUploadedFile("a.pdf", b"x")
        )


def test_a_draft_is_updated_and_audited(w):
    c = make_class(w.program, w.owner, timetable=False)
    c = class_update(actor=w.owner, training_class=c, name="新名称", planned_headcount=25)
    assert (c.name, c.planned_headcount) == ("新名称", 25)
    assert AuditEvent.objects.get(action="class.updated").details == {"fields": ["name", "planned_headcount"]}
    with pytest.raises(DomainError, match="结业日期不能早于开班日期"):
        class_update(actor=w.owner, training_class=c, end_date=c.start_date - timedelta(days=1))


def test_update_refuses_a_headcount_of_zero_like_create_does(w):
    # BUG: class_create refuses planned_headcount <= 0 but class_update stores 0 without a check.
    c = make_class(w.program, w.owner, timetable=False)
    with pytest.raises(DomainError, match="计划人数"):
        class_update(actor=w.owner, training_class=c, planned_headcount=0)


def test_moving_the_dates_away_from_the_timetable_is_refused_or_never_approved(w):
    # session_add keeps every session within the class dates; class_update must not undo that.
    c = ready_class(w.program, w.owner)
    later = c.end_date + timedelta(days=7)
    try:
        class_update(actor=w.owner, training_class=c, start_date=later, end_date=later + timedelta(days=7))
    except DomainError:
        return
    submit(c, w.owner)
    with pytest.raises(DomainError):
        go(w.bureau, c, S.APPROVED)


def test_a_change_after_approval_keeps_a_snapshot_bumps_the_revision_and_needs_a_new_approval(w):
    c = ready_class(w.program, w.owner)
    approve(c, w.owner, w.bureau)
    trainee_ids = sorted(c.enrollments.values_list("trainee_id", flat=True))
    c = class_request_change(actor=w.owner, training_class=c, reason="更换一名学员")
    assert (c.status, c.revision, c.approved_at) == (S.RETURNED, 2, None)
    change = ClassStatusChange.objects.filter(training_class=c).last()
    assert (change.from_status, change.to_status, change.reason) == (S.APPROVED, S.RETURNED, "更换一名学员")
    snap = change.snapshot
    assert snap["revision"] == 1 and snap["start_date"] == str(c.start_date)
    assert len(snap["sessions"]) == 10 and snap["sessions"][0][1:] == ["08:30", "11:30", "theory", 3]
    assert sorted(snap["roster"]) == trainee_ids
    assert AuditEvent.objects.get(action="class.change_requested").details == {"reason": "更换一名学员", "revision": 2}
    # editable again; the class must be approved again before it can start
    class_update(actor=w.owner, training_class=c, name="改期后的班")
    with clock(c.start_date), pytest.raises(DomainError, match="不能从“退回修改”变更为“培训中”"):
        go(w.owner, c, S.IN_TRAINING)
    submit(c, w.owner)
    assert go(w.bureau, c, S.APPROVED).revision == 2


def test_a_change_needs_an_approved_class_and_a_reason(w):
    c = ready_class(w.program, w.owner)
    with pytest.raises(DomainError, match="只有已批准"):
        class_request_change(actor=w.owner, training_class=c, reason="x")
    approve(c, w.owner, w.bureau)
    with pytest.raises(DomainError, match="请填写变更理由"):
        class_request_change(actor=w.owner, training_class=c, reason=" ")
    start(c, w.owner)
    with pytest.raises(DomainError, match="只有已批准"):
        class_request_change(actor=w.owner, training_class=c, reason="x")


def test_session_add_is_refused_after_approval_until_a_change_is_requested(w):
    c = ready_class(w.program, w.owner)
    approve(c, w.owner, w.bureau)
    c = classes.class_request_change(actor=w.owner, training_class=c, reason="加一节晚课")
    assert add(w, c, start=(18, 0), end=(21, 0)).pk
