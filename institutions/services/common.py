from datetime import date

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.selectors import user_may_act_on_region
from core import clock
from core.errors import DomainError

from ..models import Institution

DECIDING_ROLES = (Role.COUNTY, Role.CITY)


def require_bureau_scope(actor: User, institution: Institution, roles=DECIDING_ROLES) -> None:
    if not user_may_act_on_region(actor, institution.county, roles):
        raise PermissionDenied(_("您无权处理该机构（不在您的管辖范围内）。"))


def require_own_institution(actor: User, institution: Institution) -> None:
    if actor.role != Role.INSTITUTION or actor.institution_id != institution.pk:
        raise PermissionDenied(_("只能处理本机构的数据。"))


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
