from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("计划指标与进度")

    def ready(self):
        # Register the tasks in every process (web, worker): lower apps enqueue the roll-up refresh by name.
        from . import tasks  # noqa: F401
