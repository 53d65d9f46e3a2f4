"""Key-area tags (重点领域, seed 001): the province marks occupations and programs as belonging to a key area from
a date, ends a tag, or imports tags from Excel. The key-area indicators count a training in the area its tag
gives on the training's end date (indicators.definitions).

An occupation (or a program's ledger key: institution, occupation, level, type) is in at most one key area on any
day: the roll-up joins the tag valid on a row's day, and two overlapping tags would count the row twice. A new
tag from a later date ends the open one the day before (a change of area keeps its history); one that would
overlap any other is refused."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from catalog.models import KeyArea, Occupation, OccupationKeyArea
from core.errors import DomainError
from core.importing import FileRejected, ImportError_, ImportReport, read_sheet
from core.policy import can

from ..models import Program, ProgramKeyArea
from .imports import RowError, _date, _text

COLUMNS = ["职业编码", "项目", "重点领域", "起始日期"]


def _require(actor: User) -> None:
    if not can(actor, "key_area.manage"):
        raise PermissionDenied(_("只有省级人社部门可以维护重点领域标记。"))


def _add(actor: User, same, tag, label: str):
    """Save `tag` after the tags `same` (those of the same occupation or program key, locked) allow it."""
    if tag.valid_from.year < 2000:
        raise DomainError(_("起始日期不正确。"), field="valid_from")
    tags = list(same.select_for_update().order_by("valid_from"))
    for other in tags:
        if other.valid_to is None and other.valid_from < tag.valid_from:
            if other.key_area_id == tag.key_area_id:
                raise DomainError(
                    _("%(t)s 自 %(d)s 起已标记为“%(a)s”。") % {"t": label, "d": other.valid_from, "a": other.key_area},
                    field="key_area",
                )
            continue  # ended below, the day before the new one starts
        if other.valid_to is None or other.valid_to >= tag.valid_from:
            raise DomainError(
                _("%(t)s 在 %(d)s 之后已有重点领域标记（“%(a)s”，自 %(f)s 起），请先结束或调整该标记。")
                % {"t": label, "d": tag.valid_from, "a": other.key_area, "f": other.valid_from},
                field="valid_from",
            )
    for other in tags:
        if other.valid_to is None:
            _end(actor, other, tag.valid_from - timedelta(days=1))
    tag.save()
    audit_log(
        actor=actor,
        action="key_area.tagged",
        target=tag,
        region=actor.region,
        details={"tag": label, "key_area": tag.key_area.code, "valid_from": tag.valid_from.isoformat()},
    )
    return tag


def _end(actor: User, tag, valid_to: date) -> None:
    tag.valid_to = valid_to
    tag.save(update_fields=["valid_to"])
    audit_log(
        actor=actor,
        action="key_area.ended",
        target=tag,
        region=actor.region,
        details={"key_area": tag.key_area.code, "valid_to": valid_to.isoformat()},
    )


@transaction.atomic
def occupation_key_area_tag(
    *, actor: User, occupation: Occupation, key_area: KeyArea, valid_from: date
) -> OccupationKeyArea:
    """Tag `occupation` as belonging to `key_area` from `valid_from` on."""
    _require(actor)
    Occupation.objects.select_for_update().get(pk=occupation.pk)  # two tags of one occupation: one at a time
    tag = OccupationKeyArea(occupation=occupation, key_area=key_area, valid_from=valid_from)
    same = OccupationKeyArea.objects.filter(occupation=occupation)
    return _add(actor, same, tag, _("职业 %(c)s") % {"c": occupation.code})


@transaction.atomic
def program_key_area_tag(*, actor: User, program: Program, key_area: KeyArea, valid_from: date) -> ProgramKeyArea:
    """Tag `program` as belonging to `key_area` from `valid_from` on (for the ledger: every program of its
    institution with its occupation, level and type)."""
    _require(actor)
    program = Program.objects.select_related("institution").get(pk=program.pk)
    type(program.institution).objects.select_for_update().get(pk=program.institution_id)
    key = {
        "institution_id": program.institution_id,
        "occupation_id": program.occupation_id,
        "skill_level_id": program.skill_level_id,
        "training_type_id": program.training_type_id,
    }
    tag = ProgramKeyArea(program=program, key_area=key_area, valid_from=valid_from, **key)
    return _add(actor, ProgramKeyArea.objects.filter(**key), tag, _("项目 %(n)s") % {"n": program.pk})


@transaction.atomic
def key_area_tag_end(*, actor: User, tag: OccupationKeyArea | ProgramKeyArea, valid_to: date):
    """End `tag` on `valid_to` (its last day)."""
    _require(actor)
    tag = type(tag).objects.select_for_update().get(pk=tag.pk)
    if tag.valid_to is not None:
        raise DomainError(_("该标记已于 %(d)s 结束。") % {"d": tag.valid_to}, field="valid_to")
    if valid_to < tag.valid_from:
        raise DomainError(_("截止日期不能早于起始日期 %(d)s。") % {"d": tag.valid_from}, field="valid_to")
    _end(actor, tag, valid_to)
    return tag


def _parse(row, context) -> tuple:
    """One row: (the service, its arguments)."""
    names = context.setdefault("key_areas", {a.name: a for a in KeyArea.objects.all()})
    area_text = _text(row, "重点领域")
    key_area = names.get(area_text) or next((a for a in names.values() if a.code == area_text), None)
    if key_area is None:
        raise RowError(
            "重点领域", _("“%(v)s”不是重点领域，应为以下之一：%(c)s。") % {"v": area_text, "c": "、".join(names)}
        )
    valid_from = _date(row, "起始日期")
    code, program_text = _text(row, "职业编码", required=False), _text(row, "项目", required=False)
    if bool(code) == bool(program_text):
        raise RowError("职业编码", _("请填写“职业编码”或“项目”（项目编号）其中之一。"))
    if code:
        occupation = Occupation.objects.filter(code=code).first()
        if occupation is None:
            raise RowError("职业编码", _("找不到职业编码 %(c)s，编码格式如 4-10-01-05。") % {"c": code})
        return occupation_key_area_tag, {"occupation": occupation, "key_area": key_area, "valid_from": valid_from}
    program = Program.objects.filter(pk=int(program_text)).first() if program_text.isdigit() else None
    if program is None:
        raise RowError("项目", _("找不到项目编号 %(v)s（见重点领域页面或培训项目目录）。") % {"v": program_text})
    return program_key_area_tag, {"program": program, "key_area": key_area, "valid_from": valid_from}


def key_area_import(*, actor: User, data: bytes, filename: str) -> ImportReport:
    """Import tags from a spreadsheet (职业编码 or 项目, 重点领域, 起始日期): every row through the services in one
    transaction, saved whole or not at all; the errors name each bad row and column."""
    _require(actor)
    try:
        sheet = read_sheet(data, filename, columns=COLUMNS)
    except FileRejected as exc:
        return ImportReport(errors=[ImportError_(None, "", str(exc))])
    report = ImportReport(errors=list(sheet.errors))
    missing = [c for c in ("重点领域", "起始日期") if c not in sheet.headers]
    if "职业编码" not in sheet.headers and "项目" not in sheet.headers:
        missing.insert(0, "职业编码")
    if missing:
        report.errors.append(ImportError_(None, "", _("缺少列：%(c)s。") % {"c": "、".join(missing)}))
        return report
    context = {}
    report.total = len(sheet.rows)
    try:
        with transaction.atomic():
            for number, row in sheet.records():
                try:
                    service, kwargs = _parse(row, context)
                    with transaction.atomic():
                        service(actor=actor, **kwargs)
                except RowError as exc:
                    report.errors.append(ImportError_(number, exc.column, exc.message))
                except DomainError as exc:
                    report.errors.append(
                        ImportError_(number, "起始日期" if exc.field == "valid_from" else "重点领域", str(exc))
                    )
                else:
                    report.created += 1
            if report.errors:
                raise _RollBack
    except _RollBack:
        report.created = 0
    return report


class _RollBack(Exception):
    pass
