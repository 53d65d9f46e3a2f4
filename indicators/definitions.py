"""What each computed indicator counts, in one place per indicator.

Counting reads four kinds of facts: the archive ledger, completed enrollments, certificates and institutions'
foundings. Each fact source gives the county, institution and month of a row, and the breakdown keys; an indicator is a
fact source and a filter. The roll-up counts every indicator of a source in one grouped query (conditional
counts), for the nightly recompute and for the incremental refresh alike (the latter filtered to the touched
counties and years), so they cannot disagree.
"""

from dataclasses import dataclass

from django.db.models import Exists, F, FilteredRelation, IntegerField, OuterRef, Q, Value
from django.db.models.functions import Coalesce

from catalog.models import SkillLevel
from catalog.reference_data import KEY_AREAS
from core.dates import MonthStart
from institutions.models import Institution, InstitutionType
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

    def sets(self) -> list[str]:
        """The dimensions whose key is a set (a person's groups, through a many-to-many): a fact has a row per
        member there, so they are counted in queries of their own, never with the cells or the total."""
        model = self.queryset.model
        return [
            d
            for d, e in self.keys.items()
            if isinstance(e, F) and model._meta.get_field(e.name.split("__")[0]).many_to_many
        ]


# --- key areas (重点领域, seed 001): a fact's tags valid on its day, joined rather than looked up per row -------
def _valid_on(relation: str, day: str) -> Q:
    return Q(**{f"{relation}__valid_from__lte": F(day)}) & (
        Q(**{f"{relation}__valid_to__isnull": True}) | Q(**{f"{relation}__valid_to__gte": F(day)})
    )


# The ledger names no program: a program's tag carries its institution, occupation, level and type.
LEDGER_PROGRAM = (
    "institution__program_key_area_tags",
    Q(
        institution__program_key_area_tags__occupation=F("occupation_id"),
        institution__program_key_area_tags__skill_level=F("skill_level_id"),
        institution__program_key_area_tags__training_type=F("training_type_id"),
    ),
)


def with_key_area(queryset, occupation: str, day: str, *, program=None):
    """`queryset` with the tag of its occupation (path `occupation`) valid on `day` joined as ka_occupation, with
    `program` (path, extra condition) the program's as ka_program, and the area's code as ka_code. Each is at
    most one row (tags of the same occupation, or program, never overlap), so the join multiplies nothing; a
    join, not an EXISTS per row, keeps the scan parallel."""
    tags = f"{occupation}__key_area_tags"
    relations = {"ka_occupation": FilteredRelation(tags, condition=_valid_on(tags, day))}
    area = F("ka_occupation__key_area_id")
    if program:
        path, condition = program
        relations["ka_program"] = FilteredRelation(path, condition=condition & _valid_on(path, day))
        area = Coalesce("ka_program__key_area_id", area)  # a program's tag before its occupation's
    return queryset.alias(**relations).alias(ka_code=area)


IN_KEY_AREA = Q(ka_program__isnull=False) | Q(ka_occupation__isnull=False)


def ledger_facts() -> Facts:
    """The archive ledger, by the county of the class and the month a record counts in (trainees.models.
    counted_month: the approval month of a claim, the end month of history)."""
    return Facts(
        with_key_area(TrainingRecord.objects.all(), "occupation", "end_date", program=LEDGER_PROGRAM),
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
    """Certificates by issue month and the region they count in (Certificate.region: the person's registered
    county, else the county where the person trained for it — trainees.services.certificates.certificate_region)."""
    return Facts(
        with_key_area(Certificate.objects.filter(region__isnull=False), "occupation", "issue_date"),
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
# Obtained through training: the cheap conditions above come first, so this runs only for the few they leave.
TRAINED_FOR_IT = Q(
    Exists(
        TrainingRecord.objects.filter(
            trainee_id=OuterRef("trainee_id"),
            occupation_id=OuterRef("occupation_id"),
            end_date__lte=OuterRef("issue_date"),
        )
    )
)


class InGroup(Exists):
    """A ledger record whose groups include `code`: each record once, however many groups it has. As a correlated
    EXISTS it costs an index probe per record: right for a refresh of a few counties. Over the whole ledger (the
    nightly recompute) `whole_ledger` swaps it for the same test as an uncorrelated IN, hashed once."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(TrainingRecord.groups.through.objects.filter(record=OuterRef("pk"), category__code=code))

    def hashed(self) -> Q:
        return Q(pk__in=TrainingRecord.groups.through.objects.filter(category__code=self.code).values("record_id"))


def in_group(code: str) -> InGroup:
    return InGroup(code)


def whole_ledger(q: Q) -> Q:
    """`q` with each InGroup in it as its hashed IN (the same rows: see InGroup)."""
    children = [
        whole_ledger(c) if isinstance(c, Q) else c.hashed() if isinstance(c, InGroup) else c for c in q.children
    ]
    return Q(*children, _connector=q.connector, _negated=q.negated)


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
    "migrant_workers": Definition(
        "其中：农民工",
        {"ledger": SUBSIDIZED & in_group("migrant_worker")},
        rule=(
            "其中：农民工参加职业技能培训（人次）：补贴性培训记录中，报名时本人所属人员类别（可有多个）含农民工的，"
            "每条记录计一次。"
        ),
        seed="000, 002, 003",
    ),
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
    # seed 001 (黑龙江 2025–2027): 全省每年开展重点领域职业技能培训25万人次以上 — subsidized training (the ledger)
    # in an occupation or program whose key-area tag applies on the training's end date.
    "key_area_training": Definition(
        "重点领域职业技能培训",
        {"ledger": SUBSIDIZED & IN_KEY_AREA},
        rule=(
            "全省每年开展重点领域职业技能培训（人次）：补贴性培训记录中职业（或培训项目）在结业日带有重点领域标记的，"
            "重点领域为方案所列产业（省厅维护标记，含起止日期）。"
        ),
        seed="001",
    ),
    # seed 001: 取得高级工以上的职业技能等级证书2万人次以上 — 职业技能等级证书 or 职业资格证书 at 高级工 and above, in
    # an occupation tagged on the issue date, of a person whose ledger has a training in it ended by then.
    "key_area_advanced_certificates": Definition(
        "重点领域培训取得高级工以上证书",
        {"certificates": CERTIFIED & HIGH_SKILLED & Q(ka_occupation__isnull=False) & TRAINED_FOR_IT},
        rule=(
            "重点领域培训取得高级工以上的职业技能等级证书（人次）：高级工及以上职业资格/职业技能等级证书，"
            "其职业在发证日带有重点领域标记，且本人档案中有该职业在发证日前结业的培训。"
        ),
        seed="001",
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
# The key-area definitions, broken down by 重点领域 in the roll-up (indicators.services.rollup_areas).
KEY_AREA_DEFINITIONS = ["key_area_training", "key_area_advanced_certificates"]
KEY_AREA_NAMES = dict(KEY_AREAS)


DIMENSIONS = {
    "category": "人员类别",
    "training_type": "培训类型",
    "occupation": "职业（工种）",
    "institution_type": "机构类型",
    "key_area": "重点领域",  # not a fact key: see KEY_AREA_DEFINITIONS
}
