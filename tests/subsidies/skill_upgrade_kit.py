"""Helpers for the 技能提升补贴 tests: a registered person in 北林区 (231202) with a certificate, the window clerk
who files, the bureau that decides and finance that pays."""

from datetime import date

from catalog.models import Occupation, SkillLevel
from subsidies.services import skill_upgrade as su
from trainees.models import CertificateType
from trainees.services.certificates import certificate_add

from ..trainees.factories import make_id, register, registrar
from .factories import bureau, finance

OCCUPATION = "4-10-01-05"
ACCOUNT = "6222020200112233445"


def person(seq: int = 2, county: str = "231202"):
    return register(id_number=make_id(county, seq=seq), name="李技能", county_code=county)


def certificate(
    who,
    *,
    level="level5",
    type=CertificateType.SKILL_LEVEL,
    issued=date(2025, 3, 1),
    number=None,
    occupation=OCCUPATION,
):
    return certificate_add(
        actor=registrar(),
        trainee=who,
        type=type,
        number=number or f"S{who.pk}-{level}-{occupation}-{issued:%Y%m%d}",
        occupation=Occupation.objects.get(code=occupation),
        issuing_body="绥化市职业技能鉴定中心",
        issue_date=issued,
        skill_level=SkillLevel.objects.get(code=level) if level else None,
    )


def clerk():
    return bureau("231202")


def file(who, cert, *, months=24, actor=None):
    return su.skill_upgrade_file(
        actor=actor or clerk(),
        person=who,
        certificate=cert,
        insured_months=months,
        insured_evidence="失业保险缴费记录 2023-01 至 2024-12",
        bank_name="中国工商银行绥化分行",
        bank_account=ACCOUNT,
    )


def approved(app, decider=None):
    decider = decider or bureau("2312")
    app = su.skill_upgrade_verify(actor=decider, application=app)
    return su.skill_upgrade_approve(actor=decider, application=app)


def payer():
    return finance("2312")
