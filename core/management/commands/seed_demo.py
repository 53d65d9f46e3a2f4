"""Demo data for every feature, idempotent. Each app may have a `demo.py` with `seed(stdout)`; they run in
INSTALLED_APPS order, so an app's demo can rely on the ones below it."""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Create or refresh the demo data (users around 绥化市, and each app's examples). Safe to re-run."

    def handle(self, *args, **options):
        for config in apps.get_app_configs():
            module_name = f"{config.name}.demo"
            if find_spec(module_name) is None:
                continue
            with transaction.atomic():
                import_module(module_name).seed(self.stdout)
