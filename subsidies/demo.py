"""Demo standards for every claim kind, settings, inspectors for spot checks, and claims in several states, played
through the services on their own dates (core.clock.replaying), every date counted from today and none later than
yesterday. The claim in public notice ends within the next working days, so the daily beat job approves it."""

from datetime import date, timedelta
from decimal import Decimal

from accounts.models import User
from catalog.models import Occupation, Region, SkillLevel, TraineeCategory, TrainingType
from core import clock
from institutions.models import Institution
from training.models import ClassStatus, TrainingClass

from .models import (
    CategoryEligibility,
    ClaimKind,
    Inspector,
    LineStatus,
    RegionSetting,
    Severity,
    SubsidyClaim,
    SubsidyStandard,
)
from .services import claims, notices, payments, standards

LEVELS = ["level5", "level4", "level3", "level2", "level1"]
ENTERPRISE = [1000, 1500, 2000, 2500, 3000]  # 黑龙江 2019: 企业职工 初级…高级技师, per person (DOMAIN.md)
URGENT = [1200, 1800, 2500, 3500, 4500]  # urgent-shortage occupations (DOMAIN.md)
# 职业技能鉴定评价补贴: the seeds name the subsidy (seed 000 §25) but give no amounts; these are demo figures.
ASSESSMENT = [150, 200, 300, 400, 500]
DOC = "黑人社规〔2019〕（演示）"
ASSESSMENT_DOC = "黑财规审〔2019〕13号（演示金额，种子文件未给出）"
LIVING_DOC = "黑财规审〔2019〕13号 生活费补贴 25元/天（线下）"
# name, region code, institution (recused from inspecting its own classes) or None
INSPECTORS = [
    ("孙国庆", "231202", None),
    ("周慧敏", "231202", None),
    ("吴建华", "231202", "绥化技师学院"),
    ("郑海涛", "231281", None),
    ("冯雪", "231281", None),
    ("何立新", "2312", None),
    ("马春燕", "2312", None),
]


def _standards(province_user, city_user):
    if SubsidyStandard.objects.exists():
        return
    levels = {lv.code: lv for lv in SkillLevel.objects.all()}
    types = {t.code: t for t in TrainingType.objects.all()}
    start = date(2019, 1, 1)
    with clock.replaying(start):
        for training_type in ("skill_upgrade", "employment_skills"):
            for code, regular, urgent, assessment in zip(LEVELS, ENTERPRISE, URGENT, ASSESSMENT, strict=True):
                for amount, urgent_only in ((regular, False), (urgent, True)):
                    standards.standard_create(
                        actor=province_user,
                        region=province_user.region,
                        valid_from=start,
                        training_type=types[training_type],
                        skill_level=levels[code],
                        urgent_only=urgent_only,
                        amount=Decimal(amount),
                        document=DOC,
                    )
                standards.standard_create(
                    actor=province_user,
                    region=province_user.region,
                    claim_kind=ClaimKind.ASSESSMENT,
                    valid_from=start,
                    training_type=types[training_type],
                    skill_level=levels[code],
                    amount=Decimal(assessment),
                    document=ASSESSMENT_DOC,
                )
        # 绥化: practical-skills training at 100 yuan per person per day, at least 6 class hours a day (seed 004).
        standards.standard_create(
            actor=city_user,
            region=city_user.region,
            valid_from=start,
            training_type=types["employment_skills"],
            basis="per_day",
            amount=Decimal(100),
            min_hours_per_day=6,
            document="绥政办发〔2019〕34号",
        )
        # 生活费补贴 for offline training, 25 yuan a day attended (a Heilongjiang city's rule, DOMAIN.md).
        for training_type in ("employment_skills", "skill_upgrade"):
            standards.standard_create(
                actor=city_user,
                region=city_user.region,
                claim_kind=ClaimKind.LIVING,
                valid_from=start,
                training_type=types[training_type],
                mode="offline",
                basis="per_day",
                amount=Decimal(25),
                min_hours_per_day=6,
                document=LIVING_DOC,
            )


def _settings():
    for code in ("23", "2312"):
        RegionSetting.objects.get_or_create(region=Region.objects.get(code=code))
    enterprise = TraineeCategory.objects.get(code="enterprise_worker")
    for code in ("skill_upgrade", "apprenticeship"):
        CategoryEligibility.objects.get_or_create(
            training_type=TrainingType.objects.get(code=code), category=enterprise
        )


def _inspectors():
    """The pools of the demo counties and the city (no service writes inspectors: the administrator keeps them)."""
    regions = {r.code: r for r in Region.objects.filter(code__in={code for _, code, _ in INSPECTORS})}
    for name, code, institution in INSPECTORS:
        Inspector.objects.get_or_create(
            region=regions[code],
            name=name,
            defaults={"institution": Institution.objects.filter(name=institution).first() if institution else None},
        )


def _review(staff, claim):
    """Approve every line without a blocking finding, accepting warnings; reject the rest."""
    for line in claim.lines.prefetch_related("findings"):
        blocking = [f for f in line.findings.all() if f.severity == Severity.BLOCKING]
        if blocking:
            claims.line_decide(actor=staff, line=line, approve=False, reason=blocking[0].message)
        else:
            claims.line_decide(actor=staff, line=line, approve=True, reason="经电话核实，情况属实")
    for finding in claim.findings.filter(line__isnull=True, severity=Severity.WARNING, accepted_reason=""):
        claims.claim_accept_warning(actor=staff, finding=finding, reason="现场抽查已核实")


def _file(owner, training_class, day):
    with clock.replaying(day):
        claim = claims.claim_create(actor=owner, training_class=training_class)
        claims.claim_submit(actor=owner, claim=claim)
        claims.claim_verify(claim.pk)  # the queued task runs after seed_demo's transaction commits
    return claim


def _claims(owner, staff, finance):
    yesterday = clock.today() - timedelta(days=1)
    classes = TrainingClass.objects.filter(institution=owner.institution).order_by("start_date")
    closed = classes.filter(status=ClassStatus.CLOSED).first()
    # training/demo.py: in start order, a class for the notice, one for review, one ready for a new claim.
    noticed, waiting, ready = ([*classes.filter(status=ClassStatus.COMPLETED)] + [None] * 3)[:3]
    for tc in (noticed, waiting, ready, classes.filter(status=ClassStatus.IN_TRAINING).first()):
        if tc:  # the closed class was paid in one settlement
            with clock.replaying(tc.start_date - timedelta(days=10)):
                payments.advance_record(
                    actor=finance,
                    training_class=tc,
                    bank_reference=f"ADV{tc.pk:06d}",
                    idempotency_key=f"demo-advance-{tc.pk}",
                )
    if closed:  # a claim played to the end: notice, approval, settlement
        end = closed.end_date
        claim = _file(owner, closed, end + timedelta(days=2))
        with clock.replaying(end + timedelta(days=5)):
            _review(staff, claim)
            notice = notices.claim_send_to_notice(actor=staff, claim=claim)
        with clock.replaying(notice.ends_on + timedelta(days=1)):
            notices.claim_approve_after_notice(claim.pk)
            claim.refresh_from_db()
            payments.settlement_record(
                actor=finance,
                claim=claim,
                bank_reference=f"STL{claim.pk:06d}",
                idempotency_key=f"demo-settle-{claim.pk}",
            )
    if noticed:  # reviewed three days ago and in 公示 now: its notice ends in the next working days
        claim = _file(owner, noticed, yesterday - timedelta(days=11))
        with clock.replaying(yesterday - timedelta(days=2)):
            _review(staff, claim)
            notices.claim_send_to_notice(actor=staff, claim=claim)
    if waiting:  # waiting for the county's review, with findings to look at
        _file(owner, waiting, min(waiting.end_date + timedelta(days=3), yesterday - timedelta(days=4)))
    # `ready` keeps no claim: the institution user files one (申请补贴) for any claim kind.


def _skill_upgrade(staff, stdout):
    """One 技能提升补贴 filed at 北林区's window: 李建国 (trainees/demo.py, trained for 养老护理员 初级工 on a
    training subsidy) obtained the 中级工 certificate a month ago. His 初级工 certificate would be refused
    (the training subsidy for the same occupation and level)."""
    from trainees.models import CertificateType
    from trainees.services.certificates import certificate_add
    from trainees.services.people import trainee_find

    from .models import SkillUpgradeApplication
    from .services.skill_upgrade import skill_upgrade_file

    person = trainee_find("231202197803200612")
    if person is None or SkillUpgradeApplication.objects.exists():
        return
    certificate = certificate_add(
        actor=staff,
        trainee=person,
        type=CertificateType.SKILL_LEVEL,
        number=f"S{clock.today():%Y}231202L4{person.pk:05d}",
        occupation=Occupation.objects.get(code="4-10-01-05"),
        skill_level=SkillLevel.objects.get(code="level4"),
        issuing_body="绥化市职业技能鉴定中心",
        issue_date=clock.today() - timedelta(days=30),
    )
    app = skill_upgrade_file(
        actor=staff,
        person=person,
        certificate=certificate,
        insured_months=26,
        insured_evidence="绥化市社会保险事业服务中心失业保险缴费记录（26 个月）",
        bank_name="中国农业银行绥化北林支行",
        bank_account="6228480018712345678",
    )
    stdout.write(f"demo skill-upgrade subsidy: one application filed at the window ({app.amount} yuan)")


def seed(stdout):
    province = User.objects.get(username="province")
    city = User.objects.get(username="suihua")
    owner = User.objects.get(username="institution")
    staff = User.objects.get(username="beilin")
    finance = User.objects.get(username="finance")
    _settings()
    _standards(province, city)
    _inspectors()
    _skill_upgrade(staff, stdout)
    if owner.institution is None or SubsidyClaim.objects.exists():
        return
    _claims(owner, staff, finance)
    rejected = SubsidyClaim.objects.filter(lines__status=LineStatus.REJECTED).distinct().count()
    stdout.write(
        f"demo subsidies: standards for every claim kind, inspectors, settings and "
        f"{SubsidyClaim.objects.count()} claims ({rejected} with lines cut)"
    )
