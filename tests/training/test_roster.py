"""Roster import: a clean file, the file as a whole, and row by row."""

import pytest

from accounts.models import AuditEvent
from core.errors import DomainError
from core.importing import FileRejected, read_sheet
from trainees.models import Trainee, TraineeAccess
from training.models import ImportJob
from training.services.roster import COLUMNS, MAX_ROWS, roster_commit, roster_job_create

from ..trainees.factories import make_id
from . import roster_kit as kit
from .factories import (
    commit_roster,
    person,
    roster_xlsx,
    row,
    rows,
    upload,
)
from .roster_kit import (
    check,
    nothing_saved,
    register_person,
    under_16,
    where,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]
w = kit.w  # the fixture
c = kit.c  # the fixture
run_job = kit.run_job  # the fixture

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


@pytest.mark.parametrize("name", ["花名册.pdf", "花名册", "花名册.numbers", "花名册.docx"])
def test_only_spreadsheet_files_are_accepted_and_the_refusal_lists_the_formats(w, c, name):
    with pytest.raises(
        DomainError, match=r"只支持 Excel（\.xlsx、\.xls）、WPS 表格（\.et）、OpenDocument（\.ods）或 CSV"
    ):
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
    assert len(job.errors) == 1 and job.errors[0]["message"].startswith("文件内容不是表格")
    assert nothing_saved(c)


def test_a_header_only_file_has_no_data_rows(c, run_job):
    job = run_job(roster_xlsx([]))
    assert job.status == "invalid" and "没有数据行" in job.errors[0]["message"]


def test_an_extra_sheet_without_the_header_is_ignored(c, run_job):
    job = run_job(roster_xlsx(rows(2), extra_sheet=True))
    assert (job.status, c.enrollments.count()) == ("done", 2)


def test_merged_cells_are_refused(c, run_job):
    job = run_job(roster_xlsx(rows(2), merge="D2:D3"))
    assert job.status == "invalid" and "合并单元格" in job.errors[0]["message"]
    assert nothing_saved(c)


def test_blank_rows_are_ignored_and_row_numbers_stay_those_of_excel(c, run_job):
    good = run_job(roster_xlsx([row(0), None, None, row(1)]))
    assert (good.status, good.rows_total, c.enrollments.count()) == ("done", 2, 2)
    bad = run_job(roster_xlsx([row(0), None, row(1, 手机号码="12345")]))
    assert where(bad.errors) == [(4, "手机号码")]


@pytest.mark.parametrize(
    ("headers", "missing"),
    [
        (["姓名", "身份号", *COLUMNS[2:]], "身份证号码"),  # 身份证号, 证件号码 ... are synonyms (test_roster_formats)
        (["名", "号码"], "姓名、身份证号码"),
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


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("身份证号码", "231202199001010021", "校验"),
        ("身份证号码", None, "应为 18 位"),
        ("身份证号码", "under16", "未满 16 周岁"),
        ("姓名", "张3", "数字"),
        ("姓名", None, "姓名不能为空"),
        ("手机号码", "1384551234", "11 位"),
        ("人员类别", "外星人", "“外星人”不是有效的人员类别"),
        ("户籍所在地", "火星区", "找不到“火星区”"),
        ("文化程度", "幼儿园", "应为以下之一：小学及以下、初中、高中/中专/技校"),
        ("就业状态", "退休", "应为以下之一：就业"),
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
