"""The real-name roster: every bad input is reported by Excel row and Chinese column, and nothing is saved
unless the whole file is clean; people are linked, never duplicated; warnings do not block."""

from datetime import date, time, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEvent
from catalog.models import Occupation, SkillLevel, TraineeCategory
from core.errors import DomainError
from core.importing import FileRejected, read_sheet
from trainees.models import Trainee, TraineeAccess, TraineeCategoryAssignment
from trainees.services.people import categories_on, category_assign, trainee_register
from training.models import Enrollment, ImportJob
from training.services.roster import COLUMNS, MAX_ROWS, roster_check, roster_commit, roster_job_create

from ..trainees.factories import add_record, make_id, registrar
from .factories import (
    World,
    approve,
    commit_roster,
    listed_program,
    make_class,
    person,
    roster_xlsx,
    row,
    rows,
    sheet_of,
    submit,
    today,
    upload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


@pytest.fixture
def w():
    return World()


@pytest.fixture
def c(w):
    return make_class(w.program, w.owner)


@pytest.fixture
def run_job(w, c, django_capture_on_commit_callbacks):
    """Upload through roster_job_create; the (eager) task runs when the transaction commits."""

    def run(data: bytes, name: str = "花名册.xlsx") -> ImportJob:
        with django_capture_on_commit_callbacks(execute=True):
            job = roster_job_create(actor=w.owner, training_class=c, uploaded_file=upload(data, name))
        job.refresh_from_db()
        return job

    return run


def check(c, data_rows, headers=COLUMNS):
    return roster_check(training_class=c, sheet=sheet_of(data_rows, headers))


def where(errors) -> list[tuple]:
    return [(e["row"], e["column"]) for e in errors]


def nothing_saved(c):
    return not Trainee.objects.exists() and not Enrollment.objects.filter(training_class=c).exists()


def register_person(n: int, **kw) -> Trainee:
    name, number = person(n)
    return trainee_register(
        actor=registrar(), id_number=number, name=kw.pop("name", name), county=registrar().region, **kw
    )


# --- a clean file --------------------------------------------------------------------------------------


def test_a_clean_workbook_is_imported_by_the_job_with_people_enrollments_access_and_audit(w, c, run_job):
    job = run_job(roster_xlsx(rows(5)))
    assert (job.status, job.percent, job.rows_total, job.rows_done, job.created_count) == ("done", 100, 5, 5, 5)
    assert job.errors == [] and job.finished_at is not None
    assert c.enrollments.count() == Trainee.objects.count() == 5
    assert TraineeAccess.objects.filter(institution=w.institution, county__code="231202").count() == 5
    enrollment = c.enrollments.select_related("trainee", "category").first()
    assert enrollment.category.name == "农民工" and enrollment.trainee.education == "junior"
    assert AuditEvent.objects.get(action="class.roster_imported").details == {"rows": 5, "warnings": 0}


def test_a_second_import_replaces_the_roster_as_a_whole(w, c):
    commit_roster(c, w.owner, rows(5))
    commit_roster(c, w.owner, rows(2, first=3))
    assert c.enrollments.count() == 2 and Trainee.objects.count() == 5


@pytest.mark.parametrize("hukou", ["231202", "黑龙江省绥化市北林区", "绥化市北林区", "北林区", None])
def test_hukou_is_a_county_code_or_name(c, hukou):
    result = check(c, [row(0, 户籍所在地=hukou)])
    assert result.errors == []
    assert (result.rows[0].hukou_region.code if hukou else None) == (hukou and "231202")


# --- the file as a whole -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["花名册.xls", "花名册.csv", "花名册.pdf", "花名册"])
def test_only_xlsx_files_are_accepted(w, c, name):
    with pytest.raises(DomainError, match=r"只支持 \.xlsx"):
        roster_job_create(actor=w.owner, training_class=c, uploaded_file=upload(roster_xlsx(rows(1)), name))
    assert not ImportJob.objects.exists()
    with pytest.raises(FileRejected):
        read_sheet(b"a,b", name, allow_csv=False)


def test_a_file_over_5_mb_is_refused(w, c):
    big = upload(roster_xlsx(rows(1)))
    big.size = 5 * 1024 * 1024 + 1
    with pytest.raises(DomainError, match="5 MB"):
        roster_job_create(actor=w.owner, training_class=c, uploaded_file=big)
    assert not ImportJob.objects.exists()


def test_a_pdf_renamed_to_xlsx_is_reported_not_crashed(c, run_job):
    job = run_job(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF")
    assert (job.status, job.percent) == ("invalid", 100)
    assert job.errors == [
        {"row": None, "column": "", "message": "无法读取该 Excel 文件，请确认是 .xlsx 格式且未加密。"}
    ]
    assert nothing_saved(c)


def test_a_header_only_file_has_no_data_rows(c, run_job):
    job = run_job(roster_xlsx([]))
    assert job.status == "invalid" and "没有数据行" in job.errors[0]["message"]


def test_several_sheets_are_refused(c, run_job):
    job = run_job(roster_xlsx(rows(2), extra_sheet=True))
    assert job.status == "invalid"
    assert job.errors == [{"row": None, "column": "", "message": "工作簿有 2 个工作表，请只保留花名册一个工作表。"}]
    assert nothing_saved(c)


def test_merged_cells_are_refused(c, run_job):
    job = run_job(roster_xlsx(rows(2), merge="D2:D3"))
    assert job.status == "invalid" and "合并单元格" in job.errors[0]["message"]
    assert nothing_saved(c)


def test_blank_rows_are_ignored_and_row_numbers_stay_those_of_excel(c, run_job):
    good = run_job(roster_xlsx([row(0), None, None, row(1)]))
    assert (good.status, good.rows_total, c.enrollments.count()) == ("done", 2, 2)
    bad = run_job(roster_xlsx([row(0), None, row(1, 手机号码="12345")]))
    assert where(bad.errors) == [(4, "手机号码")]


def test_formula_cells_are_reported_by_row_and_column(c, run_job):
    job = run_job(roster_xlsx([row(0), row(1, 手机号码="=13900000000+1")]))
    assert job.status == "invalid"
    assert job.errors == [{"row": 3, "column": "手机号码", "message": "单元格是公式，请粘贴为数值后再导入。"}]
    assert nothing_saved(c)


@pytest.mark.parametrize(
    ("headers", "missing"),
    [
        (["姓名", "身份证号", *COLUMNS[2:]], "身份证号码"),
        (["名字", "证件号码"], "姓名、身份证号码"),
        (["", "", ""], "姓名、身份证号码"),
    ],
)
def test_wrong_or_missing_headers_are_named(c, run_job, headers, missing):
    job = run_job(roster_xlsx([row(0)[: len(headers)]], headers=headers))
    assert job.status == "invalid"
    assert job.errors[0]["message"] == f"表头缺少列：{missing}。请使用下载的模板。"


def test_id_numbers_stored_as_excel_numbers_are_refused_with_a_fix(c, run_job):
    _, number = person(1)
    job = run_job(roster_xlsx([row(0), row(1, 身份证号码=int(number[:17] + "0")), row(2, 身份证号码=2.31202198e17)]))
    assert where(job.errors) == [(3, "身份证号码"), (4, "身份证号码")]
    assert all("设置为“文本”格式" in e["message"] for e in job.errors)
    assert nothing_saved(c)


def test_ten_thousand_identical_rows_give_errors_and_save_nothing(c, run_job):
    job = run_job(roster_xlsx([row(0)] * MAX_ROWS))
    assert (job.status, job.rows_total, job.rows_done, job.percent) == ("invalid", MAX_ROWS, MAX_ROWS, 100)
    assert len(job.errors) == MAX_ROWS - 1
    assert job.errors[0] == {"row": 3, "column": "身份证号码", "message": "与第 2 行的身份证号重复。"}
    assert job.errors[-1]["row"] == MAX_ROWS + 1
    assert nothing_saved(c)


def test_more_than_max_rows_is_refused_before_any_row_is_checked(c):
    result = check(c, [row(0)] * (MAX_ROWS + 1))
    assert [e["message"] for e in result.errors] == ["一个花名册最多 10000 行，现有 10001 行。"]
    assert result.rows == []


# --- row by row ----------------------------------------------------------------------------------------


def under_16() -> str:
    born = today() + timedelta(days=14)
    return make_id("231202", born.replace(year=born.year - 16) + timedelta(days=1), seq=5)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("身份证号码", "231202199001010021", "校验"),
        ("身份证号码", None, "应为 18 位"),
        ("身份证号码", "under16", "未满 16 周岁"),
        ("姓名", "张3", "数字"),
        ("姓名", None, "姓名不能为空"),
        ("手机号码", "1384551234", "11 位"),
        ("人员类别", "失业人员", "“失业人员”不是有效的人员类别"),
        ("户籍所在地", "火星区", "找不到“火星区”"),
        ("文化程度", "博士", "应为以下之一：小学及以下"),
        ("就业状态", "待业", "应为以下之一：就业"),
    ],
)
def test_each_bad_cell_is_reported_with_row_and_chinese_column(w, c, column, value, message):
    value = under_16() if value == "under16" else value
    result = check(c, [row(0), row(1), row(2, **{column: value})])
    assert where(result.errors) == [(4, column)]
    assert message in result.errors[0]["message"]
    assert [r.row for r in result.rows] == [2, 3]
    with pytest.raises(DomainError, match="花名册有错误，未导入"):
        roster_commit(actor=w.owner, training_class=c, check=result)
    assert nothing_saved(c)


def test_a_sixteen_year_old_on_the_start_date_is_accepted(c):
    born = c.start_date.replace(year=c.start_date.year - 16)
    result = check(c, [row(0, 身份证号码=make_id("231202", born, seq=5))])
    assert result.errors == []


def test_every_error_of_every_row_is_listed_in_row_order(c):
    result = check(c, [row(0, 姓名="李4", 手机号码="123"), row(1), row(2, 人员类别="无")])
    assert where(result.errors) == [(2, "姓名"), (2, "手机号码"), (4, "人员类别")]


def test_duplicates_in_the_file_point_at_the_first_row(c):
    _, number = person(0)
    result = check(c, [row(0), row(1), row(0), row(2, 身份证号码=number.lower())])
    assert [(e["row"], e["message"]) for e in result.errors] == [
        (4, "与第 2 行的身份证号重复。"),
        (5, "与第 2 行的身份证号重复。"),
    ]


def test_an_old_15_digit_number_duplicates_its_18_digit_form(c):
    _, number = person(0)  # born 1980-01-01
    old = number[:6] + number[8:17]
    result = check(c, [row(0), row(1, 身份证号码=old)])
    assert [(e["row"], e["message"]) for e in result.errors] == [(3, "与第 2 行的身份证号重复。")]


def test_a_name_that_differs_from_the_register_is_an_error(c):
    register_person(0)
    result = check(c, [row(0, 姓名="王大锤"), row(1)])
    assert where(result.errors) == [(2, "姓名")] and "已登记的姓名不一致" in result.errors[0]["message"]


def test_pension_drawers_are_not_subsidy_targets(c):
    register_person(0, draws_pension=True)
    result = check(c, [row(0)])
    assert where(result.errors) == [(2, "身份证号码")] and "养老金" in result.errors[0]["message"]


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


def trained_this_year(trainee, n, year):
    """A subsidized training in `year`, in an occupation other than the class's (one per occupation and level)."""
    other = Occupation.objects.order_by("code")[n + 1]
    add_record(
        trainee, ref=f"{trainee.pk}-{n}", occupation=other, start_date=date(year, 1, 1), end_date=date(year, 1, 10)
    )


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
