from django.utils.translation import gettext_lazy as _

from core.menu import entry

entry(_("学员档案"), "trainees:list", permission="trainee.list", order=80, group="classes")
