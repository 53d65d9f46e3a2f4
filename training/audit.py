from django.utils.translation import gettext_lazy as _

from accounts.audit_labels import labels

labels(
    {
        "class.created": _("创建开班申请"),
        "class.updated": _("修改开班申请"),
        "class.submitted": _("提交开班申请"),
        "class.resubmitted": _("重新提交开班申请"),
        "class.approved": _("批准开班"),
        "class.returned": _("退回开班申请"),
        "class.rejected": _("不予批准开班"),
        "class.change_requested": _("申请变更已批准的培训班"),
        "class.started": _("开班"),
        "class.completed": _("结业"),
        "class.closed": _("关闭培训班"),
        "class.timetable_generated": _("批量生成课程表"),
        "class.material_uploaded": _("上传开班材料"),
        "class.roster_imported": _("导入花名册"),
        "device.issued": _("登记考勤设备"),
        "device.revoked": _("停用考勤设备"),
        "attendance.manual": _("手工补录考勤"),
        "enrollment.result_recorded": _("登记培训结果"),
        "business_start.recorded": _("登记创业后续服务"),
    }
)
