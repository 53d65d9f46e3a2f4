from datetime import date

from django.utils.translation import gettext as _

from accounts.models import User
from core import clock
from core.errors import DomainError
from core.policy import require

from ..models import Institution


def require_bureau_scope(actor: User, institution: Institution) -> None:
    """County or city staff whose region holds the institution (the administrator runs the system, and does not
    decide cases)."""
    require(actor, "institution.decide", institution, _("您无权处理该机构（不在您的管辖范围内）。"))


def require_own_institution(actor: User, institution: Institution) -> None:
    require(actor, "institution.edit_own", institution, _("只能处理本机构的数据。"))


def today() -> date:
    return clock.today()


def check_effective_date(effective_date: date, last_change_date: date | None) -> None:
    """History stays in order and never describes the future."""
    if effective_date > today():
        raise DomainError(_("生效日期不能晚于今天。"), field="effective_date")
    if last_change_date and effective_date < last_change_date:
        raise DomainError(
            _("生效日期不能早于上一次状态变更的生效日期（%(d)s）。") % {"d": last_change_date}, field="effective_date"
        )


def require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写理由。"), field="reason")
    return reason
