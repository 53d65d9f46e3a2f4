from django.contrib import admin

from .models import Certificate, Trainee, TrainingRecord


@admin.register(Trainee)
class TraineeAdmin(admin.ModelAdmin):
    """Masked columns only; the encrypted values are not shown or edited here, nor the birth date (the age by
    birth year instead: beside the mask the date would give the number back, see core.masking)."""

    list_display = ["id", "name_masked", "id_number_masked", "gender", "age", "registered_region"]
    fields = ["id_number_masked", "gender", "age", "registered_region", "draws_pension"]
    readonly_fields = fields
    search_fields = []
    ordering = ["-id"]  # the newest registrations first

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("id_number", "phone", "bank_account")


@admin.register(TrainingRecord)
class TrainingRecordAdmin(admin.ModelAdmin):
    list_display = ["id", "trainee_id", "occupation", "skill_level", "end_date", "county", "amount", "source"]
    list_filter = ["source", "year"]
    raw_id_fields = ["trainee", "institution"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["type", "number", "occupation", "skill_level", "issue_date"]
    raw_id_fields = ["trainee"]
