from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from .models import Occupation, Region, SkillLevel, TraineeCategory, TrainingType
from .resources import OccupationResource, RegionResource


@admin.register(Region)
class RegionAdmin(ImportExportModelAdmin):
    resource_classes = [RegionResource]
    list_display = ["code", "name", "level", "parent", "is_statistical"]
    list_filter = ["level", "is_statistical"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]


@admin.register(Occupation)
class OccupationAdmin(ImportExportModelAdmin):
    resource_classes = [OccupationResource]
    list_display = ["code", "name", "category", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["code", "name"]


@admin.register(SkillLevel)
class SkillLevelAdmin(admin.ModelAdmin):
    list_display = ["rank", "name", "national_grade", "code"]


@admin.register(TraineeCategory, TrainingType)
class OrderedListAdmin(admin.ModelAdmin):
    list_display = ["sort_order", "name", "code"]
