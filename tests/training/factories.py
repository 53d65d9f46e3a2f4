"""Helpers for the training tests.

Everything goes through the real services: a designated institution with a listed 30-hour program, its
institution user, classes starting in two weeks with a full timetable (3 h 08:30-11:30 + 3 h 13:30-16:30 on
each weekday), rosters from in-memory sheets or real .xlsx workbooks, and the workflow steps played on the
right dates with core.clock.replaying.
"""

import io
from datetime import date, time, timedelta

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Role, User
from core.clock import replaying as clock
from core.importing import Sheet
from institutions.models import Institution, Program
from training.models import ClassStatus, TrainingClass
from training.services import classes, roster
from training.services.roster import COLUMNS

from ..accounts.factories import UserFactory
from ..institutions.factories import DesignatedInstitutionFactory, ProgramFactory
from ..trainees.factories import make_id

HOURS_PER_DAY = 6
THEORY_HOURS, PRACTICE_HOURS = 12, 18  # 30 standard hours = 5 weekdays of 6 hours
MORNING = (time(8, 30), time(11, 30))
AFTERNOON = (time(13, 30), time(16, 30))
LEAD_DAYS = 14

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def today() -> date:
    return timezone.localdate()


def weekdays(start: date, count: int) -> list[date]:
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


# --- institutions, programs, users --------------------------------------------------------------------


def listed_program(institution: Institution | None = None, **kw) -> Program:
    """A listed program of 30 standard hours (12 theory + 18 practice) of a designated institution."""
    kw.setdefault("theory_hours", THEORY_HOURS)
    kw.setdefault("practice_hours", PRACTICE_HOURS)
    return ProgramFactory(institution=institution or DesignatedInstitutionFactory(), **kw)


def institution_user(institution: Institution) -> User:
    return UserFactory(role=Role.INSTITUTION, institution=institution, username=f"inst-{institution.pk}")


def bureau_user(county_code: str = "231202", role: str = Role.COUNTY) -> User:
    from catalog.models import Region

    return UserFactory(role=role, region=Region.objects.get(code=county_code), username=f"{role}-{county_code}")


# --- classes ------------------------------------------------------------------------------------------


def class_days(program: Program, start: date) -> list[date]:
    return weekdays(start, program.standard_hours // HOURS_PER_DAY)


def add_timetable(training_class: TrainingClass, owner: User, days: list[date], slots=(MORNING, AFTERNOON)) -> None:
    kinds = ["theory", "practice"]
    for day in days:
        for n, (start, end) in enumerate(slots):
            classes.session_add(
                actor=owner,
                training_class=training_class,
                date=day,
                start_time=start,
                end_time=end,
                kind=kinds[n % 2],
                hours=3,
            )


def make_class(
    program: Program,
    owner: User | None = None,
    *,
    start: date | None = None,
    timetable: bool = True,
    days: int | None = None,
    slots=(MORNING, AFTERNOON),
    name: str = "2026年第1期养老护理员（五级）培训班",
) -> TrainingClass:
    """A draft class starting `start` (default: in two weeks) whose timetable matches the standard hours
    (or covers only the first `days` weekdays)."""
    owner = owner or institution_user(program.institution)
    start = start or today() + timedelta(days=LEAD_DAYS)
    all_days = class_days(program, start)
    training_class = classes.class_create(
        actor=owner, program=program, name=name, start_date=start, end_date=all_days[-1], planned_headcount=30
    )
    if timetable:
        add_timetable(training_class, owner, all_days[:days] if days else all_days, slots)
    training_class.refresh_from_db()
    return training_class


def submit(training_class: TrainingClass, owner: User) -> TrainingClass:
    return classes.class_transition(actor=owner, training_class=training_class, to_status=ClassStatus.SUBMITTED)


def approve(training_class: TrainingClass, owner: User, bureau: User) -> TrainingClass:
    submit(training_class, owner)
    return classes.class_transition(
        actor=bureau, training_class=training_class, to_status=ClassStatus.APPROVED, reason="材料齐全，同意开班。"
    )


def start(training_class: TrainingClass, owner: User) -> TrainingClass:
    with clock(training_class.start_date, time(8, 0)):
        return classes.class_transition(actor=owner, training_class=training_class, to_status=ClassStatus.IN_TRAINING)


# --- rosters ------------------------------------------------------------------------------------------


def person(n: int, county: str = "231202") -> tuple[str, str]:
    """(name, ID number) of person n: unique numbers for n < 999 * 3650, born 1980-1990."""
    name = SURNAMES[n % 20] + GIVEN[(n // 20) % 20] + GIVEN[(n // 400) % 20]
    return name, make_id(county, date(1980, 1, 1) + timedelta(days=n // 999), seq=n % 999 + 1)


def row(n: int, **changes) -> list:
    """One roster row in COLUMNS order; `changes` by Chinese column name."""
    name, number = person(n)
    values = dict(zip(COLUMNS, [name, number, f"139{n:08d}", "农民工", "231202", "初中", "失业"], strict=True))
    values.update(changes)
    return [values[c] for c in COLUMNS]


def rows(count: int, first: int = 0) -> list[list]:
    return [row(n) for n in range(first, first + count)]


def sheet_of(data_rows: list[list], headers=COLUMNS) -> Sheet:
    """An in-memory sheet as core.importing.read_sheet would return it: data from Excel row 2."""
    return Sheet(headers=list(headers), rows=[(n + 2, list(r)) for n, r in enumerate(data_rows)])


def roster_xlsx(data_rows: list[list], headers=COLUMNS, *, extra_sheet: bool = False, merge: str = "") -> bytes:
    """A real workbook; a None row stays blank. Strings starting with "=" are written as formulas.
    Written in openpyxl's fast write-only mode unless cells are to be merged."""
    book = openpyxl.Workbook(write_only=not merge)
    ws = book.active if merge else book.create_sheet()
    ws.title = "花名册"
    ws.append(list(headers))
    for r in data_rows:
        ws.append(list(r) if r is not None else [])
    if merge:
        ws.merge_cells(merge)
    if extra_sheet:
        book.create_sheet("说明").append(["请按模板填写"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(data: bytes, name: str = "花名册.xlsx", content_type: str = XLSX) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def commit_roster(training_class: TrainingClass, owner: User, data_rows: list[list]) -> int:
    check = roster.roster_check(training_class=training_class, sheet=sheet_of(data_rows))
    assert not check.errors, check.errors
    return roster.roster_commit(actor=owner, training_class=training_class, check=check)


def ready_class(program: Program, owner: User | None = None, roster_size: int = 3, first: int = 0, **kw):
    """A draft class with a full timetable and a roster: ready to submit and approve."""
    owner = owner or institution_user(program.institution)
    training_class = make_class(program, owner, **kw)
    commit_roster(training_class, owner, rows(roster_size, first))
    return training_class


class World:
    """A designated institution with a listed program, its user, and the county bureau (北林区)."""

    def __init__(self):
        self.program = listed_program()
        self.institution = self.program.institution
        self.owner = institution_user(self.institution)
        self.bureau = bureau_user("231202")
