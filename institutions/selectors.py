"""Reads of the institutions app, every one scoped to the user (or public: designated and listed only)."""

from datetime import date

from django.db.models import BooleanField, Case, Exists, F, OuterRef, Q, QuerySet, Value, When

from accounts.models import User
from accounts.selectors import data_scope_q
from catalog.models import OccupationKeyArea, Region
from core import clock

from .models import (
    Institution,
    InstitutionStatus,
    InstitutionStatusChange,
    Program,
    ProgramKeyArea,
    ProgramStatus,
    ProgramStatusChange,
    UrgentOccupationList,
)


def one_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def inactive_q(today: date) -> Q:
    """Designated for 12 months or more without a subsidized class in the last 12 months (seed 004:
    at least one class a year or lose eligibility)."""
    cutoff = one_year_before(today)
    return Q(status=InstitutionStatus.DESIGNATED, designated_since__lte=cutoff) & (
        Q(last_class_on__isnull=True) | Q(last_class_on__lt=cutoff)
    )


def institution_list(*, user: User, filters: dict | None = None, today: date | None = None) -> QuerySet[Institution]:
    filters = filters or {}
    qs = Institution.objects.filter(data_scope_q(user, region_field="county", institution_field="pk"))
    qs = qs.select_related("county__parent").annotate(
        is_inactive=Case(
            When(inactive_q(today or clock.today()), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )
    if filters.get("region"):
        qs = qs.filter(county__code__startswith=filters["region"].code)
    if filters.get("type"):
        qs = qs.filter(type=filters["type"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("occupation"):
        qs = qs.filter(Exists(Program.objects.filter(institution=OuterRef("pk"), occupation=filters["occupation"])))
    if filters.get("inactive"):
        qs = qs.filter(is_inactive=True)
    if filters.get("q"):
        qs = qs.filter(Q(name__icontains=filters["q"]) | Q(credit_code__iexact=filters["q"]))
    return qs.order_by("county__code", "name")


def program_list(*, user: User, filters: dict | None = None) -> QuerySet[Program]:
    filters = filters or {}
    qs = Program.objects.filter(
        data_scope_q(user, region_field="institution__county", institution_field="institution")
    ).select_related("institution__county", "occupation", "skill_level", "training_type")
    return _filter_programs(qs, filters).order_by("institution__county__code", "institution__name", "occupation__code")


def _filter_programs(qs, filters):
    if filters.get("region"):
        qs = qs.filter(institution__county__code__startswith=filters["region"].code)
    if filters.get("institution"):
        qs = qs.filter(institution=filters["institution"])
    for name in ("occupation", "skill_level", "training_type", "mode", "status"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    return qs


# --- the public directory: designated institutions, listed programs, no personal data ------------------


def public_institution_list(*, filters: dict | None = None) -> QuerySet[Institution]:
    filters = filters or {}
    listed = Program.objects.filter(institution=OuterRef("pk"), status=ProgramStatus.LISTED)
    qs = Institution.objects.filter(status=InstitutionStatus.DESIGNATED).select_related("county__parent")
    program_filters = {k: filters[k] for k in ("occupation", "skill_level", "training_type", "mode") if filters.get(k)}
    if program_filters:
        qs = qs.filter(Exists(listed.filter(**program_filters)))
    if filters.get("region"):
        qs = qs.filter(county__code__startswith=filters["region"].code)
    if filters.get("type"):
        qs = qs.filter(type=filters["type"])
    if filters.get("q"):
        qs = qs.filter(name__icontains=filters["q"])
    return qs.order_by("county__code", "name")


def public_programs(institution: Institution) -> QuerySet[Program]:
    return institution.programs.filter(status=ProgramStatus.LISTED).select_related(
        "occupation", "skill_level", "training_type"
    )


# --- questions the training and subsidy apps ask ------------------------------------------------------


def _status_on(changes, day: date) -> str | None:
    """The status in effect on `day`, from changes ordered by effective date."""
    status = None
    for change in changes:
        if change.effective_date > day:
            break
        status = change.to_status
    return status


def _held_throughout(changes, status: str, start: date, end: date) -> bool:
    changes = list(changes)
    if _status_on(changes, start) != status:
        return False
    return all(c.to_status == status for c in changes if start < c.effective_date <= end)


def institution_designated_between(institution: Institution, start: date, end: date) -> bool:
    """Designated on every day from `start` to `end`: may open a subsidized class for those dates."""
    return _held_throughout(
        InstitutionStatusChange.objects.filter(institution=institution), InstitutionStatus.DESIGNATED, start, end
    )


def program_listed_between(program: Program, start: date, end: date) -> bool:
    return _held_throughout(ProgramStatusChange.objects.filter(program=program), ProgramStatus.LISTED, start, end)


def institution_can_open_classes(institution: Institution, start: date, end: date) -> bool:
    return institution.status == InstitutionStatus.DESIGNATED and institution_designated_between(
        institution, start, end
    )


def urgent_occupation_ids(*, region: Region, year: int) -> set[int]:
    """Occupations on the urgent-shortage list of `region` or any region above it, for `year`."""
    codes = [region.code[:n] for n in (2, 4, 6) if n <= len(region.code)]
    return set(
        UrgentOccupationList.objects.filter(region__code__in=codes, year=year).values_list("occupations", flat=True)
    ) - {None}


def program_is_urgent(program: Program, year: int) -> bool:
    return program.occupation_id in urgent_occupation_ids(region=program.institution.county, year=year)


def urgent_list_list(*, user: User) -> QuerySet[UrgentOccupationList]:
    """Lists published for the user's regions and for the regions above them (which apply to them too)."""
    if not user.is_authenticated:
        return UrgentOccupationList.objects.none()
    if user.is_system_admin:
        return UrgentOccupationList.objects.select_related("region").prefetch_related("occupations")
    if user.region_id is None:
        return UrgentOccupationList.objects.none()
    code = user.region.code
    above = [code[:n] for n in (2, 4) if n < len(code)]
    return (
        UrgentOccupationList.objects.filter(Q(region__code__startswith=code) | Q(region__code__in=above))
        .select_related("region")
        .prefetch_related("occupations")
    )


def key_area_tags() -> tuple[QuerySet, QuerySet]:
    """Every key-area tag of occupations and of programs, the open ones first (the province's list: no scope)."""
    order = [F("valid_to").desc(nulls_first=True), "-valid_from"]
    occupations = OccupationKeyArea.objects.select_related("occupation", "key_area").order_by(
        *order, "occupation__code"
    )
    programs = ProgramKeyArea.objects.select_related(
        "program__institution", "program__occupation", "program__skill_level", "key_area"
    ).order_by(*order, "program_id")
    return occupations, programs
