"""The real-name roster (花名册) from Excel: a validation pass that lists every bad row, then an all-or-nothing
commit that links or creates people through the trainees services. Set-based: the number of queries does
not depend on the number of rows."""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from catalog.models import Region, TraineeCategory
from core import clock
from core.bulk import copy_insert
from core.enqueue import enqueue_on_commit
from core.errors import DomainError
from core.importing import FileRejected, Sheet, formats_message, read_sheet
from core.spreadsheets import EXCEL_SUFFIXES, clean_person_name, clean_text
from trainees import idnumber
from trainees.crypto import blind_index
from trainees.services.people import categories_assign_bulk, categories_in_force, trainees_link_bulk
from trainees.validators import clean_mobile, clean_name

from ..models import Enrollment, EnrollmentGroup, EnrollmentResult, ImportJob, TrainingClass
from .roster_register import check_against_register
from .roster_values import Lookups

REQUIRED = ["姓名", "身份证号码"]
COLUMNS = ["姓名", "身份证号码", "手机号码", "人员类别", "户籍所在地", "文化程度", "就业状态"]
MAX_ROWS = 10000
MIN_AGE = 16
PROGRESS_EVERY = 200
SUFFIXES = (*EXCEL_SUFFIXES, ".csv")
MAX_BYTES = 5 * 1024 * 1024
# The template's example row (roster_template): a well-formed ID number nobody holds (230000 is the province's
# own code, never a person's county). Left in the file, it is refused by name rather than imported.
EXAMPLE_ID = "230000199001010010"
GROUP_SEPARATORS = re.compile(r"[、;；,，]")  # one cell, several groups: 农民工、脱贫人口


@dataclass
class RosterRow:
    row: int
    number: idnumber.IdNumber
    name: str
    phone: str = ""
    categories: list[TraineeCategory] = field(default_factory=list)  # the 人员类别 cell may name several
    hukou_region: Region | None = None
    education: str = ""
    employment_status: str = ""

    @property
    def category(self) -> TraineeCategory | None:
        return self.categories[0] if self.categories else None


@dataclass
class RosterCheck:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)

    def error(self, row, column, message):
        self.errors.append({"row": row, "column": column, "message": str(message)})


def _parse_row(row_no: int, record: dict, lookups: Lookups, check: RosterCheck, start: date) -> RosterRow | None:
    errors_before = len(check.errors)
    raw_id = record.get("身份证号码")
    if isinstance(raw_id, str) and idnumber.normalize(raw_id) == EXAMPLE_ID:
        check.error(row_no, "", _("第 %(r)s 行是模板示例行，请删除后再导入。") % {"r": row_no})
        return None
    number = None
    if isinstance(raw_id, int | float):
        check.error(
            row_no, "身份证号码", _("身份证号被 Excel 存成了数字，末几位已经丢失。请把该列设置为“文本”格式后重新录入。")
        )
    else:
        try:
            number = idnumber.parse(raw_id)
            if number.age_on(start) < MIN_AGE:
                check.error(row_no, "身份证号码", _("开班时未满 16 周岁，不能参加补贴性培训。"))
        except idnumber.InvalidIdNumber as exc:
            check.error(row_no, "身份证号码", exc)
    name = ""
    try:
        name = clean_name(clean_person_name(record.get("姓名")))  # "张\u3000伟" is 张伟, not "张 伟"
    except DomainError as exc:
        check.error(row_no, "姓名", exc.message)
    phone = ""
    try:
        phone = clean_mobile(record.get("手机号码"))
    except DomainError as exc:
        check.error(row_no, "手机号码", exc.message)
    coded: list = []
    categories = []
    for text in GROUP_SEPARATORS.split(str(record.get("人员类别") or "")):
        category = lookups.categories.get(text, coded, row_no)
        if category and category not in categories:
            categories.append(category)
    hukou_text = clean_text(str(record.get("户籍所在地") or ""))
    hukou = lookups.regions.get(hukou_text) if hukou_text else None
    if hukou_text and hukou is None:
        check.error(
            row_no,
            "户籍所在地",
            _("找不到“%(v)s”，请从模板的下拉列表中选择县（市、区），或填写 6 位区划代码。") % {"v": hukou_text},
        )
    education = lookups.education.get(record.get("文化程度"), coded, row_no)
    employment = lookups.employment.get(record.get("就业状态"), coded, row_no)
    for error in coded:
        check.error(*error)
    if len(check.errors) > errors_before or number is None:
        return None
    categories.sort(key=lambda c: (c.sort_order, c.code))  # the first is the primary one
    return RosterRow(row_no, number, name, phone, categories, hukou, education, employment)


def roster_check(*, training_class: TrainingClass, sheet: Sheet, on_progress=lambda done: None) -> RosterCheck:
    """Every rule on every row; nothing written."""
    check = RosterCheck()
    for error in sheet.errors:
        check.error(error.row, error.column, error.message)
    if sheet.merged_cells:
        check.error(None, "", _("表格中有合并单元格，请取消合并，每人一行、每项一格。"))
    if sheet.sheet_count > 1:
        check.error(None, "", _("工作簿中有 %(n)s 个工作表都有花名册表头，请只保留一个。") % {"n": sheet.sheet_count})
    missing = sheet.missing(REQUIRED)
    if missing:
        check.error(None, "", _("表头缺少列：%s。请使用下载的模板。") % "、".join(missing))
        return check
    if not sheet.rows:
        check.error(None, "", _("文件中没有数据行。"))
        return check
    if len(sheet.rows) > MAX_ROWS:
        check.error(None, "", _("一个花名册最多 %(n)s 行，现有 %(m)s 行。") % {"n": MAX_ROWS, "m": len(sheet.rows)})
        return check
    lookups = Lookups()
    for done, (row_no, record) in enumerate(sheet.records(), start=1):
        parsed = _parse_row(row_no, record, lookups, check, training_class.start_date)
        if parsed:
            check.rows.append(parsed)
        if done % PROGRESS_EVERY == 0:
            on_progress(done)
    _check_duplicates(check)
    if check.rows:
        check_against_register(training_class, check)
    check.errors.sort(key=lambda e: (e["row"] or 0, e["column"]))
    check.warnings.sort(key=lambda w: w["row"])
    return check


def _check_duplicates(check: RosterCheck) -> None:
    seen: dict[str, int] = {}
    unique = []
    for row in check.rows:
        first = seen.setdefault(row.number.value, row.row)
        if first != row.row:
            check.error(row.row, "身份证号码", _("与第 %(r)s 行的身份证号重复。") % {"r": first})
        else:
            unique.append(row)
    check.rows = unique


@transaction.atomic
def roster_commit(*, actor: User, training_class: TrainingClass, check: RosterCheck) -> int:
    """Replace the class roster with the checked rows: all or nothing."""
    training_class = TrainingClass.objects.select_for_update().select_related("county").get(pk=training_class.pk)
    if not training_class.is_editable:
        raise DomainError(
            _("培训班当前为“%(s)s”，花名册不能修改；已批准的班级请先申请变更。")
            % {"s": training_class.get_status_display()}
        )
    if check.errors:
        raise DomainError(_("花名册有错误，未导入。"))
    ids = trainees_link_bulk(
        actor=actor,
        people=[
            {
                "number": r.number,
                "name": r.name,
                "phone": r.phone,
                "hukou_region": r.hukou_region,
                "education": r.education,
                "employment_status": r.employment_status,
            }
            for r in check.rows
        ],
        county=training_class.county,
        institution=training_class.institution,
    )
    rows = {blind_index(r.number.value): r for r in check.rows}
    categories_assign_bulk(
        assignments=[(ids[i], category.pk) for i, r in rows.items() for category in r.categories],
        valid_from=training_class.start_date,
        evidence=_("花名册登记"),
    )
    in_force = categories_in_force(trainee_ids=list(ids.values()), day=training_class.start_date)
    warnings: dict[int, list[str]] = {}
    for w in check.warnings:
        warnings.setdefault(w["row"], []).append(w["message"])
    training_class.enrollments.all().delete()
    now = clock.now()
    # Frozen: every group in force at the start (the roster's own were recorded from that day just above).
    groups = {ids[index]: in_force.get(ids[index], []) for index in rows}
    copy_insert(
        Enrollment,
        ["training_class", "trainee", "category", "result", "warnings", "created_at"],
        [
            (
                training_class.pk,
                ids[index],
                (groups[ids[index]] or [None])[0],
                EnrollmentResult.PENDING,
                warnings.get(row.row, []),
                now,
            )
            for index, row in rows.items()
        ],
    )
    enrollment_of = dict(training_class.enrollments.values_list("trainee_id", "pk"))
    copy_insert(
        EnrollmentGroup,
        ["enrollment", "category"],
        [(enrollment_of[trainee], category) for trainee, categories in groups.items() for category in categories],
    )
    audit_log(
        actor=actor,
        action="class.roster_imported",
        target=training_class,
        region=training_class.county,
        details={"rows": len(rows), "warnings": len(check.warnings)},
    )
    return len(rows)


# --- the background job --------------------------------------------------------------------------------


@transaction.atomic
def roster_job_create(*, actor: User, training_class: TrainingClass, uploaded_file) -> ImportJob:
    from .classes import require_editable

    training_class = TrainingClass.objects.select_for_update().get(pk=training_class.pk)
    require_editable(actor, training_class)
    if not uploaded_file.name.lower().endswith(SUFFIXES):
        raise DomainError(formats_message(), field="file")
    if uploaded_file.size > MAX_BYTES:
        raise DomainError(_("文件不能超过 %(n)s MB。") % {"n": MAX_BYTES // (1024 * 1024)}, field="file")
    job = ImportJob.objects.create(
        training_class=training_class, file=uploaded_file, original_name=uploaded_file.name[:200], created_by=actor
    )
    from ..tasks import run_roster_import

    enqueue_on_commit(run_roster_import, job.pk)
    return job


def _set(job: ImportJob, **fields) -> None:
    """Progress is written outside the commit transaction, so the page sees it move."""
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def roster_job_run(job_id: int) -> None:
    """Validate, then commit. Safe to run twice: a finished job is left alone, and a commit replaces the
    roster as a whole."""
    job = ImportJob.objects.select_related("training_class__program__skill_level", "created_by").get(pk=job_id)
    if job.finished:
        return
    try:
        with job.file.open("rb") as f:
            sheet = read_sheet(f.read(), job.original_name, columns=COLUMNS)
    except FileRejected as exc:
        _set(
            job,
            status=ImportJob.Status.INVALID,
            errors=[{"row": None, "column": "", "message": str(exc)}],
            finished_at=clock.now(),
        )
        return
    _set(job, status=ImportJob.Status.VALIDATING, rows_total=len(sheet.rows), rows_done=0)
    check = roster_check(
        training_class=job.training_class, sheet=sheet, on_progress=lambda done: _set(job, rows_done=done)
    )
    if check.errors:
        _set(
            job,
            status=ImportJob.Status.INVALID,
            errors=check.errors,
            warnings=check.warnings,
            rows_done=len(sheet.rows),
            finished_at=clock.now(),
        )
        return
    _set(job, status=ImportJob.Status.COMMITTING, rows_done=len(sheet.rows))
    try:
        created = roster_commit(actor=job.created_by, training_class=job.training_class, check=check)
    except DomainError as exc:
        _set(
            job,
            status=ImportJob.Status.INVALID,
            errors=[{"row": None, "column": "", "message": exc.message}],
            finished_at=clock.now(),
        )
        return
    _set(job, status=ImportJob.Status.DONE, created_count=created, warnings=check.warnings, finished_at=clock.now())


def roster_jobs_stuck() -> list[int]:
    """Jobs never started, or started more than 30 minutes ago and not finished (their worker was lost)."""
    now = clock.now()
    return list(
        ImportJob.objects.filter(
            Q(status=ImportJob.Status.PENDING, created_at__lt=now - timedelta(minutes=5))
            | Q(
                status__in=[ImportJob.Status.VALIDATING, ImportJob.Status.COMMITTING],
                created_at__lt=now - timedelta(minutes=30),
            )
        ).values_list("pk", flat=True)
    )
