from django.apps import apps
from django.core.management.base import BaseCommand

from catalog.reference_data import load_all, load_key_areas_and_departments


class Command(BaseCommand):
    help = "Load or refresh the reference lists: regions, occupations, levels, categories, key areas … (idempotent)."

    def handle(self, *args, **options):
        written = load_all(apps.get_model) + load_key_areas_and_departments(
            apps.get_model("catalog", "KeyArea"), apps.get_model("catalog", "Department")
        )
        self.stdout.write(f"reference data: {written} rows written")
