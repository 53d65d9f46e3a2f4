"""Factories for the institutions app.

Institutions and programs get a consistent history: an InstitutionFactory row always has its
"applied" InstitutionStatusChange; `designated_on=...` designates it through the real service
(`institution_transition`), and ProgramFactory lists programs through the real `program_list` service.
"""

from datetime import date
from decimal import Decimal

import factory
from stdnum.cn import uscc

from accounts.models import Role, User
from catalog.models import Occupation, Region, SkillLevel, TrainingType
from institutions.models import (
    Institution,
    InstitutionStatus,
    InstitutionStatusChange,
    InstitutionType,
    ProfileChangeRequest,
    Program,
    Teacher,
    TrainingMode,
    Venue,
)
from institutions.services.institutions import institution_transition
from institutions.services.programs import program_list

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
DEFAULT_APPLIED_ON = date(2020, 1, 1)
DEFAULT_DESIGNATED_ON = date(2024, 1, 1)
DEFAULT_LISTED_ON = date(2024, 2, 1)


def credit_code(n: int, prefix: str = "91231200MA") -> str:
    """A valid unified social credit code, unique per n: 17 characters + the GB 32100 check character."""
    body = ""
    for _ in range(17 - len(prefix)):
        n, digit = divmod(n, len(CREDIT_ALPHABET))
        body = CREDIT_ALPHABET[digit] + body
    first17 = prefix + body
    return first17 + uscc.calc_check_digit(first17)


def bureau_actor(county: Region) -> User:
    """The bureau user of `county` (a county, or a city for an institution seated at the city itself, 市本级),
    made once: the actor of factory-made history rows."""
    role = Role.CITY if county.level == "city" else Role.COUNTY
    user, _ = User.objects.get_or_create(
        username=f"bureau-{county.code}",
        defaults={"role": role, "region": county, "name": f"{county.name}人社局"},
    )
    return user


def designate(institution: Institution, on: date = DEFAULT_DESIGNATED_ON, actor: User | None = None) -> Institution:
    """Designate through the service, so the history and the audit trail exist."""
    institution_transition(
        actor=actor or bureau_actor(institution.county),
        institution=institution,
        to_status=InstitutionStatus.DESIGNATED,
        reason="经评审认定",
        effective_date=on,
    )
    institution.refresh_from_db()
    return institution


def transition(institution: Institution, to_status: str, on: date, actor: User | None = None) -> Institution:
    institution_transition(
        actor=actor or bureau_actor(institution.county),
        institution=institution,
        to_status=to_status,
        reason="测试",
        effective_date=on,
    )
    institution.refresh_from_db()
    return institution


class InstitutionFactory(factory.django.DjangoModelFactory):
    """An institution in status 申请中 with its history row. Pass `applied_on` to date the application,
    `designated_on` to designate it (through institution_transition) on that date."""

    class Meta:
        model = Institution
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"绥化市第{n}职业技能培训学校")
    credit_code = factory.Sequence(credit_code)
    type = InstitutionType.PRIVATE_TRAINING
    county = factory.LazyFunction(lambda: Region.objects.get(code="231202"))
    address = "黑龙江省绥化市北林区中直路 88 号"
    contact_person = "王丽"
    contact_phone = "13845512345"
    status = InstitutionStatus.APPLIED

    @factory.post_generation
    def applied_on(obj, create, extracted, **kwargs):
        if not create:
            return
        InstitutionStatusChange.objects.create(
            institution=obj,
            from_status="",
            to_status=InstitutionStatus.APPLIED,
            effective_date=extracted or DEFAULT_APPLIED_ON,
            reason="登记申请",
            actor=bureau_actor(obj.county),
        )

    @factory.post_generation
    def designated_on(obj, create, extracted, **kwargs):
        if create and extracted:
            designate(obj, on=extracted)


def _designate_hook(obj, create, extracted, **kwargs):
    if create:
        designate(obj, on=extracted or DEFAULT_DESIGNATED_ON)


class DesignatedInstitutionFactory(InstitutionFactory):
    """Designated on 2024-01-01 (or `designated_on`) through institution_transition."""

    designated_on = factory.PostGeneration(_designate_hook)


def occupation(index: int = 0) -> Occupation:
    return Occupation.objects.order_by("code")[index]


class ProgramFactory(factory.django.DjangoModelFactory):
    """A listed program of a designated institution, made through the program_list service."""

    class Meta:
        model = Program

    institution = factory.SubFactory(DesignatedInstitutionFactory)
    occupation = factory.LazyFunction(occupation)
    skill_level = factory.LazyFunction(lambda: SkillLevel.objects.get(code="level5"))
    training_type = factory.LazyFunction(lambda: TrainingType.objects.get(code="employment_skills"))
    mode = TrainingMode.OFFLINE
    theory_hours = 20
    practice_hours = 60
    fee = Decimal("1200.00")
    listed_on = DEFAULT_LISTED_ON

    @classmethod
    def _create(cls, model_class, *args, actor=None, **kwargs):
        return program_list(actor=actor or bureau_actor(kwargs["institution"].county), **kwargs)


class TeacherFactory(factory.django.DjangoModelFactory):
    """A teacher row as the directory keeps it: the masked ID number only."""

    class Meta:
        model = Teacher

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"教师{n}")
    id_number_masked = "231202*********1"


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"实训室{n}")
    address = "黑龙江省绥化市北林区中直路 88 号"
    area_m2 = 120
    capacity = 40


class ProfileChangeRequestFactory(factory.django.DjangoModelFactory):
    """A pending request to change key fields, submitted by the institution's user (or `submitted_by`)."""

    class Meta:
        model = ProfileChangeRequest

    institution = factory.SubFactory(InstitutionFactory)
    changes = factory.LazyFunction(lambda: {"name": "绥化市新名称职业技能培训学校"})
    submitted_by = factory.LazyAttribute(lambda o: bureau_actor(o.institution.county))
