"""What each computed indicator counts, in one place per indicator.

Counting reads four kinds of facts, each grouped once by county, institution, month and the breakdown keys
(ids): the archive ledger, completed enrollments, certificates and designations. An indicator is one fact
source and a predicate over its grouped rows. The nightly recompute, the incremental refresh (the same
queries filtered to the touched counties and months) and a direct count all go through here, so they
cannot disagree.
"""

from dataclasses import dataclass

from django.db.models import Case, DateField, F, IntegerField, Value, When
from django.db.models.functions import Coalesce, TruncDate, TruncMonth

from institutions.models import InstitutionStatus, InstitutionStatusChange, InstitutionType
from trainees.models import Certificate, RecordSource, SubsidyKind, TrainingRecord
from training.models import ClassStatus, Enrollment

HIGH_SKILLED_RANK = 4  # 高级工 and above
NO_ID = Value(None, output_field=IntegerField())


@dataclass(frozen=True)
class Facts:
    """A grouped query: every row carries county, institution, month, category, training_type, occupation,
    plus `extra` keys the predicates read, and n (the count)."""

    queryset: object
    fields: dict  # key → expression


def ledger_facts() -> Facts:
    """The archive ledger. Subsidized trainings count in the month they were approved (history: the month
    they ended), by the county of the class."""
    counted = Case(
        When(source=RecordSource.CLAIM, then=TruncDate("created_at")), default=F("end_date"), output_field=DateField()
    )
    return Facts(
        TrainingRecord.objects.all(),
        {
            "county": F("county_id"),
            "institution": Coalesce("institution_id", Value(0)),
            "month": TruncMonth(counted),
            "category": F("category_id"),
            "training_type": F("training_type_id"),
            "occupation": F("occupation_id"),
            "source": F("source"),
            "subsidy_kind": F("subsidy_kind"),
        },
    )


def enrollment_facts() -> Facts:
    """Completed enrollments of this system's classes, by the class's county and end month."""
    return Facts(
        Enrollment.objects.filter(training_class__status__in=[ClassStatus.COMPLETED, ClassStatus.CLOSED]),
        {
            "county": F("training_class__county_id"),
            "institution": F("training_class__institution_id"),
            "month": TruncMonth("training_class__end_date"),
            "category": F("category_id"),
            "training_type": F("training_class__training_type_id"),
            "occupation": F("training_class__program__occupation_id"),
        },
    )


def certificate_facts() -> Facts:
    """Certificates by issue month and the county where the person is registered."""
    return Facts(
        Certificate.objects.filter(trainee__registered_region__isnull=False),
        {
            "county": F("trainee__registered_region_id"),
            "institution": Value(0),
            "month": TruncMonth("issue_date"),
            "category": NO_ID,
            "training_type": NO_ID,
            "occupation": F("occupation_id"),
            "rank": Coalesce("skill_level__rank", Value(0)),
        },
    )


def designation_facts() -> Facts:
    """First designations of public training bases, in the month they took effect."""
    return Facts(
        InstitutionStatusChange.objects.filter(
            to_status=InstitutionStatus.DESIGNATED,
            from_status=InstitutionStatus.APPLIED,
            institution__type=InstitutionType.PUBLIC_TRAINING_BASE,
        ),
        {
            "county": F("institution__county_id"),
            "institution": F("institution_id"),
            "month": TruncMonth("effective_date"),
            "category": NO_ID,
            "training_type": NO_ID,
            "occupation": NO_ID,
        },
    )


FACTS = {
    "ledger": ledger_facts,
    "enrollments": enrollment_facts,
    "certificates": certificate_facts,
    "designations": designation_facts,
}


@dataclass(frozen=True)
class Definition:
    name: str
    facts: str  # key of FACTS
    counts: object  # predicate over a grouped row (a dict) → bool; `ids` maps codes to ids


def _subsidized(row, ids):
    return row["subsidy_kind"] == SubsidyKind.TRAINING


DEFINITIONS = {
    "subsidized_training": Definition("补贴性职业技能培训", "ledger", _subsidized),
    "migrant_workers": Definition(
        "其中：农民工", "ledger", lambda row, ids: _subsidized(row, ids) and row["category"] == ids["migrant_worker"]
    ),
    "apprentices": Definition(
        "企业新型学徒制",
        "ledger",
        lambda row, ids: _subsidized(row, ids) and row["training_type"] == ids["apprenticeship"],
    ),
    # All training person-times: this system's completed enrollments plus the migrated history (any subsidy).
    "all_training": Definition(
        "职业技能培训（含非补贴）",
        "ledger+enrollments",
        lambda row, ids: row.get("source", RecordSource.HISTORY) == RecordSource.HISTORY,
    ),
    "new_certificates": Definition("新增职业资格/技能等级证书", "certificates", lambda row, ids: True),
    "high_skilled_certificates": Definition(
        "其中：高技能人才（高级工及以上）", "certificates", lambda row, ids: row["rank"] >= HIGH_SKILLED_RANK
    ),
    "key_area_advanced_certificates": Definition(
        "重点领域高级工以上证书",
        "certificates",
        lambda row, ids: row["rank"] >= HIGH_SKILLED_RANK and row["occupation"] in ids["urgent_occupations"],
    ),
    "public_training_bases": Definition("新建公共实训基地", "designations", lambda row, ids: True),
}
DIMENSIONS = {
    "category": "人员类别",
    "training_type": "培训类型",
    "occupation": "职业（工种）",
    "institution_type": "机构类型",
}
