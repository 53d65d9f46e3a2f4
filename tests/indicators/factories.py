"""Helpers for the indicators tests: the counted facts made by hand (ledger rows, completed classes,
certificates, designations), plans of our own (PlanFactory, IndicatorFactory, TargetFactory, KeyTaskFactory),
roll-up cells written by hand (ProgressFactory) and snapshots of the roll-up tables.

Ledger rows go through trainees.services.records.training_records_append_bulk (with `source=`), played at the
approval moment with core.clock.replaying so a claim's created_at is the approval time. Classes and enrollments
are plain rows: the indicators read only their status, county, end date and roster."""

import itertools
from datetime import date, time, timedelta
from decimal import Decimal

import factory

from catalog.models import Occupation, Region, SkillLevel, TraineeCategory, TrainingType
from core.clock import replaying as clock
from indicators.models import Breakdown, Indicator, KeyTask, Plan, Progress, Target
from indicators.services.rollups import _parent
from institutions.models import InstitutionType
from tests.institutions.factories import DesignatedInstitutionFactory, ProgramFactory, bureau_actor
from tests.trainees.factories import make_id, register
from trainees.models import Certificate, CertificateType, RecordSource, SubsidyKind, Trainee
from trainees.services.certificates import certificate_region
from trainees.services.records import training_records_append_bulk
from training.models import ClassStatus, Enrollment, TrainingClass

_seq = itertools.count(1)


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def person(county: str = "231202", name: str = "王秀英") -> Trainee:
    """A trainee registered (through the service) in `county`."""
    n = next(_seq)
    return register(make_id(county, date(1970, 1, 1) + timedelta(days=n), seq=2), name=name, county_code=county)


def occupation(index: int = 0) -> Occupation:
    return Occupation.objects.order_by("code")[index % Occupation.objects.count()]


def ledger(
    trainee: Trainee,
    *,
    county: str = "231202",
    end: date = date(2024, 3, 20),
    source: str = RecordSource.HISTORY,
    subsidy_kind: str = SubsidyKind.TRAINING,
    category: str | None = None,
    training_type: str = "employment_skills",
    level: str = "level5",
    occupation_index: int | None = None,
    approved: date | None = None,
    at: time = time(10, 0),
    institution=None,
    count: int = 1,
) -> None:
    """`count` ledger rows of one class for `trainee` (history rows may repeat a person; a claim may not); a
    claim is stamped (created_at) at `approved` `at` local time."""
    n = next(_seq)
    category_id = TraineeCategory.objects.get(code=category).pk if category else None
    with clock(approved or end, at):
        training_records_append_bulk(
            records=[
                {
                    "trainee_id": trainee.pk,
                    "amount": Decimal(1000),
                    "source_ref": f"ind-{n}-{k}",
                    "category_id": category_id,
                }
                for k in range(count)
            ],
            occupation=occupation(n if occupation_index is None else occupation_index),
            skill_level=SkillLevel.objects.get(code=level),
            training_type=TrainingType.objects.get(code=training_type),
            start_date=end - timedelta(days=10),
            end_date=end,
            county=region(county),
            institution=institution,
            subsidy_kind=subsidy_kind,
            source=source,
        )


def training_class(
    *,
    county: str = "231202",
    end: date = date(2024, 5, 20),
    status: str = ClassStatus.COMPLETED,
    size: int = 1,
    program=None,
) -> TrainingClass:
    """A class of `size` enrolled people (registered in `county`), in `status`, ending `end`."""
    program = program or ProgramFactory(institution=DesignatedInstitutionFactory(county=region(county)))
    tc = TrainingClass.objects.create(
        institution=program.institution,
        program=program,
        county=program.institution.county,
        name="测试班",
        training_type=program.training_type,
        mode=program.mode,
        start_date=end - timedelta(days=10),
        end_date=end,
        planned_headcount=max(size, 1),
        status=status,
        created_by=bureau_actor(program.institution.county),
    )
    Enrollment.objects.bulk_create([Enrollment(training_class=tc, trainee=person(county)) for _ in range(size)])
    return tc


def certificate(
    trainee: Trainee,
    *,
    issued: date,
    level: str | None = "level5",
    occupation_index: int = 0,
    type: str = CertificateType.SKILL_LEVEL,
    trained_in: str | None = None,
):
    """A certificate counted where the service would count it (certificate_region)."""
    held = occupation(occupation_index)
    county = region(trained_in) if trained_in else None
    return Certificate.objects.create(
        trainee=trainee,
        type=type,
        number=f"CERT{next(_seq):08d}",
        occupation=held,
        skill_level=SkillLevel.objects.get(code=level) if level else None,
        issuing_body="绥化市职业技能鉴定中心",
        issue_date=issued,
        region=certificate_region(trainee=trainee, occupation=held, trained_in=county),
    )


def public_base(
    county: str = "231202",
    designated_on: date = date(2024, 6, 10),
    type=InstitutionType.PUBLIC_TRAINING_BASE,
    founded_on: date | str | None = "designated",
):
    """A designated institution, built (founded_on) when designated unless told otherwise."""
    founded = designated_on if founded_on == "designated" else founded_on
    return DesignatedInstitutionFactory(
        county=region(county), type=type, designated_on=designated_on, founded_on=founded
    )


# --- plans of our own ----------------------------------------------------------------------------------------


class PlanFactory(factory.django.DjangoModelFactory):
    """A plan of 2025 (national unless `region` is given)."""

    class Meta:
        model = Plan

    code = factory.Sequence(lambda n: f"plan-{n}")
    name = factory.LazyAttribute(lambda o: f"测试计划 {o.code}")
    region = None
    start = date(2025, 1, 1)
    end = date(2025, 12, 31)


class IndicatorFactory(factory.django.DjangoModelFactory):
    """A computed indicator counted over the plan's period (the subsidized trainings)."""

    class Meta:
        model = Indicator

    plan = factory.SubFactory(PlanFactory)
    definition = "subsidized_training"
    code = factory.LazyAttribute(lambda o: o.definition or "reported")
    name = factory.LazyAttribute(lambda o: f"指标 {o.code}")
    kind = Indicator.Kind.CUMULATIVE
    source = Indicator.Source.COMPUTED


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    indicator = factory.SubFactory(IndicatorFactory)
    region = factory.LazyFunction(lambda: region("2312"))
    year = None
    value = 100


class KeyTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyTask

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    title = factory.Sequence(lambda n: f"重点任务 {n + 1}")
    responsible = "省人社厅"
    deadline = date(2025, 12, 31)


class ProgressFactory(factory.django.DjangoModelFactory):
    """A roll-up cell as the roll-up writes it: a county's own cell (institution blank) sits under its city, as
    does 市本级 (231200); an institution's under its county; a city's under its province, a province's under the
    nation ("")."""

    class Meta:
        model = Progress

    definition = "subsidized_training"
    unit = "231202"
    institution = ""
    parent = factory.LazyAttribute(lambda o: o.unit if o.institution else _parent(o.unit))
    month = date(2025, 1, 1)
    value = 1


def plan_with(
    definition: str = "subsidized_training",
    *,
    code: str = "test-plan",
    region_code: str | None = "2312",
    start: date = date(2025, 1, 1),
    end: date = date(2025, 12, 31),
    kind: str = Indicator.Kind.CUMULATIVE,
    source: str = Indicator.Source.COMPUTED,
    targets: dict | None = None,
) -> tuple[Plan, Indicator]:
    """A plan with one indicator and targets {region code: value} (year None; yearly: the start year)."""
    plan = PlanFactory(code=code, region=region(region_code) if region_code else None, start=start, end=end)
    indicator = IndicatorFactory(
        plan=plan,
        code=definition or "reported",
        name=f"指标 {definition or 'reported'}",
        kind=kind,
        source=source,
        definition=definition if source == Indicator.Source.COMPUTED else "",
    )
    year = start.year if kind == Indicator.Kind.YEARLY else None
    for code_, value in (targets or {}).items():
        TargetFactory(indicator=indicator, region=region(code_), year=year, value=value)
    return plan, indicator


# --- the roll-up tables --------------------------------------------------------------------------------------


def progress_table() -> dict:
    return {(p.definition, p.unit, p.parent, p.institution, p.month): p.value for p in Progress.objects.all()}


def breakdown_table() -> dict:
    return {(b.definition, b.unit, b.year, b.dimension, b.key): b.value for b in Breakdown.objects.all()}


def total(definition: str, unit: str, *, months=None) -> int:
    """The unit's own cells (institution blank), summed over `months` (a (first, last) pair) or all."""
    qs = Progress.objects.filter(definition=definition, unit=unit, institution="")
    if months:
        qs = qs.filter(month__range=months)
    return sum(qs.values_list("value", flat=True))


def month_cells(definition: str, unit: str) -> dict:
    """{month: value} of the unit's own cells."""
    return dict(Progress.objects.filter(definition=definition, unit=unit, institution="").values_list("month", "value"))
