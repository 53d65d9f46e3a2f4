"""Everything the rules need about one claim, loaded set-based: a fixed number of queries per claim,
whatever the number of lines."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Sum
from django.utils import timezone

from institutions.selectors import institution_designated_between, program_listed_between
from trainees.models import SubsidyKind, Trainee, TrainingRecord
from training.models import Attendance

from ..models import CategoryEligibility, ClaimLine, PhoneFollowUp, SubsidyClaim


@dataclass
class LineFacts:
    line_id: int
    trainee_id: int
    enrollment_id: int
    birth_date: date
    draws_pension: bool
    category_id: int | None
    result: str
    phone_index: str
    attended_hours: int = 0
    hours_by_day: dict = field(default_factory=dict)


@dataclass
class ClaimContext:
    claim: SubsidyClaim
    kind: str
    start: date
    end: date
    occupation_id: int
    level_rank: int
    level_id: int
    training_type_id: int
    scheduled_hours: int
    standard_hours: int
    approved_before_start: bool
    institution_designated: bool
    program_listed: bool
    settings: object
    lines: list[LineFacts]
    eligible_categories: set[int]
    ledger: dict[int, list[tuple]]  # trainee id → [(occupation id, level rank, year, kind, source ref)]
    overlapping: dict[int, list[str]]  # trainee id → names of other attended classes overlapping in time
    phone_sharers: dict[str, int]  # phone index → number of people with that phone
    check_in_bursts: list[dict]
    follow_up_denials: set[int]  # line ids
    min_hours_per_day: int = 0
    scheduled_by_day: dict = field(default_factory=dict)


def _attendance(claim) -> tuple[dict[int, int], dict[int, dict]]:
    hours, by_day = {}, defaultdict(dict)
    rows = (
        Attendance.objects.filter(enrollment__training_class=claim.training_class)
        .values("enrollment_id", "session__date")
        .annotate(h=Sum("session__hours"))
    )
    for row in rows:
        by_day[row["enrollment_id"]][row["session__date"]] = row["h"]
        hours[row["enrollment_id"]] = hours.get(row["enrollment_id"], 0) + row["h"]
    return hours, by_day


def _ledger(trainee_ids, exclude_ref_prefix: str) -> dict[int, list[tuple]]:
    ledger = defaultdict(list)
    rows = (
        TrainingRecord.objects.filter(trainee_id__in=trainee_ids)
        .exclude(subsidy_kind=SubsidyKind.NONE)
        .exclude(source_ref__startswith=exclude_ref_prefix)
        .order_by()
        .values_list("trainee_id", "occupation_id", "skill_level__rank", "year", "subsidy_kind", "source_ref")
    )
    for trainee_id, *rest in rows:
        ledger[trainee_id].append(tuple(rest))
    return ledger


def _overlapping(claim, trainee_ids) -> dict[int, list[str]]:
    """Other classes each person attended (at least one check-in) whose sessions overlap this class's."""
    own = list(claim.training_class.sessions.values_list("date", "start_time", "end_time"))
    other = (
        Attendance.objects.filter(
            enrollment__trainee_id__in=trainee_ids,
            session__date__range=(claim.training_class.start_date, claim.training_class.end_date),
        )
        .exclude(enrollment__training_class=claim.training_class)
        .values_list(
            "enrollment__trainee_id",
            "enrollment__training_class__name",
            "session__date",
            "session__start_time",
            "session__end_time",
        )
    )
    found = defaultdict(set)
    for trainee_id, name, day, start, end in other:
        if any(day == d and start < e and s < end for d, s, e in own):
            found[trainee_id].add(name)
    return {k: sorted(v) for k, v in found.items()}


def _bursts(claim) -> list[dict]:
    """Devices that recorded 10 or more check-ins within the same 10 seconds in this class."""
    rows = (
        Attendance.objects.filter(enrollment__training_class=claim.training_class, device__isnull=False)
        .values_list("device_id", "checked_at")
        .order_by("device_id", "checked_at")
    )
    bursts, window = [], []
    for device_id, at in rows:
        window = [(d, t) for d, t in window if d == device_id and (at - t).total_seconds() <= 10] + [(device_id, at)]
        if len(window) >= 10:
            bursts.append({"device": device_id, "at": at.isoformat(), "count": len(window)})
            window = []
    return bursts


def load(claim: SubsidyClaim, settings) -> ClaimContext:
    training_class = claim.training_class
    program = training_class.program
    lines = list(
        ClaimLine.objects.filter(claim=claim).values_list(
            "id",
            "trainee_id",
            "enrollment_id",
            "trainee__birth_date",
            "trainee__draws_pension",
            "enrollment__category_id",
            "enrollment__result",
            "trainee__phone_index",
        )
    )
    hours, by_day = _attendance(claim)
    facts = [
        LineFacts(
            line_id,
            trainee_id,
            enrollment_id,
            birth,
            pension,
            category,
            result,
            phone,
            hours.get(enrollment_id, 0),
            by_day.get(enrollment_id, {}),
        )
        for line_id, trainee_id, enrollment_id, birth, pension, category, result, phone in lines
    ]
    trainee_ids = [f.trainee_id for f in facts]
    phones = [f.phone_index for f in facts if f.phone_index]
    approval = training_class.approved_at  # the latest approval; a change request clears it
    return ClaimContext(
        claim=claim,
        kind=claim.kind,
        start=training_class.start_date,
        end=training_class.end_date,
        occupation_id=program.occupation_id,
        level_rank=program.skill_level.rank,
        level_id=program.skill_level_id,
        training_type_id=training_class.training_type_id,
        scheduled_hours=training_class.sessions.aggregate(h=Sum("hours"))["h"] or 0,
        standard_hours=program.standard_hours,
        approved_before_start=bool(approval and timezone.localtime(approval).date() < training_class.start_date),
        institution_designated=institution_designated_between(
            training_class.institution, training_class.start_date, training_class.end_date
        ),
        program_listed=program_listed_between(program, training_class.start_date, training_class.end_date),
        settings=settings,
        lines=facts,
        eligible_categories=set(
            CategoryEligibility.objects.filter(training_type_id=training_class.training_type_id).values_list(
                "category_id", flat=True
            )
        ),
        ledger=_ledger(trainee_ids, exclude_ref_prefix=f"claim-{claim.pk}-"),
        overlapping=_overlapping(claim, trainee_ids),
        phone_sharers=dict(
            Trainee.objects.filter(phone_index__in=phones)
            .values("phone_index")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .values_list("phone_index", "n")
        ),
        check_in_bursts=_bursts(claim),
        follow_up_denials=set(
            PhoneFollowUp.objects.filter(claim=claim, outcome="denies").values_list("line_id", flat=True)
        ),
        min_hours_per_day=claim.standard.min_hours_per_day if claim.standard else 0,
        scheduled_by_day=dict(training_class.sessions.values("date").annotate(h=Sum("hours")).values_list("date", "h")),
    )
