from django.utils.translation import gettext_lazy as _

from accounts.audit_labels import labels

labels(
    {
        "institution.applied": _("登记机构申请"),
        "institution.designated": _("认定为定点机构"),
        "institution.suspended": _("暂停认定"),
        "institution.reinstated": _("恢复认定"),
        "institution.revoked": _("撤销认定"),
        "institution.updated": _("修改机构信息"),
        "institution.change_requested": _("提交信息变更申请"),
        "institution.change_approved": _("批准信息变更"),
        "institution.change_rejected": _("驳回信息变更"),
        "institution.teacher_added": _("添加师资"),
        "institution.teacher_removed": _("删除师资"),
        "institution.venue_added": _("添加培训场地"),
        "institution.venue_removed": _("删除培训场地"),
        "institution.report_recorded": _("登记年度报告"),
        "institution.inspection_recorded": _("登记年度检查"),
        "institution.rating_d": _("年度评级为 D，须复核认定"),
        "program.listed": _("列入培训项目目录"),
        "program.delisted": _("移出培训项目目录"),
        "urgent_list.published": _("发布急需紧缺职业目录"),
        "key_area.tagged": _("标记重点领域"),
        "key_area.ended": _("结束重点领域标记"),
        "directory.institutions_imported": _("导入培训机构"),
        "directory.programs_imported": _("导入培训项目"),
    }
)
