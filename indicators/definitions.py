"""What each computed indicator counts, in one place per indicator.

A definition is one or more sources: a queryset of the counted rows and the expressions giving each row's
county, institution, month and breakdown keys. The nightly recompute and the incremental update group the
same sources (the incremental one filtered to the touched counties and months), so they cannot disagree.
"""

from dataclasses import dataclass, field

from django.db.models import Case, DateField, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, TruncDate, TruncMonth

from institutions.models import InstitutionStatus, InstitutionStatusChange, InstitutionType, UrgentOccupationList
from trainees.models import Certificate, RecordSource, SubsidyKind, TrainingRecord
from training.models import ClassStatus, Enrollment

HIGH_SKILLED_RANK = 4  # 高级工 and above
NONE = Value("—")


@dataclass(frozen=True)
class Source:
    queryset: QuerySet
    county: object  # expression or field path
    month: object
    institution: object = Value(0)
    breakdown: dict = field(default_factory=dict)  # dimension → expression


def _ledger_source(*q) -> Source:
    """Subsidized trainings of the ledger, counted in the month they were approved (history: the month they
    ended), by the county of the class."""
    counted = Case(
        When(source=RecordSource.CLAIM, then=TruncDate("created_at")), default=F("end_date"), output_field=DateField()
    )
    return Source(
        TrainingRecord.objects.filter(*q, subsidy_kind=SubsidyKind.TRAINING),
        county=F("county_id"),
        month=TruncMonth(counted),
        institution=Coalesce("institution_id", Value(0)),
        breakdown={
            "category": Coalesce("category__name", Value("未登记")),
            "training_type": F("training_type__name"),
            "occupation": F("occupation__name"),
            "institution_type": Coalesce("institution__type", Value("")),
        },
    )


def subsidized_training():
    return [_ledger_source()]


def migrant_workers():
    return [_ledger_source(Q(category__code="migrant_worker"))]


def apprentices():
    return [_ledger_source(Q(training_type__code="apprenticeship"))]


def all_training():
    """Completed enrollments of this system's classes, subsidized or not, plus migrated history."""
    return [
        Source(
            Enrollment.objects.filter(training_class__status__in=[ClassStatus.COMPLETED, ClassStatus.CLOSED]),
            county=F("training_class__county_id"),
            month=TruncMonth("training_class__end_date"),
            institution=F("training_class__institution_id"),
            breakdown={
                "category": Coalesce("category__name", Value("未登记")),
                "training_type": F("training_class__training_type__name"),
                "occupation": F("training_class__program__occupation__name"),
                "institution_type": F("training_class__institution__type"),
            },
        ),
        Source(
            TrainingRecord.objects.filter(source=RecordSource.HISTORY),
            county=F("county_id"),
            month=TruncMonth("end_date"),
            institution=Coalesce("institution_id", Value(0)),
            breakdown={
                "category": Coalesce("category__name", Value("未登记")),
                "training_type": F("training_type__name"),
                "occupation": F("occupation__name"),
                "institution_type": Coalesce("institution__type", Value("")),
            },
        ),
    ]


def _certificates(*q) -> Source:
    """Certificates by issue month and the county where the person is registered."""
    return Source(
        Certificate.objects.filter(*q, trainee__registered_region__isnull=False),
        county=F("trainee__registered_region_id"),
        month=TruncMonth("issue_date"),
        breakdown={
            "category": NONE,
            "training_type": F("type"),
            "occupation": F("occupation__name"),
            "institution_type": NONE,
        },
    )


def new_certificates():
    return [_certificates()]


def high_skilled_certificates():
    return [_certificates(Q(skill_level__rank__gte=HIGH_SKILLED_RANK))]


def key_area_advanced_certificates():
    """High-skilled certificates in occupations on an urgent-shortage (key-area) list."""
    return [
        _certificates(
            Q(
                skill_level__rank__gte=HIGH_SKILLED_RANK,
                occupation__in=UrgentOccupationList.objects.values("occupations"),
            )
        )
    ]


def public_training_bases():
    """Public training bases designated for the first time, in the month the designation took effect."""
    return [
        Source(
            InstitutionStatusChange.objects.filter(
                to_status=InstitutionStatus.DESIGNATED,
                from_status=InstitutionStatus.APPLIED,
                institution__type=InstitutionType.PUBLIC_TRAINING_BASE,
            ),
            county=F("institution__county_id"),
            month=TruncMonth("effective_date"),
            institution=F("institution_id"),
            breakdown={
                "category": NONE,
                "training_type": NONE,
                "occupation": NONE,
                "institution_type": F("institution__type"),
            },
        )
    ]


DEFINITIONS = {
    "subsidized_training": ("补贴性职业技能培训", subsidized_training),
    "migrant_workers": ("其中：农民工", migrant_workers),
    "all_training": ("职业技能培训（含非补贴）", all_training),
    "new_certificates": ("新增职业资格/技能等级证书", new_certificates),
    "high_skilled_certificates": ("其中：高技能人才（高级工及以上）", high_skilled_certificates),
    "key_area_advanced_certificates": ("重点领域高级工以上证书", key_area_advanced_certificates),
    "public_training_bases": ("新建公共实训基地", public_training_bases),
    "apprentices": ("企业新型学徒制", apprentices),
}
DIMENSIONS = {
    "category": "人员类别",
    "training_type": "培训类型",
    "occupation": "职业（工种）",
    "institution_type": "机构类型",
}
