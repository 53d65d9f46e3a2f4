from django.utils.translation import gettext_lazy as _

from accounts.audit_labels import labels

labels(
    {
        "trainee.registered": _("实名登记学员"),
        "trainee.registered_bulk": _("批量实名登记学员"),
        "trainee.updated": _("修改学员信息"),
        "trainee.category_assigned": _("认定人员类别"),
        "trainee.revealed": _("查看完整个人信息"),
        "trainee.exported": _("导出学员名单"),
        "trainee.exported_full": _("导出学员名单（完整信息）"),
        "trainee.history_imported": _("导入历史培训记录"),
        "certificate.recorded": _("登记证书"),
        "pii.keys_rotated": _("更换个人信息加密密钥"),
    }
)
