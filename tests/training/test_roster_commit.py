"""Roster import against other classes and the archive, the commit, and the set-based path."""

from datetime import date, time, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from catalog.models import SkillLevel, TraineeCategory
from core.errors import DomainError
from trainees.models import Trainee, TraineeAccess, TraineeCategoryAssignment
from trainees.services.people import categories_on, category_assign
from training.models import Enrollment
from training.services.roster import roster_check, roster_commit, roster_job_create

from ..trainees.factories import add_record, registrar
from . import roster_kit as kit
from .factories import (
    approve,
    commit_roster,
    listed_program,
    make_class,
    roster_xlsx,
    row,
    rows,
    sheet_of,
    submit,
    upload,
)
from .roster_kit import (
    check,
    nothing_saved,
    register_person,
    trained_this_year,
    where,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]
w = kit.w  # the fixture
c = kit.c  # the fixture
run_job = kit.run_job  # the fixture

# --- other classes and the archive ---------------------------------------------------------------------


def test_someone_on_another_active_roster_with_overlapping_sessions_is_an_error(c):
    other = make_class(listed_program(), name="另一个培训班")
    commit_roster(other, other.created_by, [row(0)])
    submit(other, other.created_by)
    result = check(c, [row(0), row(1)])
    assert where(result.errors) == [(2, "身份证号码")]
    assert result.errors[0]["message"] == "已在“另一个培训班”的花名册中，培训时间与本班重叠。"


def test_someone_on_another_roster_on_the_same_days_but_in_the_evening_is_fine(c):
    evening = make_class(listed_program(), name="夜校班", slots=((time(18, 0), time(21, 0)),))
    commit_roster(evening, evening.created_by, [row(0)])
    submit(evening, evening.created_by)
    assert check(c, [row(0)]).errors == []


def test_a_draft_elsewhere_does_not_block(c):
    draft = make_class(listed_program(), name="草稿班")
    commit_roster(draft, draft.created_by, [row(0)])
    assert check(c, [row(0)]).errors == []


def test_soft_warnings_do_not_block_and_are_kept_on_the_enrollment(w, c):
    year = c.start_date.year
    busy, trained, lower = register_person(0), register_person(1), register_person(2)
    for n in range(3):
        trained_this_year(busy, n, year)
    add_record(trained, ref="t", occupation=w.program.occupation, skill_level=SkillLevel.objects.get(code="level4"))
    add_record(lower, ref="l", occupation=w.program.occupation, skill_level=SkillLevel.objects.get(code="apprentice"))
    result = check(c, rows(4))
    assert result.errors == []
    assert sorted(result.warnings, key=lambda x: x["row"]) == [
        {"row": 2, "message": f"该学员 {year} 年已享受补贴性培训 3 次。"},
        {"row": 3, "message": "该学员已享受过本职业同等级或更高等级的培训补贴。"},
    ]
    assert roster_commit(actor=w.owner, training_class=c, check=result) == 4
    warnings = {e.trainee_id: e.warnings for e in c.enrollments.all()}
    assert warnings[busy.pk] == [f"该学员 {year} 年已享受补贴性培训 3 次。"]
    assert warnings[trained.pk] == ["该学员已享受过本职业同等级或更高等级的培训补贴。"]
    assert warnings[lower.pk] == []


def test_two_trainings_this_year_is_no_warning(c):
    busy = register_person(0)
    year = c.start_date.year
    for n in range(2):
        trained_this_year(busy, n, year)
    assert check(c, [row(0)]).warnings == []


# --- commit --------------------------------------------------------------------------------------------


def test_commit_links_a_registered_person_instead_of_creating_a_second_one(w, c):
    known = register_person(1)
    commit_roster(c, w.owner, rows(3))
    assert Trainee.objects.count() == 3
    assert c.enrollments.filter(trainee=known).exists()
    assert TraineeAccess.objects.filter(trainee=known, institution=w.institution).exists()


def test_running_a_finished_job_again_changes_nothing(c, run_job):
    from training.services.roster import roster_job_run

    job = run_job(roster_xlsx(rows(3)))
    enrollments = list(c.enrollments.values_list("pk", flat=True))
    roster_job_run(job.pk)
    assert list(c.enrollments.values_list("pk", flat=True)) == enrollments
    job.refresh_from_db()
    assert (job.status, job.created_count) == ("done", 3)


def test_one_bad_row_saves_nothing(w, c, run_job):
    job = run_job(roster_xlsx([*rows(4), row(4, 身份证号码="231202199001010021")]))
    assert job.status == "invalid" and where(job.errors) == [(6, "身份证号码")]
    assert nothing_saved(c) and not TraineeCategoryAssignment.objects.exists()


def test_one_enrollment_per_class_and_trainee_is_a_database_constraint(w, c):
    commit_roster(c, w.owner, rows(1))
    enrollment = c.enrollments.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.create(training_class=c, trainee=enrollment.trainee)


def test_the_category_in_force_at_the_start_is_frozen_on_the_enrollment(w, c):
    unemployed = TraineeCategory.objects.get(name="登记失业人员")
    poverty = TraineeCategory.objects.get(name="脱贫人口")
    known = register_person(0)
    category_assign(actor=registrar(), trainee=known, category=unemployed, valid_from=date(2020, 1, 1))
    commit_roster(c, w.owner, [row(0, 人员类别=None), row(1)])
    by_trainee = {e.trainee_id: e.category.name for e in c.enrollments.select_related("category")}
    assert by_trainee[known.pk] == "登记失业人员"
    assert "农民工" in by_trainee.values()
    category_assign(actor=registrar(), trainee=known, category=poverty, valid_from=c.start_date - timedelta(days=1))
    assert categories_on(known, c.start_date) == [unemployed, poverty]  # the register moved on
    assert c.enrollments.get(trainee=known).category == unemployed  # the enrollment did not


def test_an_approved_roster_cannot_be_replaced_by_a_job(w, c, run_job):
    commit_roster(c, w.owner, rows(2))
    c = approve(c, w.owner, w.bureau)
    with pytest.raises(DomainError, match="已批准"):
        roster_job_create(actor=w.owner, training_class=c, uploaded_file=upload(roster_xlsx(rows(1))))


def test_roster_job_create_checks_the_stored_status_not_the_callers_copy(w, c):
    # BUG: roster_job_create calls require_editable() on the instance it is given and never re-reads it; a
    # stale copy of an approved class gets an ImportJob queued (the job itself is then refused at commit).
    commit_roster(c, w.owner, rows(2))
    approve(c, w.owner, w.bureau)  # `c` is still the draft copy
    with pytest.raises(DomainError, match="已批准"):
        roster_job_create(actor=w.owner, training_class=c, uploaded_file=upload(roster_xlsx(rows(1))))


# --- set-based -----------------------------------------------------------------------------------------


def test_check_and_commit_take_the_same_number_of_queries_for_50_and_500_rows(w, capsys):
    counts = []
    for size, first in ((50, 0), (500, 1000)):
        c = make_class(w.program, w.owner)
        with CaptureQueriesContext(connection) as ctx:
            result = roster_check(training_class=c, sheet=sheet_of(rows(size, first)))
            assert roster_commit(actor=w.owner, training_class=c, check=result) == size
        counts.append(len(ctx.captured_queries))
    with capsys.disabled():
        print(f"\nroster_check+roster_commit queries: 50 rows={counts[0]}, 500 rows={counts[1]}")
    assert counts[0] == counts[1]
