"""Demo archive: a few people registered in 北林区 with categories and certificates, and three years of
synthetic history for 绥化's counties loaded through import_history (idempotent: re-runs add nothing)."""

import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from accounts.models import User
from catalog.models import Occupation, Region, SkillLevel, TraineeCategory, TrainingType
from core import clock
from institutions.models import Institution

from .models import CertificateType
from .services.certificates import certificate_add
from .services.history import history_import
from .services.people import category_assign, trainee_find, trainee_register
from .services.records import training_record_append
from .synthetic import write_csv

PEOPLE = [
    ("张晓梅", "231202198507150029", "13845561234", "migrant_worker"),
    ("李建国", "231202197803200612", "13945572345", "registered_unemployed"),
    ("王丽娜", "231202199512080429", "15845583456", "poverty_alleviated"),
]


def seed(stdout):
    staff = User.objects.get(username="beilin")
    beilin = Region.objects.get(code="231202")
    base = Institution.objects.filter(name="绥化市公共实训基地").first()
    today = clock.today()  # every date counted from today: a class that ended two months ago, certified since
    trained_from, trained_to = today - timedelta(days=86), today - timedelta(days=63)
    for name, id_number, phone, category in PEOPLE:
        if trainee_find(id_number):
            continue
        trainee = trainee_register(
            actor=staff,
            id_number=id_number,
            name=name,
            county=beilin,
            phone=phone,
            hukou_region=beilin,
            education="junior",
            employment_status="unemployed",
        )
        category_assign(
            actor=staff,
            trainee=trainee,
            category=TraineeCategory.objects.get(code=category),
            valid_from=date(today.year - 3, 1, 1),
            evidence="村委会证明",
        )
        training_record_append(
            trainee=trainee,
            occupation=Occupation.objects.get(code="4-10-01-05"),
            skill_level=SkillLevel.objects.get(code="level5"),
            training_type=TrainingType.objects.get(code="employment_skills"),
            start_date=trained_from,
            end_date=trained_to,
            county=beilin,
            amount=Decimal("1000"),
            institution=base,
            source_ref=f"demo-{id_number[-4:]}",
        )
        certificate_add(
            actor=staff,
            trainee=trainee,
            type=CertificateType.SKILL_LEVEL,
            number=f"S{trained_to:%Y}231202{id_number[-6:]}",
            occupation=Occupation.objects.get(code="4-10-01-05"),
            skill_level=SkillLevel.objects.get(code="level5"),
            issuing_body="绥化市职业技能鉴定中心",
            issue_date=trained_to + timedelta(days=20),
        )
    counties = list(Region.objects.filter(code__startswith="2312", level="county").values_list("code", flat=True))
    with tempfile.TemporaryDirectory() as tmp:
        path = write_csv(Path(tmp) / "history.csv", rows=3000, seed=2312, institutions=40, counties=counties)
        report = history_import(path=path, workers=1)
    stdout.write(f"demo archive: {report.trainees_created} people and {report.records_created} records added")
