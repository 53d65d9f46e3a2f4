from django.utils.translation import gettext_lazy as _

from core.menu import entry

entry(_("开班审批"), "training:queue", permission="class.decide", order=60, group="classes", badge="class_approvals")
entry(_("培训班"), "training:list", permission="class.list", order=70, group="classes")
entry(_("考勤设备"), "training:devices", permission="device.manage", order=90, group="classes")
