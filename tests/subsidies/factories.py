"""Helpers for the subsidies tests, which import all of them from this module: the users, the standards and the
model factories (factory_boy) live in factories_users.py, factories_standards.py and factories_models.py and
are re-exported here. This module plays the domain through the services:

`completed_class` plays a small class through the real services, each step on its own date with
core.clock.replaying: a designated institution with a listed 12-hour program (6 theory + 6 practice), a
class applied for two weeks before it starts and approved ten days before, started, checked in by a face
device for every session, completed, and the results recorded. A subsidy standard (province 23 by default,
or city 2312) is set through standard_create. The helpers for claims follow the same path as
subsidies/demo.py: create, submit, verify, review, public notice, approval.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from catalog.models import Region
from core.clock import replaying as clock
from institutions.models import Institution, Program
from subsidies.models import ClaimStatus, Severity, SubsidyClaim
from subsidies.services import claims, notices
from training.models import ClassStatus, Enrollment, EnrollmentResult, TrainingClass
from training.services import attendance, classes, results

from ..institutions.factories import DesignatedInstitutionFactory, ProgramFactory
from ..training.factories import commit_roster, rows
from .factories_models import (  # noqa: F401 - re-exported: the tests import them from here
    CategoryEligibilityFactory,
    ClaimLineFactory,
    ClaimMaterialFactory,
    FindingFactory,
    InspectorFactory,
    ObjectionFactory,
    PaymentFactory,
    PhoneFollowUpFactory,
    PublicNoticeFactory,
    RegionSettingFactory,
    SpotCheckFactory,
    SpotCheckVisitFactory,
    SubsidyClaimFactory,
    region,
)
from .factories_standards import (  # noqa: F401 - re-exported: the tests import them from here
    STANDARD_FROM,
    ensure_standard,
    level,
    make_standard,
    make_standard_row,
    training_type,
)
from .factories_users import bureau, finance, institution_user, province, user  # noqa: F401 - re-exported

START = date(2025, 3, 3)  # a Monday
MORNING = (time(8, 30), time(11, 30), 3)
AFTERNOON = (time(13, 30), time(16, 30), 3)
EVENING = (time(18, 30), time(21, 30), 3)
TWO_DAYS = [[MORNING, AFTERNOON], [MORNING, AFTERNOON]]  # 2 days × 6 hours = the program's 12 hours


# --- the world: institution, program, users, device ---------------------------------------------------------


@dataclass
class World:
    institution: Institution
    program: Program
    owner: User
    bureau: User
    finance: User
    device: object

    @classmethod
    def make(cls, institution: Institution | None = None, county_code: str = "231202", **program_kw) -> "World":
        institution = institution or DesignatedInstitutionFactory(county=Region.objects.get(code=county_code))
        program_kw.setdefault("theory_hours", 6)
        program_kw.setdefault("practice_hours", 6)
        program = ProgramFactory(institution=institution, **program_kw)
        owner = institution_user(institution)
        with clock(STANDARD_FROM):  # issued before any class of the tests: no check-in predates its device
            device, _ = attendance.device_issue(actor=owner, institution=institution, name="人脸考勤机")
        return cls(
            institution=institution,
            program=program,
            owner=owner,
            bureau=bureau(institution.county.code),
            finance=finance(institution.county.code[:4]),
            device=device,
        )


@dataclass
class Handles:
    """What a test needs about one completed class."""

    world: World
    training_class: TrainingClass
    enrollments: list[Enrollment]
    trainees: list = field(default_factory=list)

    # shortcuts
    @property
    def owner(self) -> User:
        return self.world.owner

    @property
    def bureau(self) -> User:
        return self.world.bureau

    @property
    def finance(self) -> User:
        return self.world.finance

    @property
    def institution(self) -> Institution:
        return self.world.institution

    @property
    def program(self) -> Program:
        return self.world.program


def _all_present(person: int, session_no: int) -> bool:
    return True


def check_in(world: World, training_class: TrainingClass, *, attend=_all_present, spacing: int = 17) -> None:
    """Face check-ins, 5 minutes before each session, `spacing` seconds apart; `attend(person, session_no)`
    says who came (people in enrollment order, sessions in timetable order)."""
    people = list(training_class.enrollments.order_by("id").select_related("trainee"))
    for session_no, session in enumerate(training_class.sessions.order_by("date", "start_time")):
        moment = timezone.make_aware(datetime.combine(session.date, session.start_time)) - timedelta(minutes=5)
        batch = [
            attendance.CheckIn(
                record_id=f"{training_class.pk}-{session.pk}-{e.pk}",
                id_number=e.trainee.id_number,
                session_id=session.pk,
                checked_at=moment + timedelta(seconds=spacing * n),
                method="face",
            )
            for n, e in enumerate(people)
            if attend(n, session_no)
        ]
        with clock(session.date, time(23, 0)):
            answers = attendance.checkins_record(device=world.device, checkins=batch)
        assert all(a["status"] == "accepted" for a in answers), answers


def completed_class(
    world: World | None = None,
    *,
    start: date = START,
    people: int = 3,
    first: int = 0,
    roster: list[list] | None = None,
    days: list[list] | None = None,
    attend=_all_present,
    spacing: int = 17,
    outcome=None,
    standard: str | None = "23",
    roster_start: date | None = None,
    name: str = "2025年第1期养老护理员（五级）培训班",
    until: str = ClassStatus.COMPLETED,
) -> Handles:
    """A completed class with a roster, attendance and results, played through the services.

    `days`: the timetable, one list of (start, end, hours) per consecutive weekday from `start` (default two
    days of 3 h + 3 h). `outcome(person) -> result` (default: everyone passed). `roster_start`: commit the
    roster while the class still starts on that date, then move the class to `start` (class_update).
    `until`: stop once the class is approved or in training (no check-ins yet)."""
    world = world or World.make()
    if standard:
        ensure_standard(standard)
    days = days or TWO_DAYS
    dates, day = [], start
    while len(dates) < len(days):
        if day.weekday() < 5:
            dates.append(day)
        day += timedelta(days=1)
    data = roster if roster is not None else rows(people, first)
    with clock(start - timedelta(days=14)):
        first_start = roster_start or start
        tc = classes.class_create(
            actor=world.owner,
            program=world.program,
            name=name,
            start_date=first_start,
            end_date=first_start + (dates[-1] - start),
            planned_headcount=max(len(data), 5),
        )
        commit_roster(tc, world.owner, data)
        if roster_start:
            classes.class_update(actor=world.owner, training_class=tc, start_date=start, end_date=dates[-1])
        for d, slots in zip(dates, days, strict=True):
            for n, (begin, end, hours) in enumerate(slots):
                classes.session_add(
                    actor=world.owner,
                    training_class=tc,
                    date=d,
                    start_time=begin,
                    end_time=end,
                    kind=("theory", "practice")[n % 2],
                    hours=hours,
                )
        classes.class_transition(actor=world.owner, training_class=tc, to_status=ClassStatus.SUBMITTED)
    with clock(start - timedelta(days=10)):
        classes.class_transition(
            actor=world.bureau, training_class=tc, to_status=ClassStatus.APPROVED, reason="材料齐全，同意开班。"
        )
    if until != ClassStatus.APPROVED:
        with clock(start, time(8, 0)):
            classes.class_transition(actor=world.owner, training_class=tc, to_status=ClassStatus.IN_TRAINING)
    tc.refresh_from_db()
    if until in (ClassStatus.APPROVED, ClassStatus.IN_TRAINING):
        enrollments = list(tc.enrollments.order_by("id").select_related("trainee"))
        return Handles(world, tc, enrollments, [e.trainee for e in enrollments])
    check_in(world, tc, attend=attend, spacing=spacing)
    outcome = outcome or (lambda person: EnrollmentResult.PASSED)
    with clock(dates[-1], time(23, 0)):
        classes.class_transition(actor=world.owner, training_class=tc, to_status=ClassStatus.COMPLETED)
        for n, e in enumerate(tc.enrollments.order_by("id")):
            result = outcome(n)
            if result != EnrollmentResult.PENDING:
                results.enrollment_record_result(
                    actor=world.owner,
                    enrollment=e,
                    result=result,
                    score=Decimal(90 if result == EnrollmentResult.PASSED else 40),
                )
    tc.refresh_from_db()
    enrollments = list(tc.enrollments.order_by("id").select_related("trainee"))
    return Handles(world, tc, enrollments, [e.trainee for e in enrollments])


# --- claims -------------------------------------------------------------------------------------------------


def claim_day(h: Handles, days: int = 3) -> date:
    return h.training_class.end_date + timedelta(days=days)


def verified_claim(h: Handles, on: date | None = None, **kw) -> SubsidyClaim:
    """Create and submit a claim, then run the verification (the queued task only runs after a commit,
    which a test's transaction never does; claim_verify is idempotent, so running it is what the task does)."""
    with clock(on or claim_day(h)):
        claim = claims.claim_create(actor=h.owner, training_class=h.training_class, **kw)
        claims.claim_submit(actor=h.owner, claim=claim)
        claims.claim_verify(claim.pk)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.VERIFIED
    return claim


def findings(claim: SubsidyClaim, code: str | None = None) -> list:
    qs = claim.findings.order_by("line_id", "rule_code", "id")
    return list(qs.filter(rule_code=code) if code else qs)


def codes(claim: SubsidyClaim, line=None) -> set[str]:
    qs = claim.findings.all()
    if line is not None:
        qs = qs.filter(line=line)
    return set(qs.values_list("rule_code", flat=True))


def review(staff: User, claim: SubsidyClaim, on: date | None = None) -> None:
    """As subsidies/demo.py: approve every line without a blocking finding (accepting warnings), reject the
    rest, accept claim-level warnings."""
    with clock(on or timezone.localdate()):
        for line in claim.lines.prefetch_related("findings"):
            blocking = [f for f in line.findings.all() if f.severity == Severity.BLOCKING]
            if blocking:
                claims.line_decide(actor=staff, line=line, approve=False, reason=blocking[0].message)
            else:
                claims.line_decide(actor=staff, line=line, approve=True, reason="经电话核实，情况属实")
        for finding in claim.findings.filter(line__isnull=True, severity=Severity.WARNING, accepted_reason=""):
            claims.claim_accept_warning(actor=staff, finding=finding, reason="现场抽查已核实")


def noticed_claim(h: Handles, on: date | None = None):
    """A verified claim, reviewed and sent to public notice on `on` (default: ten days after the class).
    Returns (claim, notice)."""
    on = on or claim_day(h, 10)
    claim = verified_claim(h, on=on)
    review(h.bureau, claim, on=on)
    with clock(on):
        notice = notices.claim_send_to_notice(actor=h.bureau, claim=claim)
    claim.refresh_from_db()
    return claim, notice


def approved_claim(h: Handles, on: date | None = None):
    """Played to approval: the day after the notice ends. Returns (claim, notice)."""
    claim, notice = noticed_claim(h, on=on)
    with clock(notice.ends_on + timedelta(days=1)):
        notices.claim_approve_after_notice(claim.pk)
    claim.refresh_from_db()
    notice.refresh_from_db()
    return claim, notice
