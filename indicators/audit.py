from django.utils.translation import gettext_lazy as _

from accounts.audit_labels import labels

labels(
    {
        "target.set": _("下达目标任务"),
        "indicator.reported": _("填报指标数据"),
        "task.progress_reported": _("报告重点任务进展"),
        "report.requested": _("生成月报"),
    }
)
