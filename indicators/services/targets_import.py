"""The Excel import of a child allocation (区划代码, 目标, 力争目标): every row is read and checked, then every
row goes through target_set in one transaction; any error and nothing is saved, every error listed."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import Region
from catalog.services import uploaded_sheet
from core.errors import DomainError
from core.importing import FileRejected, ImportError_, ImportReport
from core.policy import can

from ..models import Indicator, Target
from .plans import target_set

ALLOCATION_COLUMNS = ["区划代码", "名称", "目标", "力争目标"]  # 名称 is for people; the import ignores it
FIELD_COLUMNS = {"value": "目标", "stretch": "力争目标", "year": "年度"}


class _Rollback(Exception):
    pass


def _code(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() if value is not None else ""


def _whole(value, column: str, number: int, errors: list) -> int | None:
    """An Excel cell as a whole number (1360, 1360.0 or "1360"); None when empty. Negative numbers are left
    for target_set to refuse, with its own message."""
    if value is None:
        return None
    if isinstance(value, bool):
        value = None
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        errors.append(ImportError_(number, column, _("应为整数，不能有小数或文字。")))
        return None
    return value


def _lookup(code: str, regions: dict) -> Region | None:
    """Codes at their natural length (2312) or in the 6-digit GB/T 2260 form (231200)."""
    if code in regions:
        return regions[code]
    for suffix, length in (("0000", 2), ("00", 4)):
        if len(code) == 6 and code.endswith(suffix) and code[:length] in regions:
            return regions[code[:length]]
    return None


def target_allocation_import(*, actor: User, indicator: Indicator, year: int | None, uploaded_file) -> ImportReport:
    """Import a child allocation (区划代码, 目标, 力争目标): every row is checked, then every row goes through
    target_set in one transaction; any error and nothing is saved."""
    try:
        sheet = uploaded_sheet(uploaded_file)
    except FileRejected as exc:
        return ImportReport(errors=[ImportError_(None, "", str(exc))])
    report = ImportReport(total=len(sheet.rows), errors=list(sheet.errors))
    missing = sheet.missing(["区划代码", "目标"])
    if missing:
        report.errors.append(ImportError_(None, "", _("表头缺少列：%s。请使用下载的模板。") % "、".join(missing)))
        return report
    if not report.total:
        report.errors.append(ImportError_(None, "", _("文件中没有数据行。")))
        return report
    parent = actor.region
    if parent is None or not can(actor, "target.allocate", parent):
        raise PermissionDenied(_("只能向本级区划的下级（或市本级）分解目标。"))
    year = year if indicator.kind == Indicator.Kind.YEARLY else None
    records = list(sheet.records())
    regions = {r.code: r for r in Region.objects.filter(Q(parent=parent) | Q(pk=parent.pk))}
    typed = {_code(v.get("区划代码")) for _, v in records}
    others = {r.code: r for r in Region.objects.filter(code__in=typed | {c[:n] for c in typed for n in (2, 4)})}
    parsed, seen = [], {}
    for number, values in records:
        code = _code(values.get("区划代码"))
        region = _lookup(code, regions) or _lookup(code, others)
        value = _whole(values.get("目标"), "目标", number, report.errors)
        stretch = _whole(values.get("力争目标"), "力争目标", number, report.errors)
        if not code:
            report.errors.append(ImportError_(number, "区划代码", _("请填写区划代码。")))
            continue
        if region is None:
            report.errors.append(ImportError_(number, "区划代码", _("未知的区划代码 %s。") % code))
            continue
        city_own = region.pk == parent.pk
        if region.parent_id != parent.pk and not (city_own and parent.level == Region.Level.CITY):
            report.errors.append(
                ImportError_(
                    number,
                    "区划代码",
                    _("%(name)s（%(code)s）不是%(parent)s的下级区划，不能分解。")
                    % {"name": region.name, "code": region.code, "parent": parent.name},
                )
            )
            continue
        if region.pk in seen:
            report.errors.append(ImportError_(number, "区划代码", _("与第 %s 行重复。") % seen[region.pk]))
            continue
        seen[region.pk] = number
        if values.get("目标") is None:
            report.errors.append(ImportError_(number, "目标", _("请填写目标。")))
        elif value is not None:
            parsed.append((number, region, city_own, value, stretch))
    # The rows that could be read still go through target_set (rolled back), so one upload lists every error.
    existing = set(
        Target.objects.filter(indicator=indicator, year=year, region__in=[p[1] for p in parsed]).values_list(
            "region_id", "city_own"
        )
    )
    try:
        with transaction.atomic():
            year_errors = set()
            for number, region, city_own, value, stretch in parsed:
                try:
                    target_set(
                        actor=actor,
                        indicator=indicator,
                        region=region,
                        value=value,
                        year=year,
                        city_own=city_own,
                        stretch=stretch,
                    )
                except DomainError as exc:
                    if exc.field == "year":  # the same for every row: say it once, about the file
                        year_errors.add(exc.message)
                    else:
                        report.errors.append(ImportError_(number, FIELD_COLUMNS.get(exc.field, ""), exc.message))
                except PermissionDenied as exc:
                    report.errors.append(ImportError_(number, "区划代码", str(exc) or _("没有权限。")))
            report.errors[:0] = [ImportError_(None, "", message) for message in sorted(year_errors)]
            report.errors.sort(key=lambda e: e.row or 0)
            if report.errors:
                raise _Rollback
    except _Rollback:
        return report
    report.updated = sum(1 for p in parsed if (p[1].pk, p[2]) in existing)
    report.created = len(parsed) - report.updated
    return report
