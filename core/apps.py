from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("公共")

    def ready(self):
        # Each app declares its permissions, workflows, menu, audit labels and to-dos in modules of these names.
        autodiscover_modules("permissions", "workflows", "menu", "audit", "work")
