"""Certificates (证书) of a person, added one by one or imported from Excel (all or nothing)."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from catalog.models import Occupation, Region, SkillLevel
from core.errors import DomainError
from core.importing import ImportError_, ImportReport, Sheet
from core.policy import require
from core.progress import progress_changed

from ..models import Certificate, CertificateType, Trainee, TrainingRecord
from .people import parse_id_number

COLUMNS = ["身份证号码", "姓名", "证书类型", "证书编号", "职业编码", "技能等级", "发证机构", "发证日期"]


def certificate_region(*, trainee: Trainee, occupation: Occupation, trained_in: Region | None = None) -> Region | None:
    """Where a certificate counts for the plans' indicators (Certificate.region), in this order:

    1. the county where the person is registered (户籍/登记地, Trainee.registered_region);
    2. else `trained_in`, the county of the class the certificate came from, when the caller knows it (the
       training app, recording a class's results: this app cannot look at classes, being below them);
    3. else the county of the person's latest training on the ledger in the certificate's occupation;
    4. else the county of the person's latest training on the ledger in any occupation;
    5. else nowhere (None): the certificate is kept but counted in no region's indicators.

    Fixed when recorded: a later change of the person's registration does not move past certificates."""
    if trainee.registered_region_id:
        return trainee.registered_region
    if trained_in is not None:
        return trained_in
    records = TrainingRecord.objects.filter(trainee=trainee).order_by("-end_date", "-id")
    latest = records.filter(occupation=occupation).first() or records.first()
    return latest.county if latest else None


@transaction.atomic
def certificate_add(
    *,
    actor: User,
    trainee: Trainee,
    type: str,
    number: str,
    occupation: Occupation,
    issuing_body: str,
    issue_date: date,
    skill_level: SkillLevel | None = None,
    trained_in: Region | None = None,
) -> Certificate:
    require(actor, "trainee.record", trainee, _("您无权为该学员登记证书。"))
    number = number.strip()
    if type not in CertificateType.values:
        raise DomainError(_("证书类型不正确。"), field="type")
    if not number:
        raise DomainError(_("证书编号不能为空。"), field="number")
    if issue_date > date.today():
        raise DomainError(_("发证日期不能晚于今天。"), field="issue_date")
    if Certificate.objects.filter(type=type, number=number).exists():
        raise DomainError(
            _("%(t)s编号 %(n)s 已登记。") % {"t": CertificateType(type).label, "n": number}, field="number"
        )
    certificate = Certificate.objects.create(
        trainee=trainee,
        type=type,
        number=number,
        occupation=occupation,
        skill_level=skill_level,
        issuing_body=issuing_body.strip(),
        issue_date=issue_date,
        region=certificate_region(trainee=trainee, occupation=occupation, trained_in=trained_in),
        recorded_by=actor,
    )
    audit_log(
        actor=actor,
        action="certificate.recorded",
        target=trainee,
        region=actor.region,
        details={"type": type, "number": number},
    )
    if certificate.region_id:
        progress_changed(counties={certificate.region_id}, months={issue_date})
    return certificate


def _row_arguments(row: dict) -> dict:
    """Parse one Excel row into certificate_add's arguments; DomainError names the column."""
    number = parse_id_number(row.get("身份证号码"))
    from ..crypto import blind_index

    trainee = Trainee.objects.filter(id_index=blind_index(number.value)).first()
    if trainee is None:
        raise DomainError(_("该身份证号尚未登记为学员。"), field="身份证号码")
    if (row.get("姓名") or "").strip() != trainee.name:
        raise DomainError(_("姓名与身份证号登记的姓名不一致。"), field="姓名")
    types = {str(label): value for value, label in CertificateType.choices}
    if row.get("证书类型") not in types:
        raise DomainError(_("应为以下之一：%s。") % "、".join(types), field="证书类型")
    occupation = Occupation.objects.filter(code=row.get("职业编码")).first()
    if occupation is None:
        raise DomainError(_("职业编码不存在。"), field="职业编码")
    level_text = (row.get("技能等级") or "").strip()
    level = (
        SkillLevel.objects.filter(name=level_text).first()
        or SkillLevel.objects.filter(national_grade=level_text).first()
        if level_text
        else None
    )
    if level_text and level is None:
        raise DomainError(_("技能等级不存在。"), field="技能等级")
    issue_date = row.get("发证日期")
    if isinstance(issue_date, datetime):  # an Excel date cell with a time of day
        issue_date = issue_date.date()
    elif not isinstance(issue_date, date):
        try:
            issue_date = date.fromisoformat(str(issue_date or "").strip().replace("/", "-"))
        except ValueError:
            raise DomainError(_("日期格式应为 2025-03-01。"), field="发证日期") from None
    return {
        "trainee": trainee,
        "type": types[row["证书类型"]],
        "number": str(row.get("证书编号") or ""),
        "occupation": occupation,
        "skill_level": level,
        "issuing_body": str(row.get("发证机构") or ""),
        "issue_date": issue_date,
    }


FIELD_COLUMNS = {"type": "证书类型", "number": "证书编号", "issue_date": "发证日期", "id_number": "身份证号码"}


def certificate_import(*, actor: User, sheet: Sheet) -> ImportReport:
    report = ImportReport(total=len(sheet.rows), errors=list(sheet.errors))
    missing = sheet.missing(COLUMNS)
    if missing:
        report.errors.append(ImportError_(None, "", _("表头缺少列：%s。请使用下载的模板。") % "、".join(missing)))
        return report
    if not sheet.rows:
        report.errors.append(ImportError_(None, "", _("文件中没有数据行。")))
        return report
    sid = transaction.savepoint()
    for row_no, row in sheet.records():
        try:
            with transaction.atomic():
                certificate_add(actor=actor, **_row_arguments(row))
            report.created += 1
        except (DomainError, PermissionDenied) as exc:
            column = FIELD_COLUMNS.get(getattr(exc, "field", None), getattr(exc, "field", None) or "")
            report.errors.append(ImportError_(row_no, column, str(exc)))
    if report.errors:
        transaction.savepoint_rollback(sid)
        report.created = 0
    else:
        transaction.savepoint_commit(sid)
    return report
