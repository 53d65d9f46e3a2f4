"""Scoped reads of the real-name register and the archive."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from accounts.models import User
from accounts.selectors import NOTHING, data_scope_q
from core import clock
from core.policy import can

from . import idnumber
from .crypto import blind_index
from .models import Certificate, RecordSource, SubsidyKind, Trainee, TraineeAccess, TrainingRecord


def _access_q(user: User) -> Q:
    """Bureau users: people who registered, enrolled or trained in their regions. Institution users:
    people who trained or enrolled with their institution. Nobody else."""
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_system_admin:
        return Q()
    scope = data_scope_q(user, region_field="county", institution_field="institution")
    if scope == NOTHING:
        return NOTHING
    return Q(Exists(TraineeAccess.objects.filter(scope, trainee=OuterRef("pk"))))


def trainee_list(*, user: User, filters: dict | None = None) -> QuerySet[Trainee]:
    """Trainees in scope; `id_number` (exact, through the blind index) and `name` filters."""
    filters = filters or {}
    qs = Trainee.objects.filter(_access_q(user)).defer("id_number", "phone", "bank_account")
    if filters.get("id_number"):
        try:
            number = idnumber.parse(filters["id_number"])
        except idnumber.InvalidIdNumber:
            return qs.none()
        qs = qs.filter(id_index=blind_index(number.value))
    if filters.get("name"):
        qs = qs.filter(name__startswith=filters["name"].strip())
    return qs.select_related("registered_region").order_by("-created_at", "-id")


def records_visible(*, user: User, trainee: Trainee) -> QuerySet[TrainingRecord]:
    """An institution user sees only the trainings with its own institution."""
    qs = trainee.records.select_related(
        "occupation", "skill_level", "entrepreneurship_stage", "training_type", "county", "institution"
    )
    qs = qs.prefetch_related("groups")  # the person's groups frozen for each training
    if not can(user, "trainee.view_all_records"):
        qs = qs.filter(institution_id=user.institution_id)
    return qs.order_by("-end_date", "-id")


def subsidies_in_year(trainee: Trainee, year: int) -> int:
    """Subsidized trainings counted for the yearly limit (3 a year)."""
    return trainee.records.filter(year=year).exclude(subsidy_kind=SubsidyKind.NONE).count()


def archive(*, user: User, trainee: Trainee) -> dict:
    year = clock.today().year
    records = records_visible(user=user, trainee=trainee)
    return {
        "trainee": trainee,
        "categories": trainee.categories.select_related("category"),
        "records": records,
        "subsidies_this_year": subsidies_in_year(trainee, year),
        "year": year,
        "certificates": trainee.certificates.select_related("occupation", "skill_level"),
        "age": trainee.age,  # by birth year: a 周岁 to today would change on the birthday (core.masking)
    }


def certificate_list(*, user: User) -> QuerySet[Certificate]:
    return Certificate.objects.filter(trainee__in=trainee_list(user=user).values("pk")).select_related(
        "trainee", "occupation", "skill_level"
    )


def subsidy_counts_by_year(trainee: Trainee) -> dict[int, int]:
    rows = trainee.records.exclude(subsidy_kind=SubsidyKind.NONE).values("year").annotate(n=Count("id"))
    return {r["year"]: r["n"] for r in rows}


def subsidized_for_stage(*, trainee_ids: list[int], stage_id: int) -> set[int]:
    """Of these people, those already subsidized for this entrepreneurship stage (创业培训; one query)."""
    return set(
        TrainingRecord.objects.filter(
            trainee_id__in=trainee_ids, entrepreneurship_stage_id=stage_id, subsidy_kind=SubsidyKind.TRAINING
        ).values_list("trainee_id", flat=True)
    )


def subsidy_history(*, trainee_ids: list[int], year: int) -> tuple[dict[int, int], dict[int, list[tuple[int, int]]]]:
    """For roster warnings and subsidy rules, in two queries: subsidized trainings per person in `year`, and
    each person's subsidized (occupation id, skill level rank) pairs."""
    per_year = dict(
        TrainingRecord.objects.filter(trainee_id__in=trainee_ids, year=year)
        .exclude(subsidy_kind=SubsidyKind.NONE)
        .values("trainee_id")
        .annotate(n=Count("id"))
        .values_list("trainee_id", "n")
    )
    pairs: dict[int, list[tuple[int, int]]] = {}
    rows = (
        TrainingRecord.objects.filter(trainee_id__in=trainee_ids)
        .exclude(subsidy_kind=SubsidyKind.NONE)
        .values_list("trainee_id", "occupation_id", "skill_level__rank")
    )
    for trainee_id, occupation_id, rank in rows:
        pairs.setdefault(trainee_id, []).append((occupation_id, rank))
    return per_year, pairs


def archived_trainings_between(*, trainee_ids, start, end) -> dict[int, list[tuple]]:
    """Migrated history in the archive (imported, not a class of this system: those are checked by their
    sessions and check-ins) whose dates overlap [start, end], per person: (start, end, institution). One query
    for any number of people, for the roster check and the claim's overlap rule alike."""
    rows = (
        TrainingRecord.objects.filter(
            trainee_id__in=list(trainee_ids), source=RecordSource.HISTORY, start_date__lte=end, end_date__gte=start
        )
        .order_by("start_date")
        .values_list("trainee_id", "start_date", "end_date", "institution__name", "institution_credit_code")
    )
    found: dict[int, list[tuple]] = {}
    for trainee_id, first, last, name, code in rows:
        found.setdefault(trainee_id, []).append((first, last, name or code or ""))
    return found
