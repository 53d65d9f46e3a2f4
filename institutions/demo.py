"""Demo institutions around 绥化市: several types and every status, with programs, teachers and venues."""

from datetime import date, timedelta
from decimal import Decimal

from stdnum.cn import uscc

from accounts.models import User
from catalog.models import KeyArea, Occupation, Region, SkillLevel, TrainingType
from core import clock

from .models import Institution, TrainingMode
from .models import InstitutionStatus as S
from .services.institutions import (
    institution_record_class,
    institution_register,
    institution_transition,
    teacher_add,
    venue_add,
)
from .services.key_areas import occupation_key_area_tag
from .services.programs import program_list
from .services.urgent_lists import urgent_list_publish


def credit_code(serial: str) -> str:
    """A valid unified social credit code for a demo institution of 绥化 (area 2312xx)."""
    body = f"52231200MJ{serial:0>7}"[:17]
    return body + uscc.calc_check_digit(body)


# name, type, county code, status path, programs (occupation code, level code, type code, mode, theory, practice, fee)
INSTITUTIONS = [
    (
        "绥化市公共实训基地",
        "public_base",
        "231202",
        [S.DESIGNATED],
        [
            ("4-10-01-05", "level5", "employment_skills", TrainingMode.OFFLINE, 40, 80, "1200"),
            ("6-31-01-03", "level4", "skill_upgrade", TrainingMode.OFFLINE, 60, 120, "1800"),
            ("4-03-02-01", "level5", "employment_skills", TrainingMode.BLENDED, 30, 90, "1000"),
        ],
    ),
    (
        "绥化技师学院",
        "technician_college",
        "231202",
        [S.DESIGNATED],
        [
            ("6-18-02-04", "level3", "skill_upgrade", TrainingMode.OFFLINE, 80, 160, "2500"),
            ("4-12-01-01", "level4", "employment_skills", TrainingMode.OFFLINE, 60, 120, "1500"),
        ],
    ),
    (
        "安达市鑫达职业培训学校",
        "private",
        "231281",
        [S.DESIGNATED],
        [
            ("4-10-01-06", "level5", "employment_skills", TrainingMode.OFFLINE, 30, 60, "900"),
            ("4-10-01-02", "level5", "employment_skills", TrainingMode.OFFLINE, 30, 60, "900"),
        ],
    ),
    (
        "肇东市农民技能培训中心",
        "private",
        "231282",
        [S.DESIGNATED, S.SUSPENDED],
        [
            ("5-05-01-01", "level5", "employment_skills", TrainingMode.OFFLINE, 40, 40, "800"),
        ],
    ),
    ("海伦市惠民职业技能培训学校", "private", "231283", [S.DESIGNATED, S.REVOKED], []),
    ("北林区巧手家政培训学校", "private", "231202", [], []),
    (
        "望奎县龙华企业培训中心",
        "enterprise",
        "231221",
        [S.DESIGNATED],
        [
            ("6-30-05-01", "level5", "safety_skills", TrainingMode.OFFLINE, 24, 48, "700"),
        ],
    ),
    (
        "龙江技能云课堂",
        "online",
        "231202",
        [S.DESIGNATED],
        [
            ("4-01-02-02", "level5", "employment_skills", TrainingMode.ONLINE, 60, 20, "600"),
        ],
    ),
    (  # administered by the city itself (市直), seated at 绥化市: its classes count for 市本级, no county's
        "绥化市就业训练中心",
        "public_base",
        "2312",
        [S.DESIGNATED],
        [
            ("6-31-01-03", "level4", "skill_upgrade", TrainingMode.OFFLINE, 60, 120, "1800"),
            ("4-10-01-06", "level5", "employment_skills", TrainingMode.OFFLINE, 30, 60, "900"),
        ],
    ),
]
# Shows the 12-month flag: designated almost three years ago and no subsidized class since.
NO_CLASS_FOR_A_YEAR = {"望奎县龙华企业培训中心"}
# Days before today of each step (every demo date is counted from core.clock.today()).
APPLIED_DAYS_AGO = 1060
DAYS_AGO = {S.DESIGNATED: 1010, S.SUSPENDED: 550, S.REVOKED: 460}
LISTED_DAYS_AGO = 995
LAST_CLASS_DAYS_AGO = 85


def days_ago(days: int) -> date:
    return clock.today() - timedelta(days=days)


def seed(stdout):
    staff = User.objects.get(username="suihua")
    counties = {r.code: r for r in Region.objects.filter(code__startswith="2312", level__in=Institution.SEAT_LEVELS)}
    created = 0
    for serial, (name, kind, county, path, programs) in enumerate(INSTITUTIONS, start=1):
        code = credit_code(str(serial * 7919))
        if Institution.objects.filter(credit_code=code).exists():
            continue
        institution = institution_register(
            actor=staff,
            applied_on=days_ago(APPLIED_DAYS_AGO),
            name=name,
            credit_code=code,
            type=kind,
            county=counties[county],
            address=f"{counties[county].name}{['中兴', '北林', '康庄', '长江'][serial % 4]}路{serial * 11}号",
            contact_person="王老师",
            contact_phone=f"0455-8{serial:03d}666",
            license_number=f"黑人社民{serial:04d}号",
            license_valid_until=date(clock.today().year + 2, 12, 31),  # a validity, not an event
            capacity=60 + serial * 10,
            # A public training base is built a month before it applies (what 新建公共实训基地 counts).
            founded_on=days_ago(APPLIED_DAYS_AGO + 30) if kind == "public_base" else None,
        )
        for status in path:
            institution_transition(
                actor=staff,
                institution=institution,
                to_status=status,
                effective_date=days_ago(DAYS_AGO[status]),
                reason={
                    S.DESIGNATED: "经评审符合定点条件",
                    S.SUSPENDED: "年度检查不合格，限期整改",
                    S.REVOKED: "连续一年未开展补贴性培训",
                }[status],
            )
            if status == S.DESIGNATED:
                for p in programs:
                    program_list(
                        actor=staff,
                        institution=institution,
                        occupation=Occupation.objects.get(code=p[0]),
                        skill_level=SkillLevel.objects.get(code=p[1]),
                        training_type=TrainingType.objects.get(code=p[2]),
                        mode=p[3],
                        theory_hours=p[4],
                        practice_hours=p[5],
                        fee=Decimal(p[6]),
                        listed_on=days_ago(LISTED_DAYS_AGO),
                    )
        if institution.status == S.DESIGNATED and name not in NO_CLASS_FOR_A_YEAR:
            institution_record_class(institution=institution, start_date=days_ago(LAST_CLASS_DAYS_AGO))
        teacher_add(
            actor=staff,
            institution=institution,
            name="李红梅",
            id_number="231202198203150026",
            qualifications="高级讲师",
            certificates="养老护理员二级/技师",
        )
        venue_add(
            actor=staff,
            institution=institution,
            name="实训楼一层",
            address=institution.address,
            area_m2=300,
            capacity=60,
        )
        created += 1
    # 绥化 publishes its urgent-shortage list for this year and the last (the demo's classes span both when
    # today is early in a year); the demo institution user belongs to the public training base.
    urgent = list(Occupation.objects.filter(code__in=["4-10-01-05", "6-18-02-04", "6-31-01-03"]))
    for year in (clock.today().year - 1, clock.today().year):
        urgent_list_publish(
            actor=staff, region=staff.region, year=year, document=f"绥人社发〔{year}〕12号", occupations=urgent
        )
    base = Institution.objects.get(credit_code=credit_code("7919"))
    User.objects.filter(username="institution").update(institution=base)
    anda = Institution.objects.get(credit_code=credit_code(str(3 * 7919)))  # 安达市鑫达职业培训学校
    User.objects.filter(username="anda_school").update(institution=anda)
    center = Institution.objects.get(credit_code=credit_code(str(9 * 7919)))  # 绥化市就业训练中心 (市本级)
    User.objects.filter(username="city_center").update(institution=center)
    _key_area_tags()
    stdout.write(f"demo institutions: {created} created, {Institution.objects.count()} in all")


# The province tags the demo's occupations with seed 001's key areas (养老 under 康养照护, 电工 under 高端装备), from
# before the demo history, so the key-area indicators and their breakdown have something to count.
DEMO_KEY_AREAS = {"4-10-01-05": "care", "6-31-01-03": "high_end_equipment"}


def _key_area_tags() -> None:
    province = User.objects.get(username="province")
    for code, area in DEMO_KEY_AREAS.items():
        occupation = Occupation.objects.get(code=code)
        if not occupation.key_area_tags.exists():
            area = KeyArea.objects.get(pk=area)
            occupation_key_area_tag(actor=province, occupation=occupation, key_area=area, valid_from=date(2019, 1, 1))
