"""Helpers for the trainees tests: valid ID numbers, people registered through the real service, records."""

from datetime import date
from decimal import Decimal

from accounts.models import Role, User
from catalog.models import Occupation, Region, SkillLevel, TrainingType
from trainees.idnumber import check_char
from trainees.models import Trainee, TrainingRecord
from trainees.services.people import trainee_register
from trainees.services.records import training_record_append


def make_id(county: str = "231202", born: date = date(1990, 1, 1), seq: int = 2) -> str:
    """A valid 18-character ID number; `seq` odd = male."""
    first17 = f"{county}{born:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


def registrar(county_code: str = "231202") -> User:
    """A county bureau user who may register in `county_code`."""
    user, _ = User.objects.get_or_create(
        username=f"registrar-{county_code}",
        defaults={"role": Role.COUNTY, "region": Region.objects.get(code=county_code), "name": "登记员"},
    )
    return user


def register(
    id_number: str | None = None, name: str = "张三丰", county_code: str = "231202", phone: str = "", **kw
) -> Trainee:
    return trainee_register(
        actor=registrar(county_code),
        id_number=id_number or make_id(county_code),
        name=name,
        county=Region.objects.get(code=county_code),
        phone=phone,
        **kw,
    )


def add_record(trainee: Trainee, *, ref: str, county_code: str = "231202", institution=None, **kw) -> TrainingRecord:
    fields = {
        "occupation": Occupation.objects.get(code="4-10-01-05"),
        "skill_level": SkillLevel.objects.get(code="level5"),
        "training_type": TrainingType.objects.get(code="employment_skills"),
        "start_date": date(2024, 3, 1),
        "end_date": date(2024, 3, 20),
        "county": Region.objects.get(code=county_code),
        "amount": Decimal("1000"),
        "source_ref": ref,
        "institution": institution,
        **kw,
    }
    return training_record_append(trainee=trainee, **fields)
