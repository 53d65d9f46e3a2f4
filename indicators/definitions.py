"""What each computed indicator counts, in one place per indicator.

Counting reads four kinds of facts: the archive ledger, completed enrollments, certificates and designations.
Each fact source gives the county, institution and month of a row, and the breakdown keys; an indicator is a
fact source and a filter. The roll-up counts every indicator of a source in one grouped query (conditional
counts), for the nightly recompute and for the incremental refresh alike (the latter filtered to the touched
counties and years), so they cannot disagree.
"""

from dataclasses import dataclass

from django.db.models import Exists, F, IntegerField, OuterRef, Q, Value
from django.db.models.functions import Coalesce

from core.dates import MonthStart
from institutions.models import InstitutionStatus, InstitutionStatusChange, InstitutionType, UrgentOccupationList
from trainees.models import Certificate, RecordSource, SubsidyKind, TrainingRecord, counted_month
from training.models import ClassStatus, Enrollment

HIGH_SKILLED_RANK = 4  # 高级工 and above
NO_ID = Value(None, output_field=IntegerField())


@dataclass(frozen=True)
class Facts:
    queryset: object
    county: object
    institution: object
    month: object
    keys: dict  # breakdown dimension → expression (an id, or a code for institution_type)

    def sets(self) -> list[str]:
        """The dimensions whose key is a set (a person's groups, through a many-to-many): a fact has a row per
        member there, so they are counted in queries of their own, never with the cells or the total."""
        model = self.queryset.model
        return [
            d
            for d, e in self.keys.items()
            if isinstance(e, F) and model._meta.get_field(e.name.split("__")[0]).many_to_many
        ]


def ledger_facts() -> Facts:
    """The archive ledger, by the county of the class and the month a record counts in (trainees.models.
    counted_month: the approval month of a claim, the end month of history)."""
    return Facts(
        TrainingRecord.objects.all(),
        F("county_id"),
        Coalesce("institution_id", Value(0)),
        counted_month(),
        {
            "category": F("groups"),  # per group (人员类别): a person in two groups counts in both
            "training_type": F("training_type_id"),
            "occupation": F("occupation_id"),
            "institution_type": F("institution__type"),
        },
    )


def enrollment_facts() -> Facts:
    """Completed enrollments of this system's classes, by the class's county and end month."""
    return Facts(
        Enrollment.objects.filter(training_class__status__in=[ClassStatus.COMPLETED, ClassStatus.CLOSED]),
        F("training_class__county_id"),
        F("training_class__institution_id"),
        MonthStart("training_class__end_date"),
        {
            "category": F("groups"),
            "training_type": F("training_class__training_type_id"),
            "occupation": F("training_class__program__occupation_id"),
            "institution_type": F("training_class__institution__type"),
        },
    )


def certificate_facts() -> Facts:
    """Certificates by issue month and the county where the person is registered."""
    return Facts(
        Certificate.objects.filter(trainee__registered_region__isnull=False),
        F("trainee__registered_region_id"),
        Value(0),
        MonthStart("issue_date"),
        {"category": NO_ID, "training_type": NO_ID, "occupation": F("occupation_id"), "institution_type": Value("")},
    )


def designation_facts() -> Facts:
    """First designations of public training bases, in the month they took effect."""
    return Facts(
        InstitutionStatusChange.objects.filter(
            to_status=InstitutionStatus.DESIGNATED, from_status=InstitutionStatus.APPLIED
        ),
        F("institution__county_id"),
        F("institution_id"),
        MonthStart("effective_date"),
        {"category": NO_ID, "training_type": NO_ID, "occupation": NO_ID, "institution_type": F("institution__type")},
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
    sources: dict  # fact source → the filter of the rows it counts


SUBSIDIZED = Q(subsidy_kind=SubsidyKind.TRAINING)
HIGH_SKILLED = Q(skill_level__rank__gte=HIGH_SKILLED_RANK)


def in_group(code: str) -> Exists:
    """A ledger record whose groups include `code`: each record once, however many groups it has."""
    return Exists(TrainingRecord.groups.through.objects.filter(record=OuterRef("pk"), category__code=code))


DEFINITIONS = {
    "subsidized_training": Definition("补贴性职业技能培训", {"ledger": SUBSIDIZED}),
    # "其中：农民工参加职业技能培训（人次）" (seeds 000, 002, 003): subsidized trainings of people who were 农民工,
    # among their groups, when enrolled.
    "migrant_workers": Definition("其中：农民工", {"ledger": SUBSIDIZED & in_group("migrant_worker")}),
    "apprentices": Definition("企业新型学徒制", {"ledger": SUBSIDIZED & Q(training_type__code="apprenticeship")}),
    # All training person-times: this system's completed enrollments plus the migrated history (any subsidy).
    "all_training": Definition(
        "职业技能培训（含非补贴）", {"ledger": Q(source=RecordSource.HISTORY), "enrollments": Q()}
    ),
    "new_certificates": Definition("新增职业资格/技能等级证书", {"certificates": Q()}),
    "high_skilled_certificates": Definition("其中：高技能人才（高级工及以上）", {"certificates": HIGH_SKILLED}),
    "key_area_advanced_certificates": Definition(
        "重点领域高级工以上证书",
        {"certificates": HIGH_SKILLED & Q(occupation__in=UrgentOccupationList.objects.values("occupations"))},
    ),
    "public_training_bases": Definition(
        "新建公共实训基地", {"designations": Q(institution__type=InstitutionType.PUBLIC_TRAINING_BASE)}
    ),
}
DIMENSIONS = {
    "category": "人员类别",
    "training_type": "培训类型",
    "occupation": "职业（工种）",
    "institution_type": "机构类型",
}
