from django.utils.translation import gettext_lazy as _

from accounts.audit_labels import labels

labels(
    {
        "claim.created": _("创建补贴申请"),
        "claim.material_added": _("补充申请材料"),
        "claim.submitted": _("提交补贴申请"),
        "claim.resubmitted": _("重新提交补贴申请"),
        "claim.verification_queued": _("开始核验"),
        "claim.verified": _("核验完成"),
        "claim.reverify_requested": _("要求重新核验"),
        "claim.review_started": _("开始审核"),
        "claim.line_approved": _("审核通过一名人员"),
        "claim.line_rejected": _("审核不通过一名人员"),
        "claim.clean_lines_approved": _("批量通过无核验发现的人员"),
        "claim.warning_accepted": _("接受提示性问题"),
        "claim.returned": _("退回补贴申请"),
        "claim.rejected": _("不予补贴"),
        "claim.noticed": _("送公示"),
        "claim.objection_filed": _("收到公示异议"),
        "claim.objection_upheld": _("异议成立"),
        "claim.objection_dismissed": _("异议不成立"),
        "claim.rejected_at_approval": _("公示后复核不予补贴"),
        "claim.approved": _("批准补贴"),
        "claim.settled": _("清算"),
        "payment.advance_recorded": _("登记预拨"),
        "payment.settlement_recorded": _("登记清算拨付"),
        "payment.recovery_recorded": _("登记追回"),
        "standard.created": _("制定补贴标准"),
        "standard.updated": _("修改补贴标准"),
        "standard.revised": _("发布补贴标准新版本"),
        "standard.retired": _("停用补贴标准"),
        "spot_check.drawn": _("抽取抽查对象"),
        "spot_check.visited": _("登记抽查结果"),
        "follow_up.drawn": _("抽取电话回访对象"),
        "follow_up.recorded": _("登记电话回访结果"),
    }
)
