"""Scoped reads of classes, rosters, attendance and import jobs."""

from django.db.models import Count, QuerySet

from accounts.models import User
from accounts.selectors import data_scope_q
from core.policy import can

from .models import ClassStatus, Enrollment, ImportJob, TrainingClass
from .workflows import CLASS


def class_list(*, user: User, filters: dict | None = None) -> QuerySet[TrainingClass]:
    filters = filters or {}
    qs = TrainingClass.objects.filter(data_scope_q(user, region_field="county", institution_field="institution"))
    if not can(user, "class.view_drafts"):
        qs = qs.exclude(status=ClassStatus.DRAFT)  # a draft is the institution's own business until submitted
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("region"):
        qs = qs.filter(county__code__startswith=filters["region"].code)
    return (
        qs.select_related(
            "institution", "program__occupation", "program__skill_level", "program__entrepreneurship_stage", "county"
        )
        .annotate(roster_size=Count("enrollments", distinct=True))
        .order_by("-start_date", "-id")
    )


def approval_queue(*, user: User) -> QuerySet[TrainingClass]:
    """Applications waiting for the bureau's decision."""
    return class_list(user=user).filter(status__in=CLASS.sources("approve")).order_by("start_date", "id")


def roster(training_class: TrainingClass) -> QuerySet[Enrollment]:
    return (
        training_class.enrollments.select_related("trainee", "category", "certificate")
        .prefetch_related("groups")  # every group of the person, in the catalog's order
        .defer("trainee__id_number", "trainee__phone", "trainee__bank_account")
        .order_by("id")
    )


def import_job_list(*, user: User) -> QuerySet[ImportJob]:
    classes = class_list(user=user).values("pk")
    return ImportJob.objects.filter(training_class__in=classes)


def enrollments_of(*, user: User) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(training_class__in=class_list(user=user).values("pk"))
