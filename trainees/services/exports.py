"""Excel export of the people in a user's scope: masked by default; full values only for those who may export
them (trainee.export_full), and every export is audited."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from core.importing import export_xlsx
from core.policy import can

# The masked export shows the age by birth year, never the birth date: beside the masked number it would give
# the number back (core.masking). The full export (audited, revealing roles only) has the birth date.
HEADERS = ["姓名", "身份证号", "性别", "年龄", "手机号码", "登记地", "领取养老金"]
FULL_HEADERS = ["姓名", "身份证号", "性别", "出生日期", "手机号码", "登记地", "领取养老金"]
MAX_ROWS = 200_000


def trainee_export(*, actor: User, full: bool = False) -> bytes:
    from ..selectors import trainee_list

    if full and not can(actor, "trainee.export_full"):
        raise PermissionDenied(_("您无权导出完整的个人信息。"))
    trainees = trainee_list(user=actor).select_related("registered_region")
    if full:
        trainees = trainees.defer(None)
    rows = []
    for t in trainees[:MAX_ROWS].iterator(chunk_size=2000):
        rows.append(
            [
                t.name if full else t.name_masked,
                t.id_number if full else t.id_number_masked,
                t.get_gender_display(),
                t.birth_date if full else t.age,
                (t.phone if full else t.phone_masked) or "",
                t.registered_region.name if t.registered_region else "",
                "是" if t.draws_pension else "否",
            ]
        )
    audit_log(
        actor=actor,
        action="trainee.exported_full" if full else "trainee.exported",
        region=actor.region,
        details={"rows": len(rows), "full": full},
    )
    return export_xlsx(FULL_HEADERS if full else HEADERS, rows, title="学员")
