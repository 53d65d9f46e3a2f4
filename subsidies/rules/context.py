"""Everything the rules need about one claim, loaded set-based: one query per kind of fact, a fixed number
of queries per claim whatever the number of lines. The loader decides nothing: what counts as a burst, an
overlap, a denial or a late approval is each rule's own business (see the rule modules)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, F, Sum

from institutions.selectors import institution_designated_between, program_listed_between
from trainees.models import SubsidyKind, Trainee, TrainingRecord
from trainees.selectors import archived_trainings_between
from training.models import Attendance, EnrollmentGroup

from ..models import CategoryEligibility, ClaimLine, PhoneFollowUp, SubsidyClaim
from .facts import ArchivedTraining, AttendedHours, DeviceCheckIn, LedgerEntry, LineFacts, OtherCheckIn, Session

__all__ = ["ClaimContext", "LineFacts", "attended_hours", "load"]


@dataclass
class ClaimContext:
    claim: SubsidyClaim
    kind: str  # subsidies.models.ClaimKind
    start: date
    end: date
    occupation_id: int | None  # None with level_rank and level_id: an entrepreneurship class
    level_rank: int | None
    level_id: int | None
    training_type_id: int
    sessions: list[Session]  # this class's timetable, by day and start
    scheduled_hours: int  # the sum of the sessions' hours
    scheduled_by_day: dict[date, int]  # day → scheduled hours
    standard_hours: int
    approved_at: datetime | None  # the class's latest approval; a change request clears it
    institution_designated: bool  # designated on every day of the class (institutions' selector)
    program_listed: bool  # listed on every day of the class (institutions' selector)
    settings: object  # the region's RegionSetting (or its defaults)
    lines: list[LineFacts]
    eligible_categories: set[int]  # the categories the training type subsidizes; empty: all
    ledger: dict[int, list[LedgerEntry]]  # trainee id → subsidized trainings (this claim's own rows excluded)
    other_check_ins: dict[int, list[OtherCheckIn]]  # trainee id → check-ins on other classes in these dates
    phone_sharers: dict[str, int]  # phone index → number of registered people with it (only those above one)
    device_check_ins: list[DeviceCheckIn]  # ordered by device, then time
    follow_up_outcomes: dict[int, str]  # line id → outcome of its phone follow-up (FollowUpOutcome)
    min_hours_per_day: int = 0  # from the claim's standard; 0: not paid by the day
    # trainee id → migrated-history trainings whose dates overlap this class's (see _archived_trainings)
    archived_trainings: dict[int, list[ArchivedTraining]] = field(default_factory=dict)
    stage_id: int | None = None  # the class's entrepreneurship stage (创业培训), if it is one
    # Each rule's hits, computed once per context (see Rule.run); reassigning any fact clears them.
    hits: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __setattr__(self, name, value):
        super().__setattr__(name, value)
        if name != "hits":
            self.__dict__["hits"] = {}


def attended_hours(claim) -> AttendedHours:
    """Hours attended per enrollment of the claim's class, in total and by day (one query)."""
    total, by_day = {}, defaultdict(dict)
    rows = (
        Attendance.objects.filter(enrollment__training_class=claim.training_class)
        .values("enrollment_id", "session__date")
        .annotate(h=Sum("session__hours"))
    )
    for row in rows:
        by_day[row["enrollment_id"]][row["session__date"]] = row["h"]
        total[row["enrollment_id"]] = total.get(row["enrollment_id"], 0) + row["h"]
    return AttendedHours(total, by_day)


def _ledger(trainee_ids, exclude_ref_prefix: str) -> dict[int, list[LedgerEntry]]:
    ledger = defaultdict(list)
    rows = (
        TrainingRecord.objects.filter(trainee_id__in=trainee_ids)
        .exclude(subsidy_kind=SubsidyKind.NONE)
        .exclude(source_ref__startswith=exclude_ref_prefix)
        .order_by()
        .values_list(
            "trainee_id",
            "occupation_id",
            "skill_level__rank",
            "year",
            "subsidy_kind",
            "source_ref",
            "entrepreneurship_stage_id",
        )
    )
    for trainee_id, *entry in rows:
        ledger[trainee_id].append(LedgerEntry(*entry))
    return ledger


def _sessions(training_class) -> list[Session]:
    rows = training_class.sessions.order_by("date", "start_time").values_list("date", "start_time", "end_time", "hours")
    return [Session(*r) for r in rows]


def _other_check_ins(training_class, trainee_ids) -> dict[int, list[OtherCheckIn]]:
    rows = (
        Attendance.objects.filter(
            enrollment__trainee_id__in=trainee_ids,
            session__date__range=(training_class.start_date, training_class.end_date),
        )
        .exclude(enrollment__training_class=training_class)
        .order_by()
        .values_list(
            "enrollment__trainee_id",
            "enrollment__training_class__name",
            "session__date",
            "session__start_time",
            "session__end_time",
        )
    )
    found = defaultdict(list)
    for trainee_id, *check_in in rows:
        found[trainee_id].append(OtherCheckIn(*check_in))
    return found


def _archived_trainings(training_class, trainee_ids) -> dict[int, list[ArchivedTraining]]:
    found = archived_trainings_between(
        trainee_ids=trainee_ids, start=training_class.start_date, end=training_class.end_date
    )
    return {trainee_id: [ArchivedTraining(*row) for row in rows] for trainee_id, rows in found.items()}


def _device_check_ins(training_class) -> list[DeviceCheckIn]:
    rows = (
        Attendance.objects.filter(enrollment__training_class=training_class, device__isnull=False)
        .order_by("device_id", "checked_at")
        .values_list("device_id", "checked_at")
    )
    return [DeviceCheckIn(*r) for r in rows]


def _lines(claim) -> list[LineFacts]:
    rows = ClaimLine.objects.filter(claim=claim).values(
        "trainee_id",
        "enrollment_id",
        line_id=F("id"),
        birth_date=F("trainee__birth_date"),
        draws_pension=F("trainee__draws_pension"),
        category_id=F("enrollment__category_id"),
        result=F("enrollment__result"),
        phone_index=F("trainee__phone_index"),
    )
    groups = defaultdict(set)
    members = EnrollmentGroup.objects.filter(enrollment__claim_lines__claim=claim)
    for enrollment_id, category_id in members.values_list("enrollment_id", "category_id"):
        groups[enrollment_id].add(category_id)
    return [LineFacts(**row, group_ids=frozenset(groups[row["enrollment_id"]])) for row in rows]


def load(claim: SubsidyClaim, settings) -> ClaimContext:
    training_class = claim.training_class
    program = training_class.program
    lines = _lines(claim)
    hours = attended_hours(claim)
    for line in lines:
        line.attended_hours = hours.total.get(line.enrollment_id, 0)
        line.hours_by_day = hours.by_day.get(line.enrollment_id, {})
    trainee_ids = [line.trainee_id for line in lines]
    phones = [line.phone_index for line in lines if line.phone_index]
    sessions = _sessions(training_class)
    by_day = defaultdict(int)
    for session in sessions:
        by_day[session.day] += session.hours
    return ClaimContext(
        claim=claim,
        kind=claim.kind,
        start=training_class.start_date,
        end=training_class.end_date,
        occupation_id=program.occupation_id,
        level_rank=program.skill_level.rank if program.skill_level_id else None,
        level_id=program.skill_level_id,
        training_type_id=training_class.training_type_id,
        sessions=sessions,
        scheduled_hours=sum(session.hours for session in sessions),
        scheduled_by_day=dict(by_day),
        standard_hours=program.standard_hours,
        approved_at=training_class.approved_at,
        institution_designated=institution_designated_between(
            training_class.institution, training_class.start_date, training_class.end_date
        ),
        program_listed=program_listed_between(program, training_class.start_date, training_class.end_date),
        settings=settings,
        lines=lines,
        eligible_categories=set(
            CategoryEligibility.objects.filter(training_type_id=training_class.training_type_id).values_list(
                "category_id", flat=True
            )
        ),
        ledger=_ledger(trainee_ids, exclude_ref_prefix=f"claim-{claim.pk}-"),
        other_check_ins=_other_check_ins(training_class, trainee_ids),
        phone_sharers=dict(
            Trainee.objects.filter(phone_index__in=phones)
            .values("phone_index")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .values_list("phone_index", "n")
        ),
        device_check_ins=_device_check_ins(training_class),
        follow_up_outcomes=dict(PhoneFollowUp.objects.filter(claim=claim).values_list("line_id", "outcome")),
        min_hours_per_day=claim.standard.min_hours_per_day if claim.standard else 0,
        archived_trainings=_archived_trainings(training_class, trainee_ids),
        stage_id=program.entrepreneurship_stage_id,
    )
