from django.utils.translation import gettext_lazy as _

from core.menu import entry

entry(_("进度看板"), "indicators:dashboard", permission="dashboard.view", order=150, group="analysis")
entry(_("目标任务"), "indicators:targets", permission="target.allocate", order=160, group="analysis")
