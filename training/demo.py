"""Demo classes of 绥化市公共实训基地 in every status, with rosters, attendance from a check-in device and results.

Every date is counted from today (core.clock.today()): finished classes lie in the past, one class is in training
now (its past sessions checked in, its later sessions planned), and the classes not yet started are planned for the
coming weeks. Each step is played through the real services with the clock set to its own day, never later than
yesterday, so the history, the audit trail and the guards are exactly what they would have been and no event is
dated in the future.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from catalog.models import EntrepreneurshipStage, TrainingType
from core import clock
from core.importing import Sheet
from institutions.models import Program, TrainingMode
from institutions.services.programs import program_list
from trainees.models import CertificateType
from trainees.services.certificates import certificate_add
from trainees.synthetic import generate

from .business_starts import business_start_record
from .models import CheckInDevice, EnrollmentResult, TrainingClass
from .models import ClassStatus as S
from .services import attendance, classes, results, roster

OCCUPATION_NAMES = {
    "4-10-01-05": "养老护理员（五级）",
    "4-03-02-01": "中式烹调师（五级）",
    "6-31-01-03": "电工（四级）",
}
# (occupation code, start in weeks from this week's Monday, target status, roster size). The three completed
# classes, in start order, are used by subsidies/demo.py: a claim in public notice, a claim waiting for review,
# and a class ready for a new claim (results recorded, no claim yet).
CLASSES = [
    ("4-10-01-05", -26, S.CLOSED, 20),
    ("4-03-02-01", -17, S.COMPLETED, 24),
    ("4-03-02-01", -11, S.COMPLETED, 18),
    ("4-10-01-05", -7, S.COMPLETED, 16),
    ("6-31-01-03", -3, S.IN_TRAINING, 18),
    ("4-10-01-05", 1, S.APPROVED, 22),
    ("4-03-02-01", 2, S.SUBMITTED, 26),
    ("4-10-01-05", 3, S.RETURNED, 15),
    ("6-31-01-03", 3, S.REJECTED, 12),
    ("4-10-01-05", 6, S.DRAFT, 0),
]
CATEGORIES = ["农民工", "登记失业人员", "脱贫人口", "高校毕业生", ""]


def this_monday() -> date:
    today = clock.today()
    return today - timedelta(days=today.weekday())


def _weekdays(start: date, count: int) -> list[date]:
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def _roster_sheet(size: int, seed: int) -> Sheet:
    rows, seen = [], set()
    for n, row in enumerate(generate(rows=size * 3, seed=seed, counties=["231202", "231221", "231222"])):
        if row[0] in seen or len(rows) == size:
            continue
        seen.add(row[0])
        rows.append(
            (len(rows) + 2, [row[1], row[0], f"139{seed % 100:02d}{n:06d}", CATEGORIES[n % 5], row[7], "初中", "失业"])
        )
    return Sheet(headers=roster.COLUMNS, rows=rows)


def _build(owner, staff, device, program, name, start, target, size, seed) -> None:
    days = _weekdays(start, program.standard_hours // 6)
    yesterday = clock.today() - timedelta(days=1)
    # Applied three weeks before the start; a class starting soon was applied for at least ten days ago (a
    # draft two days ago), so its decision, three days later, is in the past too.
    before = min(start - timedelta(days=21), yesterday - timedelta(days=1 if target == S.DRAFT else 9))
    with clock.replaying(before):
        c = classes.class_create(
            actor=owner,
            program=program,
            name=name,
            start_date=start,
            end_date=days[-1],
            planned_headcount=max(size, 20),
        )
        if target == S.DRAFT:
            return
        for day in days:
            classes.session_add(
                actor=owner,
                training_class=c,
                date=day,
                start_time=time(8, 30),
                end_time=time(11, 30),
                kind="theory",
                hours=3,
            )
            classes.session_add(
                actor=owner,
                training_class=c,
                date=day,
                start_time=time(13, 30),
                end_time=time(16, 30),
                kind="practice",
                hours=3,
            )
        check = roster.roster_check(training_class=c, sheet=_roster_sheet(size, seed))
        roster.roster_commit(actor=owner, training_class=c, check=check)
        classes.class_transition(actor=owner, training_class=c, to_status=S.SUBMITTED)
    decision = {
        S.RETURNED: (S.RETURNED, "课程表中实操课时安排过于集中，请调整后重新提交。"),
        S.REJECTED: (S.REJECTED, "该机构本年度同类培训班已满额，不予批准。"),
    }.get(target, (S.APPROVED, "材料齐全，同意开班。"))
    if target == S.SUBMITTED:
        return
    with clock.replaying(before + timedelta(days=3)):
        classes.class_transition(actor=staff, training_class=c, to_status=decision[0], reason=decision[1])
    if target in (S.APPROVED, S.RETURNED, S.REJECTED):
        return
    with clock.replaying(start, time(8, 0)):
        classes.class_transition(actor=owner, training_class=c, to_status=S.IN_TRAINING)
    _check_in(device, c, until=min(days[-1], yesterday), seed=seed)
    if target == S.IN_TRAINING:
        return
    with clock.replaying(days[-1], time(17, 0)):
        classes.class_transition(actor=owner, training_class=c, to_status=S.COMPLETED)
        for n, e in enumerate(c.enrollments.select_related("trainee")):
            passed = n % 9 != 4
            certificate = None
            # most who pass are certified by the county's assessment centre (创业培训 has no occupation to certify)
            if passed and n % 6 and c.program.occupation_id:
                certificate = certificate_add(
                    actor=staff,
                    trainee=e.trainee,
                    type=CertificateType.SKILL_LEVEL,
                    number=f"S{c.end_date:%Y}{c.pk:03d}{n:04d}",
                    occupation=c.program.occupation,
                    skill_level=c.program.skill_level,
                    issuing_body="绥化市职业技能鉴定中心",
                    issue_date=c.end_date,
                    trained_in=c.county,
                )
            results.enrollment_record_result(
                actor=owner,
                enrollment=e,
                certificate=certificate,
                score=Decimal(88 - n % 20 if passed else 52),
                result=EnrollmentResult.PASSED if passed else EnrollmentResult.FAILED,
            )
    if target == S.CLOSED:
        with clock.replaying(days[-1] + timedelta(days=30)):
            classes.class_transition(actor=staff, training_class=c, to_status=S.CLOSED, reason="补贴已拨付，结班。")


def _check_in(device, c: TrainingClass, until: date, seed: int) -> None:
    """Face check-ins for every session up to `until`; about one absence in twelve. The third session's batch
    reaches the system two days late (the device was offline), so those records are marked 迟传."""
    people = list(c.enrollments.select_related("trainee").defer("trainee__phone", "trainee__bank_account"))
    for number, session in enumerate(c.sessions.filter(date__lte=until).order_by("date", "start_time")):
        moment = timezone.make_aware(datetime.combine(session.date, session.start_time)) - timedelta(minutes=5)
        batch = [
            attendance.CheckIn(
                record_id=f"{seed}-{session.pk}-{e.pk}",
                id_number=e.trainee.id_number,
                session_id=session.pk,
                checked_at=moment + timedelta(seconds=17 * n),
                method="face",
            )
            for n, e in enumerate(people)
            if (e.pk + session.pk) % 12
        ]
        with clock.replaying(session.date + timedelta(days=2 if number == 2 else 0), time(17, 0)):
            attendance.checkins_record(device=device, checkins=batch)


def _anda_class() -> None:
    """安达市鑫达职业培训学校's class in training now, so 安达市 has a class to spot-check too."""
    owner = User.objects.filter(username="anda_school").first()
    if owner is None or owner.institution is None or TrainingClass.objects.filter(institution=owner.institution):
        return
    start = this_monday() - timedelta(weeks=1)
    with clock.replaying(start - timedelta(days=30)):
        device, _ = attendance.device_issue(actor=owner, institution=owner.institution, name="人脸考勤机 A1")
    program = Program.objects.get(institution=owner.institution, occupation__code="4-10-01-06")
    name = f"{start.year}年安达第1期家政服务员（五级）培训班"
    _build(owner, User.objects.get(username="anda"), device, program, name, start, S.IN_TRAINING, 16, seed=201)


def _city_class() -> None:
    """A finished class of 绥化市就业训练中心, which the city administers itself (市直): approved by the city bureau,
    counted for 市本级 and in the city's total, in no county's."""
    owner = User.objects.filter(username="city_center").first()
    if owner is None or owner.institution is None or TrainingClass.objects.filter(institution=owner.institution):
        return
    start = this_monday() - timedelta(weeks=10)
    with clock.replaying(start - timedelta(days=30)):
        device, _ = attendance.device_issue(actor=owner, institution=owner.institution, name="实训楼人脸考勤机")
    program = Program.objects.get(institution=owner.institution, occupation__code="6-31-01-03")
    name = f"{start.year}年市本级第1期{OCCUPATION_NAMES[program.occupation.code]}培训班"
    _build(owner, User.objects.get(username="suihua"), device, program, name, start, S.COMPLETED, 20, seed=301)


def _entrepreneurship_class() -> None:
    """创业培训: an SYB (创办企业) class of 安达市鑫达职业培训学校 that ended five weeks ago, on a program of that
    stage (no occupation or level), with one business start recorded by the school (创业后续服务)."""
    owner = User.objects.filter(username="anda_school").first()
    if owner is None or owner.institution is None:
        return
    institution = owner.institution
    stage = EntrepreneurshipStage.objects.get(code="syb")
    if Program.objects.filter(institution=institution, entrepreneurship_stage=stage).exists():
        return
    staff = User.objects.get(username="anda")
    device = CheckInDevice.objects.filter(institution=institution).first()
    start = this_monday() - timedelta(weeks=7)
    with clock.replaying(start - timedelta(days=40)):
        program = program_list(
            actor=staff,
            institution=institution,
            occupation=None,
            skill_level=None,
            entrepreneurship_stage=stage,
            training_type=TrainingType.objects.get(code="entrepreneurship"),
            mode=TrainingMode.OFFLINE,
            theory_hours=48,
            practice_hours=12,
            fee=Decimal("1000"),
            listed_on=max(institution.designated_since, start - timedelta(days=40)),
        )
        if device is None:
            device, _ = attendance.device_issue(actor=owner, institution=institution, name="人脸考勤机 A2")
    name = f"{start.year}年安达第1期创办企业（SYB）创业培训班"
    _build(owner, staff, device, program, name, start, S.COMPLETED, 15, seed=401)
    c = TrainingClass.objects.get(program=program)
    first = c.enrollments.order_by("id").first()
    with clock.replaying(c.end_date + timedelta(days=20)):
        business_start_record(
            actor=owner,
            enrollment=first,
            started_on=c.end_date + timedelta(days=12),
            business_name="安达市春燕农家小吃店",
            evidence="个体工商户营业执照（副本）复印件已核验",
        )


def seed(stdout):
    _anda_class()
    _city_class()
    _entrepreneurship_class()
    owner = User.objects.get(username="institution")
    staff = User.objects.get(username="beilin")
    if owner.institution is None or TrainingClass.objects.filter(institution=owner.institution).exists():
        return
    monday = this_monday()
    first = monday + timedelta(weeks=CLASSES[0][1])
    with clock.replaying(first - timedelta(days=30)):  # issued before the first class: no record predates it
        device, _ = attendance.device_issue(actor=owner, institution=owner.institution, name="前台人脸考勤机 01")
    programs = {
        p.occupation.code: p
        for p in Program.objects.filter(institution=owner.institution).select_related("occupation", "skill_level")
    }
    numbers: dict[int, int] = {}
    for n, (occupation, weeks, target, size) in enumerate(CLASSES):
        start = monday + timedelta(weeks=weeks)
        numbers[start.year] = numbers.get(start.year, 0) + 1
        name = f"{start.year}年第{numbers[start.year]}期{OCCUPATION_NAMES[occupation]}培训班"
        _build(owner, staff, device, programs[occupation], name, start, target, size, seed=101 + n)
    stdout.write(f"demo classes: {len(CLASSES)} in every status, with rosters and attendance")
