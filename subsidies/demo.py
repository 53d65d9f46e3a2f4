"""Demo standards (Heilongjiang 2019 figures, Suihua's per-day rate), settings, and claims in several states,
played through the services on their own dates (core.clock.replaying)."""

from datetime import date, timedelta
from decimal import Decimal

from accounts.models import User
from catalog.models import Region, SkillLevel, TraineeCategory, TrainingType
from core import clock
from training.models import ClassStatus, TrainingClass

from .models import CategoryEligibility, LineStatus, RegionSetting, Severity, SubsidyClaim, SubsidyStandard
from .services import claims, notices, payments, standards

LEVELS = ["level5", "level4", "level3", "level2", "level1"]
ENTERPRISE = [1000, 1500, 2000, 2500, 3000]  # 黑龙江 2019: 企业职工 初级…高级技师, per person
URGENT = [1200, 1800, 2500, 3500, 4500]  # urgent-shortage occupations
DOC = "黑人社规〔2019〕（演示）"


def _standards(province_user, city_user):
    if SubsidyStandard.objects.exists():
        return
    levels = {lv.code: lv for lv in SkillLevel.objects.all()}
    types = {t.code: t for t in TrainingType.objects.all()}
    start = date(2019, 1, 1)
    with clock.replaying(date(2019, 1, 1)):
        for training_type in ("skill_upgrade", "employment_skills"):
            for code, regular, urgent in zip(LEVELS, ENTERPRISE, URGENT, strict=True):
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
        # 绥化: practical-skills training at 100 yuan per person per day, at least 6 class hours a day.
        standards.standard_create(
            actor=city_user,
            region=city_user.region,
            valid_from=start,
            training_type=types["employment_skills"],
            basis="per_day",
            amount=Decimal(100),
            min_hours_per_day=6,
            document="绥政办发〔2019〕（演示）",
        )


def _settings():
    for code in ("23", "2312"):
        RegionSetting.objects.get_or_create(region=Region.objects.get(code=code))
    enterprise = TraineeCategory.objects.get(code="enterprise_worker")
    for code in ("skill_upgrade", "apprenticeship"):
        CategoryEligibility.objects.get_or_create(
            training_type=TrainingType.objects.get(code=code), category=enterprise
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


def seed(stdout):
    province = User.objects.get(username="province")
    city = User.objects.get(username="suihua")
    owner = User.objects.get(username="institution")
    staff = User.objects.get(username="beilin")
    finance = User.objects.get(username="finance")
    _settings()
    _standards(province, city)
    if owner.institution is None or SubsidyClaim.objects.exists():
        return
    by_status = {c.status: c for c in TrainingClass.objects.filter(institution=owner.institution)}
    closed, completed = by_status.get(ClassStatus.CLOSED), by_status.get(ClassStatus.COMPLETED)
    in_training = by_status.get(ClassStatus.IN_TRAINING)
    for tc in (completed, in_training):  # the closed class was paid in one settlement
        if tc:
            with clock.replaying(tc.start_date - timedelta(days=10)):
                payments.advance_record(
                    actor=finance,
                    training_class=tc,
                    bank_reference=f"ADV{tc.pk:06d}",
                    idempotency_key=f"demo-advance-{tc.pk}",
                )
    if closed:  # a claim played to the end: notice, approval, settlement
        end = closed.end_date
        with clock.replaying(end + timedelta(days=2)):
            claim = claims.claim_create(actor=owner, training_class=closed)
            claims.claim_submit(actor=owner, claim=claim)
            claims.claim_verify(claim.pk)  # the queued task runs after seed_demo's transaction commits
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
    if completed:  # waiting for the county's review, with findings to look at
        with clock.replaying(completed.end_date + timedelta(days=3)):
            claim = claims.claim_create(actor=owner, training_class=completed)
            claims.claim_submit(actor=owner, claim=claim)
            claims.claim_verify(claim.pk)
    rejected = SubsidyClaim.objects.filter(lines__status=LineStatus.REJECTED).distinct().count()
    stdout.write(
        f"demo subsidies: standards, settings and {SubsidyClaim.objects.count()} claims ({rejected} with lines cut)"
    )
