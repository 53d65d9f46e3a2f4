from django.apps import apps
from django.core.management.base import BaseCommand

from catalog.reference_data import load_all, load_entrepreneurship_stages, load_key_areas_and_departments


class Command(BaseCommand):
    help = "Load or refresh the reference lists: regions, occupations, levels, categories, key areas … (idempotent)."

    def handle(self, *args, **options):
        model = apps.get_model
        written = load_all(model)
        written += load_key_areas_and_departments(model("catalog", "KeyArea"), model("catalog", "Department"))
        written += load_entrepreneurship_stages(model("catalog", "EntrepreneurshipStage"))
        self.stdout.write(f"reference data: {written} rows written")
