"""What each computed indicator counts, in one place per indicator.

Counting reads four kinds of facts: the archive ledger, completed enrollments, certificates and institutions'
foundings. Each fact source gives the county, institution and month of a row, and the breakdown keys; an indicator is a
fact source and a filter. The roll-up counts every indicator of a source in one grouped query (conditional
counts), for the nightly recompute and for the incremental refresh alike (the latter filtered to the touched
counties and years), so they cannot disagree.
"""

from dataclasses import dataclass, replace

from django.db.models import F, IntegerField, Q, Value
from django.db.models.functions import Coalesce

from catalog.models import SkillLevel
from core.dates import MonthStart
from institutions.models import Institution, InstitutionType, UrgentOccupationList
from trainees.models import Certificate, CertificateType, RecordSource, SubsidyKind, TrainingRecord, counted_month
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


def ledger_facts() -> Facts:
    """The archive ledger, by the county of the class and the month a record counts in (trainees.models.
    counted_month: the approval month of a claim, the end month of history)."""
    return Facts(
        TrainingRecord.objects.all(),
        F("county_id"),
        Coalesce("institution_id", Value(0)),
        counted_month(),
        {
            "category": F("category_id"),
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
            "category": F("category_id"),
            "training_type": F("training_class__training_type_id"),
            "occupation": F("training_class__program__occupation_id"),
            "institution_type": F("training_class__institution__type"),
        },
    )


def certificate_facts() -> Facts:
    """Certificates by issue month and the region they count in (Certificate.region: the person's registered
    county, else the county where the person trained for it — trainees.services.certificates.certificate_region)."""
    return Facts(
        Certificate.objects.filter(region__isnull=False),
        F("region_id"),
        Value(0),
        MonthStart("issue_date"),
        {"category": NO_ID, "training_type": NO_ID, "occupation": F("occupation_id"), "institution_type": Value("")},
    )


def founding_facts() -> Facts:
    """Institutions by the month they were built (Institution.founded_on, 建成日期); one without a recorded
    founding date is not a fact."""
    return Facts(
        Institution.objects.filter(founded_on__isnull=False),
        F("county_id"),
        F("id"),
        MonthStart("founded_on"),
        {"category": NO_ID, "training_type": NO_ID, "occupation": NO_ID, "institution_type": F("type")},
    )


FACTS = {
    "ledger": ledger_facts,
    "enrollments": enrollment_facts,
    "certificates": certificate_facts,
    "foundings": founding_facts,
}


@dataclass(frozen=True)
class Definition:
    name: str
    sources: dict  # fact source → the filter of the rows it counts
    rule: str = ""  # one line: the plans' words this implements, and how
    seed: str = ""  # the seeds (/work/shared/seeds/NNN_…) whose words it implements


SUBSIDIZED = Q(subsidy_kind=SubsidyKind.TRAINING)
HIGH_SKILLED = Q(skill_level__rank__gte=HIGH_SKILLED_RANK)
# 职业资格证书或职业技能等级证书: not 专项职业能力证书, 特种作业操作证 or 培训合格证.
CERTIFIED = Q(type__in=[CertificateType.QUALIFICATION, CertificateType.SKILL_LEVEL])

DEFINITIONS = {
    "subsidized_training": Definition(
        "补贴性职业技能培训",
        {"ledger": SUBSIDIZED},
        rule=(
            "开展补贴性职业技能培训（人次）：档案台账中享受职业培训补贴的培训记录，"
            "按培训地与补贴审核月份（历史数据按结业月份）统计。"
        ),
        seed="000, 002, 003, 004",
    ),
    "migrant_workers": Definition("其中：农民工", {"ledger": SUBSIDIZED & Q(category__code="migrant_worker")}),
    "apprentices": Definition(
        "企业新型学徒制",
        {"ledger": SUBSIDIZED & Q(training_type__code="apprenticeship")},
        rule="其中：企业新型学徒制培训（人次）：补贴性培训记录中培训类型为企业新型学徒制的。",
        seed="003",
    ),
    # All training person-times: this system's completed enrollments plus the migrated history (any subsidy).
    "all_training": Definition(
        "职业技能培训（含非补贴）",
        {"ledger": Q(source=RecordSource.HISTORY), "enrollments": Q()},
        rule=(
            "开展各类职业技能培训（人次）：本系统已结业培训班的学员（含非补贴）加迁移的历史培训记录，"
            "按培训地与结业月份统计。"
        ),
        seed="001",
    ),
    "high_skilled_training": Definition(
        "其中：高技能人才培训",
        # An uncorrelated IN (hashed once), not a join of SkillLevel onto every ledger row: the roll-up's scan
        # of the ledger stays as fast as before.
        {"ledger": SUBSIDIZED & Q(skill_level__in=SkillLevel.objects.filter(rank__gte=HIGH_SKILLED_RANK).values("pk"))},
        rule=(
            "其中：高技能人才（人次）：补贴性培训记录中培训等级为高级工及以上（高级工、技师、高级技师）"
            "的，按补贴审核月份统计。"
        ),
        seed="001",
    ),
    "new_certificates": Definition(
        "新增职业资格/技能等级证书",
        {"certificates": CERTIFIED},
        rule=(
            "新增取得职业资格证书或职业技能等级证书（人次）：仅这两类证书（不含专项职业能力证书、"
            "特种作业操作证、培训合格证），按发证月份与证书统计地。"
        ),
        seed="000, 002, 003",
    ),
    "high_skilled_certificates": Definition(
        "其中：高技能人才（高级工及以上）",
        {"certificates": CERTIFIED & HIGH_SKILLED},
        rule=(
            "其中：新增高技能人才（取得高级工及以上职业资格证书或职业技能等级证书）：上项证书中等级为高级工及以上的。"
        ),
        seed="000, 002, 003",
    ),
    "key_area_advanced_certificates": Definition(
        "重点领域高级工以上证书",
        {"certificates": HIGH_SKILLED & Q(occupation__in=UrgentOccupationList.objects.values("occupations"))},
    ),
    "public_training_bases": Definition(
        "新建公共实训基地",
        {"foundings": Q(type=InstitutionType.PUBLIC_TRAINING_BASE)},
        rule=(
            "新建公共实训基地（个）：机构类型为公共实训基地、建成日期在计划期内的，"
            "按建成月份与所在地统计；未登记建成日期的不计。"
        ),
        seed="000, 002, 003",
    ),
}
# The statements of the definitions whose counting other work of issue 15 restates (trainee groups, key areas),
# kept off their lines until it does, so that every definition has one (docs/indicators.md prints them).
for _code, _rule, _seed in (
    ("migrant_workers", "其中：农民工参加职业技能培训（人次）：补贴性培训记录中人员类别为农民工的。", "000, 002, 003"),
    (
        "key_area_advanced_certificates",
        "重点领域培训取得高级工以上的职业技能等级证书（人次）：高级工及以上证书中职业在急需紧缺职业目录上的。",
        "001",
    ),
):
    if not DEFINITIONS[_code].rule:
        DEFINITIONS[_code] = replace(DEFINITIONS[_code], rule=_rule, seed=_seed)

DIMENSIONS = {
    "category": "人员类别",
    "training_type": "培训类型",
    "occupation": "职业（工种）",
    "institution_type": "机构类型",
}
