"""急需紧缺职业目录: a bureau publishes the list for its own region and a year."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from catalog.models import Occupation, Region
from core.errors import DomainError
from core.policy import can

from ..models import UrgentOccupationList


@transaction.atomic
def urgent_list_publish(
    *, actor: User, region: Region, year: int, occupations: list[Occupation], document: str = ""
) -> UrgentOccupationList:
    """Publish or republish (replacing the occupations of) the list of `region` for `year`."""
    if region is None or not can(actor, "urgent_list.publish", region):  # asked without a region it means "at all"
        raise PermissionDenied(_("只能发布本级区划的急需紧缺职业目录。"))
    if not 2000 <= year <= 2100:
        raise DomainError(_("年度不正确。"), field="year")
    if not occupations:
        raise DomainError(_("请至少选择一个职业。"), field="occupations")
    urgent_list, created = UrgentOccupationList.objects.select_for_update().get_or_create(
        region=region, year=year, defaults={"document": document, "published_by": actor}
    )
    if not created:
        urgent_list.document, urgent_list.published_by = document, actor
        urgent_list.save()
    urgent_list.occupations.set(occupations)
    audit_log(
        actor=actor,
        action="urgent_list.published",
        target=urgent_list,
        region=region,
        details={"year": year, "occupations": sorted(o.code for o in occupations)},
    )
    return urgent_list
