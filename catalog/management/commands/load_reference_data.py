from django.apps import apps
from django.core.management.base import BaseCommand

from catalog.reference_data import load_all


class Command(BaseCommand):
    help = "Load or refresh regions, occupations, skill levels, trainee categories and training types (idempotent)."

    def handle(self, *args, **options):
        written = load_all(apps.get_model)
        self.stdout.write(f"reference data: {written} rows written")
