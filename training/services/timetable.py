"""Timetables entered in bulk: by a weekly pattern (date range × weekdays × periods) or from an Excel sheet.

Both give a list of drafts; `timetable_preview` marks each draft's conflicts (outside the class dates, too few
minutes for its hours, overlapping this class's sessions or another draft, the teacher or venue booked in another
class of the institution at that time) and `timetable_generate` creates them all in one transaction — or none, with
a message saying how to fix the pattern — audited once with the count. Only while the class may be edited (the
workflow's "edit", as for one session at a time)."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.services import audit_log
from core import clock
from core.errors import DomainError
from core.importing import read_sheet
from institutions.models import Teacher, Venue

from ..models import ClassSession, ClassStatus, SessionKind, TrainingClass
from .classes import MIN_MINUTES_PER_HOUR, require_editable

MINUTES_PER_HOUR = 45  # the hours a period counts when none are given: one class hour per 45 minutes
WEEKDAYS = [
    gettext_lazy(d) for d in ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
]  # Monday = 0, as date.weekday()
COLUMNS = ["日期", "开始时间", "结束时间", "类型", "课时", "授课教师", "上课地点", "课程内容"]
REQUIRED = ["日期", "开始时间", "结束时间"]
KIND_NAMES = {str(label): value for value, label in SessionKind.choices}
MAX_DRAFTS = 500
CONTENT_MAX = 100  # ClassSession.content


@dataclass
class Draft:
    """One session to create, with where it came from (an Excel row) and what stands in its way."""

    date: date
    start_time: time
    end_time: time
    kind: str = SessionKind.THEORY
    hours: int = 0
    teacher: Teacher | None = None
    venue: Venue | None = None
    row: int | None = None
    content: str = ""  # 课程内容: what the session teaches, as the timetable submitted for approval says
    conflicts: list[str] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return (self.end_time.hour * 60 + self.end_time.minute) - (self.start_time.hour * 60 + self.start_time.minute)

    @property
    def kind_label(self) -> str:
        return str(SessionKind(self.kind).label)

    @property
    def weekday(self) -> str:
        return str(WEEKDAYS[self.date.weekday()])

    def overlaps(self, start: time, end: time) -> bool:
        return self.start_time < end and start < self.end_time


@dataclass
class Plan:
    drafts: list[Draft]
    existing_hours: int
    standard_hours: int
    skipped_days: int = 0  # days of the range outside the class dates, left out of the pattern

    @property
    def hours(self) -> int:
        return sum(d.hours for d in self.drafts)

    @property
    def total_hours(self) -> int:
        return self.existing_hours + self.hours

    @property
    def conflict_count(self) -> int:
        return sum(1 for d in self.drafts if d.conflicts)

    @property
    def ok(self) -> bool:
        return bool(self.drafts) and not self.conflict_count


def default_hours(minutes: int) -> int:
    return max(1, minutes // MINUTES_PER_HOUR)


# --- reading the pattern's periods and the sheet's cells --------------------------------------------------------

_TIME = re.compile(r"^\s*(\d{1,2})\s*[:：.点时]\s*(\d{1,2}|半)?\s*分?\s*(?::\d{1,2})?\s*$")
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
_PERIOD = re.compile(r"^\s*(\S+?)\s*[-–—~～至到]\s*(\S+?)(?:\s+(\d{1,2})\s*(?:课时)?)?\s*$")


def parse_time(value) -> time | None:
    """A time cell, a datetime, a fraction of a day, or text such as 8:30, 08:30, 8.30, 8点30, 8点半."""
    if isinstance(value, datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 1:
        minutes = round(value * 24 * 60)
        return time(minutes // 60, minutes % 60)
    if isinstance(value, str):
        match = _TIME.match(value)
        if match:
            hour = int(match[1])
            minute = 30 if match[2] == "半" else int(match[2] or 0)
            if hour < 24 and minute < 60:
                return time(hour, minute)
    return None


def parse_date(value) -> date | None:
    """A date cell or text such as 2026-03-05, 2026/3/5, 2026.3.5, 2026年3月5日."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        match = _DATE.match(value)
        if match:
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                return None
    return None


def parse_periods(text: str) -> list[tuple[time, time, int | None]]:
    """One period a line, "08:30-11:30" or "08:30-11:30 3" (its hours); a DomainError names the line at fault."""
    periods = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = _PERIOD.match(line)
        start, end = (parse_time(match[1]), parse_time(match[2])) if match else (None, None)
        if start is None or end is None:
            raise DomainError(
                _("第 %(n)s 个时段「%(v)s」无法识别，请按“08:30-11:30”填写，每行一个，可加课时如“08:30-11:30 3”。")
                % {"n": n, "v": line.strip()},
                field="periods",
            )
        if end <= start:
            raise DomainError(
                _("第 %(n)s 个时段「%(v)s」结束时间不晚于开始时间，请改为如“13:30-17:00”。")
                % {"n": n, "v": line.strip()},
                field="periods",
            )
        periods.append((start, end, int(match[3]) if match[3] else None))
    if not periods:
        raise DomainError(_("请至少填写一个时段，如“08:30-11:30”，每行一个。"), field="periods")
    return periods


# --- the pattern ------------------------------------------------------------------------------------------------


def pattern_expand(
    *,
    training_class: TrainingClass,
    start: date,
    end: date,
    weekdays: set[int],
    periods: list[tuple[time, time, int | None]],
    kind: str = SessionKind.THEORY,
    teacher: Teacher | None = None,
    venue: Venue | None = None,
    content: str = "",
) -> tuple[list[Draft], int]:
    """Every (day, period) of the range on the chosen weekdays, the range clipped to the class dates; and how many
    chosen days fell outside them."""
    if end < start:
        raise DomainError(_("结束日期早于开始日期，请调换或重新选择日期范围。"), field="end")
    if not weekdays:
        raise DomainError(_("请至少勾选一个星期几。"), field="weekdays")
    drafts, skipped, day = [], 0, start
    while day <= end:
        if day.weekday() in weekdays:
            if training_class.start_date <= day <= training_class.end_date:
                for begin, finish, hours in periods:
                    minutes = (finish.hour * 60 + finish.minute) - (begin.hour * 60 + begin.minute)
                    hours = hours or default_hours(minutes)
                    drafts.append(Draft(day, begin, finish, kind, hours, teacher, venue, content=content))
            else:
                skipped += 1
        if len(drafts) > MAX_DRAFTS:
            raise DomainError(_("一次最多生成 %(n)s 节课，请缩小日期范围。") % {"n": MAX_DRAFTS}, field="end")
        day += timedelta(days=1)
    return drafts, skipped


# --- the sheet --------------------------------------------------------------------------------------------------


def _by_name(model, institution, name: str):
    found = list(model.objects.filter(institution=institution, name=name)[:2])
    return found[0] if len(found) == 1 else (None if not found else False)


def timetable_read(*, training_class: TrainingClass, data: bytes, filename: str) -> tuple[list[Draft], list[str]]:
    """The drafts of an uploaded sheet (COLUMNS), and its errors, each naming the row and column and the fix."""
    sheet = read_sheet(data, filename)
    errors = [str(e) for e in sheet.errors]
    missing = sheet.missing(REQUIRED)
    if missing:
        return [], [_("表头缺少列：%(c)s。请使用下载的课程表模板。") % {"c": "、".join(missing)}]
    if not sheet.rows:
        return [], [_("文件中没有数据行：请从第 2 行起每行填写一节课。")]
    if len(sheet.rows) > MAX_DRAFTS:
        return [], [_("一次最多导入 %(n)s 节课，请分批导入。") % {"n": MAX_DRAFTS}]
    institution = training_class.institution
    drafts = []
    for number, record in sheet.records():

        def bad(column, value, fix, number=number):
            errors.append(
                _("第 %(row)s 行 %(col)s「%(v)s」%(fix)s") % {"row": number, "col": column, "v": value, "fix": fix}
            )

        day, start, end = (parse_date(record.get("日期")), parse_time(record.get("开始时间")), None)
        end = parse_time(record.get("结束时间"))
        if day is None:
            bad("日期", record.get("日期") or "", _("无法识别，请填写如 2026-03-05。"))
        for column, value in (("开始时间", start), ("结束时间", end)):
            if value is None:
                example = "08:30" if column == "开始时间" else "11:30"
                bad(column, record.get(column) or "", _("无法识别，请填写如 %(e)s。") % {"e": example})
        if start and end and end <= start:
            bad("结束时间", record.get("结束时间"), _("不晚于开始时间，请填写下课时间。"))
            end = None
        kind_value = record.get("类型")
        kind = KIND_NAMES.get(str(kind_value).strip(), str(kind_value).strip()) if kind_value else SessionKind.THEORY
        if kind not in SessionKind.values:
            bad("类型", kind_value, _("不正确，请填写“理论”或“实操”。"))
        hours_value = record.get("课时")
        hours = None
        if hours_value not in (None, ""):
            try:
                hours = int(str(hours_value).strip().removesuffix(".0"))
            except ValueError:
                hours = 0
            if hours <= 0:
                bad("课时", hours_value, _("不是正整数，请填写如 3，或留空按每 45 分钟 1 课时计算。"))
        teacher = venue = None
        for column, model in (("授课教师", Teacher), ("上课地点", Venue)):
            name = record.get(column)
            if not name:
                continue
            found = _by_name(model, institution, str(name).strip())
            if found is None:
                where = _("本机构师资名单") if model is Teacher else _("本机构场地名单")
                bad(column, name, _("不在%(w)s中，请改为名单中的名称，或先在机构信息中登记。") % {"w": where})
            elif found is False:
                bad(column, name, _("在本机构有重名，请在名称后区分后再导入。"))
            elif model is Teacher:
                teacher = found
            else:
                venue = found
        if day and start and end and kind in SessionKind.values and (hours is None or hours > 0):
            minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
            content = str(record.get("课程内容") or "").strip()[:CONTENT_MAX]
            drafts.append(
                Draft(day, start, end, kind, hours or default_hours(minutes), teacher, venue, number, content)
            )
    return drafts, errors


# --- checking and creating --------------------------------------------------------------------------------------


def _mark(training_class: TrainingClass, drafts: list[Draft]) -> None:
    days = {d.date for d in drafts}
    own = list(training_class.sessions.filter(date__in=days))
    others = list(
        ClassSession.objects.filter(training_class__institution_id=training_class.institution_id, date__in=days)
        .exclude(training_class=training_class)
        .exclude(training_class__status=ClassStatus.REJECTED)
        .filter(_booked(drafts))
        .select_related("training_class", "teacher", "venue")
    )
    for n, d in enumerate(drafts):
        d.conflicts = []
        if not training_class.start_date <= d.date <= training_class.end_date:
            d.conflicts.append(
                _("不在培训日期 %(s)s 至 %(e)s 内") % {"s": training_class.start_date, "e": training_class.end_date}
            )
        if d.minutes < d.hours * MIN_MINUTES_PER_HOUR:
            d.conflicts.append(_("%(h)s 课时至少需要 %(m)s 分钟") % {"h": d.hours, "m": d.hours * MIN_MINUTES_PER_HOUR})
        for s in own:
            if s.date == d.date and d.overlaps(s.start_time, s.end_time):
                d.conflicts.append(_("与本班已有课程 %(s)s 重叠") % {"s": s})
        for other in drafts[:n]:
            if other.date == d.date and d.overlaps(other.start_time, other.end_time):
                d.conflicts.append(
                    _("与本次生成的 %(d)s %(s)s-%(e)s 重叠")
                    % {"d": other.date, "s": f"{other.start_time:%H:%M}", "e": f"{other.end_time:%H:%M}"}
                )
        for s in others:
            if s.date != d.date or not d.overlaps(s.start_time, s.end_time):
                continue
            if d.teacher and s.teacher_id == d.teacher.pk:
                d.conflicts.append(_("教师 %(t)s 此时已在「%(c)s」授课") % {"t": d.teacher, "c": s.training_class.name})
            if d.venue and s.venue_id == d.venue.pk:
                d.conflicts.append(_("场地 %(v)s 此时已被「%(c)s」使用") % {"v": d.venue, "c": s.training_class.name})


def _booked(drafts: list[Draft]) -> Q:
    """Other sessions that may clash: those of a teacher or venue the drafts use."""
    teachers = {d.teacher.pk for d in drafts if d.teacher}
    venues = {d.venue.pk for d in drafts if d.venue}
    return Q(teacher_id__in=teachers) | Q(venue_id__in=venues)


def _require_own_resources(training_class: TrainingClass, drafts: list[Draft]) -> None:
    for d in drafts:
        for resource in (d.teacher, d.venue):
            if resource is not None and resource.institution_id != training_class.institution_id:
                raise PermissionDenied(_("只能安排本机构的教师和场地。"))


def timetable_preview(
    *, actor: User, training_class: TrainingClass, drafts: list[Draft], skipped_days: int = 0
) -> Plan:
    """The drafts with their conflicts marked, and the hours against the program's standard hours."""
    require_editable(actor, training_class)
    _require_own_resources(training_class, drafts)
    _mark(training_class, drafts)
    existing = sum(training_class.sessions.values_list("hours", flat=True))
    return Plan(drafts, existing, training_class.program.standard_hours, skipped_days)


@transaction.atomic
def timetable_generate(
    *, actor: User, training_class: TrainingClass, drafts: list[Draft], source: str = "pattern"
) -> list[ClassSession]:
    """Create every draft or none: refused while any has a conflict."""
    training_class = TrainingClass.objects.select_for_update().get(pk=training_class.pk)
    if not drafts:
        raise DomainError(_("没有要生成的课程：请选择日期范围、星期和时段后先预览。"))
    plan = timetable_preview(actor=actor, training_class=training_class, drafts=drafts)
    if plan.conflict_count:
        first = next(d for d in drafts if d.conflicts)
        raise DomainError(
            _(
                "有 %(n)s 节课存在冲突（如 %(d)s %(s)s：%(c)s），未生成任何课程。"
                "请调整日期范围、星期、时段、教师或场地（或修改表格中对应的行），重新预览无冲突后再确认。"
            )
            % {
                "n": plan.conflict_count,
                "d": first.date,
                "s": f"{first.start_time:%H:%M}",
                "c": "；".join(first.conflicts),
            }
        )
    sessions = ClassSession.objects.bulk_create(
        [
            ClassSession(
                training_class=training_class,
                date=d.date,
                start_time=d.start_time,
                end_time=d.end_time,
                kind=d.kind,
                hours=d.hours,
                teacher=d.teacher,
                venue=d.venue,
                content=d.content,
            )
            for d in drafts
        ]
    )
    audit_log(
        actor=actor,
        action="class.timetable_generated",
        target=training_class,
        region=training_class.county,
        details={"count": len(sessions), "hours": plan.hours, "source": source, "at": clock.now().isoformat()},
    )
    return sessions
