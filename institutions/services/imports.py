"""Excel import of institutions and programs, through the same services as the forms.

Each row is parsed into the service's arguments (errors name the row and column), then every row goes
through its service inside one transaction. A preview always rolls back; a real import rolls back on the
first bad row, so the file is saved whole or not at all.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import regions_visible_to
from accounts.services import audit_log
from catalog.models import Occupation, SkillLevel, TrainingType
from core.errors import DomainError
from core.importing import ImportError_, ImportReport, Sheet

from .. import selectors
from ..models import Institution, InstitutionType, TrainingMode, seat_label
from ..validators import normalize_code
from .institutions import institution_register
from .programs import program_list


class RowError(Exception):
    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column, self.message = column, message


def _text(row, column, required=True) -> str:
    value = row.get(column)
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise RowError(column, _("不能为空。"))
    return text


def _integer(row, column, required=True) -> int | None:
    value = row.get(column)
    if value in (None, ""):
        if required:
            raise RowError(column, _("不能为空。"))
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise RowError(column, _("应为整数，现为“%(v)s”。") % {"v": value}) from None
    if number != number.to_integral_value() or number < 0:
        raise RowError(column, _("应为不小于 0 的整数，现为“%(v)s”。") % {"v": value})
    return int(number)


def _decimal(row, column) -> Decimal:
    value = row.get(column)
    try:
        return Decimal(str(value).strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, AttributeError):
        raise RowError(column, _("应为金额（元），现为“%(v)s”。") % {"v": value if value is not None else ""}) from None


def _date(row, column, required=True) -> date | None:
    value = row.get(column)
    if value in (None, ""):
        if required:
            raise RowError(column, _("不能为空。"))
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise RowError(column, _("日期格式应为 2025-03-01，现为“%(v)s”。") % {"v": value}) from None


def _choice(row, column, choices) -> str:
    text = _text(row, column)
    by_label = {str(label): value for value, label in choices}
    if text in by_label:
        return by_label[text]
    if text in dict(choices):
        return text
    raise RowError(column, _("应为以下之一：%(c)s。") % {"c": "、".join(by_label)})


@dataclass
class ImportKind:
    columns: list[str]
    parse: object  # (user, row, context) -> kwargs for the service
    service: object


def _parse_institution(user, row, context) -> dict:
    county_text = _text(row, "所在县（市、区）")
    if "counties" not in context:  # read once per file
        context["counties"] = list(regions_visible_to(user).filter(level__in=Institution.SEAT_LEVELS))
    counties = context["counties"]
    matches = [c for c in counties if county_text in (c.code, c.name, c.full_name, seat_label(c))]
    if len(matches) != 1:
        raise RowError(
            "所在县（市、区）",
            _("“%(v)s”不是您管辖范围内的县（市、区），请填写县区名称或 6 位区划代码（市直机构填“某市（市本级）”）。")
            % {"v": county_text},
        )
    return {
        "name": _text(row, "机构名称"),
        "credit_code": normalize_code(_text(row, "统一社会信用代码")),
        "type": _choice(row, "机构类型", InstitutionType.choices),
        "county": matches[0],
        "address": _text(row, "地址"),
        "contact_person": _text(row, "联系人"),
        "contact_phone": _text(row, "联系电话"),
        "license_number": _text(row, "办学许可证号", required=False),
        "license_valid_until": _date(row, "许可证有效期至", required=False),
        "capacity": _integer(row, "培训能力（人/期）", required=False) or 0,
    }


def _lookup(model, column, text, **extra):
    obj = model.objects.filter(**extra).first()
    if obj is None:
        raise RowError(column, _("找不到“%(v)s”。") % {"v": text})
    return obj


def _parse_program(user, row, context) -> dict:
    code = normalize_code(_text(row, "机构统一社会信用代码"))
    # Looked up in the user's scope: another county's institution "does not exist" here.
    institution = selectors.institution_list(user=user).filter(credit_code=code).first()
    if institution is None:
        raise RowError("机构统一社会信用代码", _("找不到信用代码为 %(c)s 的机构，请先登记机构。") % {"c": code})
    occupation_code = _text(row, "职业编码")
    level = _text(row, "技能等级")
    training_type = _text(row, "培训类型")
    return {
        "institution": institution,
        "occupation": _lookup(Occupation, "职业编码", occupation_code, code=occupation_code),
        "skill_level": _lookup(SkillLevel, "技能等级", level, **_level_filter(level)),
        "training_type": _lookup(TrainingType, "培训类型", training_type, name=training_type),
        "mode": _choice(row, "培训方式", TrainingMode.choices),
        "theory_hours": _integer(row, "理论课时"),
        "practice_hours": _integer(row, "实操课时"),
        "fee": _decimal(row, "培训费（元/人）"),
        "listed_on": _date(row, "列入日期"),
    }


def _level_filter(level: str) -> dict:
    """初级工 or 五级 or 五级/初级工 all name the same level."""
    name = level.split("/")[-1]
    return {"national_grade": name} if name.endswith("级") and len(name) == 2 else {"name": name}


KINDS = {
    "institutions": ImportKind(
        columns=[
            "机构名称",
            "统一社会信用代码",
            "机构类型",
            "所在县（市、区）",
            "地址",
            "联系人",
            "联系电话",
            "办学许可证号",
            "许可证有效期至",
            "培训能力（人/期）",
        ],
        parse=_parse_institution,
        service=institution_register,
    ),
    "programs": ImportKind(
        columns=[
            "机构统一社会信用代码",
            "职业编码",
            "技能等级",
            "培训类型",
            "培训方式",
            "理论课时",
            "实操课时",
            "培训费（元/人）",
            "列入日期",
        ],
        parse=_parse_program,
        service=program_list,
    ),
}
OPTIONAL_COLUMNS = {"办学许可证号", "许可证有效期至", "培训能力（人/期）"}


def _service_errors(exc) -> list[tuple[str, str]]:
    if isinstance(exc, DomainError):
        return [(exc.field or "", exc.message)]
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return [(field, m) for field, messages in exc.message_dict.items() for m in messages]
    if isinstance(exc, ValidationError):
        return [("", m) for m in exc.messages]
    return [("", str(exc) or _("没有权限。"))]


FIELD_COLUMNS = {
    "name": "机构名称",
    "credit_code": "统一社会信用代码",
    "type": "机构类型",
    "county": "所在县（市、区）",
    "address": "地址",
    "contact_person": "联系人",
    "contact_phone": "联系电话",
    "license_number": "办学许可证号",
    "license_valid_until": "许可证有效期至",
    "capacity": "培训能力（人/期）",
    "institution": "机构统一社会信用代码",
    "occupation": "职业编码",
    "skill_level": "技能等级",
    "training_type": "培训类型",
    "mode": "培训方式",
    "theory_hours": "理论课时",
    "practice_hours": "实操课时",
    "fee": "培训费（元/人）",
    "listed_on": "列入日期",
}


class _Rollback(Exception):
    pass


def directory_import(*, actor: User, kind: str, sheet: Sheet, dry_run: bool) -> ImportReport:
    spec = KINDS[kind]
    report = ImportReport(total=len(sheet.rows), errors=list(sheet.errors))
    missing = sheet.missing([c for c in spec.columns if c not in OPTIONAL_COLUMNS])
    if missing:
        report.errors.append(ImportError_(None, "", _("表头缺少列：%s。请使用下载的模板。") % "、".join(missing)))
        return report
    if not sheet.rows:
        report.errors.append(ImportError_(None, "", _("文件中没有数据行。")))
        return report
    context: dict = {}
    try:
        with transaction.atomic():
            for number, row in sheet.records():
                try:
                    kwargs = spec.parse(actor, row, context)
                    with transaction.atomic():
                        spec.service(actor=actor, **kwargs)
                    report.created += 1
                except RowError as exc:
                    report.errors.append(ImportError_(number, exc.column, exc.message))
                except (DomainError, ValidationError, PermissionDenied) as exc:
                    for field, message in _service_errors(exc):
                        report.errors.append(ImportError_(number, FIELD_COLUMNS.get(field, field), message))
            if dry_run or report.errors:
                raise _Rollback
            audit_log(actor=actor, action=f"directory.{kind}_imported", details={"rows": report.created})
    except _Rollback:
        if report.errors:
            report.created = 0
    return report
