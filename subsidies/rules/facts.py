"""The named records the loader fills and the rules read: facts only, no decisions. A rule reads
`line.attended_hours` or `entry.level_rank`, never a position in a tuple."""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import NamedTuple


@dataclass
class LineFacts:
    """One claim line: the person, their enrollment on this class and the hours they attended."""

    line_id: int
    trainee_id: int
    enrollment_id: int
    birth_date: date
    draws_pension: bool
    category_id: int | None  # the primary group
    result: str  # training.models.EnrollmentResult
    phone_index: str
    attended_hours: int = 0
    hours_by_day: dict[date, int] = field(default_factory=dict)
    group_ids: frozenset[int] = frozenset()  # every group frozen on the enrollment

    @property
    def groups(self) -> frozenset[int]:
        return self.group_ids or frozenset({self.category_id} - {None})


class LedgerEntry(NamedTuple):
    """A subsidized training of the person in the archive ledger (another claim's or a migrated one)."""

    occupation_id: int | None  # None: an entrepreneurship stage (创业培训)
    level_rank: int | None
    year: int
    subsidy_kind: str  # trainees.models.SubsidyKind
    source_ref: str
    stage_id: int | None = None  # the entrepreneurship stage, if the training was one


class Session(NamedTuple):
    """A timetabled session of this class."""

    day: date
    start_time: time
    end_time: time
    hours: int


class OtherCheckIn(NamedTuple):
    """A check-in of one of this class's people at a session of another class, within this class's dates."""

    class_name: str
    day: date
    start_time: time
    end_time: time


class DeviceCheckIn(NamedTuple):
    """A check-in on this class recorded by an attendance device."""

    device_id: int
    checked_at: datetime


class AttendedHours(NamedTuple):
    """Hours attended per enrollment: in total, and by day (for the per-day rate)."""

    total: dict[int, int]  # enrollment id → hours
    by_day: dict[int, dict[date, int]]  # enrollment id → day → hours


def age_on(birth: date, day: date) -> int:
    """Age in whole years on `day` (a birthday on `day` counts)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


class ArchivedTraining(NamedTuple):
    """A training of one of this claim's people in the migrated history, its dates overlapping this class's."""

    start_date: date
    end_date: date
    institution: str  # its name, or the credit code the history gave, or ""
