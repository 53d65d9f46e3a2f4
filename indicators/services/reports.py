"""The monthly report (月报): built and archived per region, plan and month (by the worker: monthly for every
province and city, or on request from the reports page)."""

from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from catalog.models import Region
from core import clock
from core.errors import DomainError
from core.policy import require

from ..models import MonthlyReport, Plan
from ..selectors.plans import plans_for
from .workbooks import monthly_report_xlsx


@transaction.atomic
def monthly_report_build(*, region: Region, plan: Plan, month: date) -> MonthlyReport:
    """Write the month's report and archive it; building it again replaces the file (safe to run twice)."""
    month = month.replace(day=1)
    data = monthly_report_xlsx(region=region, plan=plan, month=month)
    report = MonthlyReport.objects.select_for_update().filter(region=region, plan=plan, month=month).first()
    if report is None:
        report = MonthlyReport(region=region, plan=plan, month=month)
    elif report.file:
        report.file.delete(save=False)
    report.file.save(get_valid_filename(f"{region.code}-{plan.code}-{month:%Y-%m}.xlsx"), ContentFile(data), save=False)
    report.created_at = clock.now()
    report.save()
    return report


def report_months(plan: Plan, today: date) -> tuple[date | None, date | None]:
    """(first, last) month a report of `plan` may be asked for: the plan's months up to this one ((None, None)
    before the plan starts)."""
    first, last = plan.start.replace(day=1), min(plan.end, today).replace(day=1)
    return (first, last) if first <= last else (None, None)


@transaction.atomic
def monthly_report_request(*, actor: User, region: Region, plan: Plan, month: date) -> None:
    """Ask for a report now (the 生成 button): checked here, built by the worker after commit."""
    require(actor, "report.build", region, _("只能生成本级或下级区划的月报。"))
    if not plans_for(region).filter(pk=plan.pk).exists():
        raise DomainError(_("该计划不适用于%s。") % region.name, field="plan")
    month = month.replace(day=1)
    first, last = report_months(plan, clock.today())
    if first is None:
        raise DomainError(
            _("该计划尚未开始（%s 起），暂不能生成月报：请选择已开始执行的计划。") % f"{plan.start:%Y-%m}", field="plan"
        )
    if not first <= month <= last:
        raise DomainError(
            _("月份应在计划期内且不晚于本月：请选择 %(first)s 至 %(last)s 之间的月份。")
            % {"first": f"{first:%Y-%m}", "last": f"{last:%Y-%m}"},
            field="month",
        )
    audit_log(actor=actor, action="report.requested", target=plan, region=region, details={"month": str(month)})
    from ..tasks import build_monthly_report

    build_monthly_report.delay_on_commit(region.pk, plan.pk, month.isoformat())
