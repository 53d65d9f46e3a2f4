"""Issue 16: the roster check reads the archive too: a person whose migrated history overlaps the class's dates
gets a warning on their row (history has dates, not hours; the claim's TIME_OVERLAP rule blocks on the session
days), in one query for the whole roster."""

from datetime import timedelta

import pytest

from trainees.models import RecordSource

from ..institutions.factories import occupation
from ..trainees.factories import add_record
from . import roster_kit as kit
from .factories import row
from .roster_kit import check, register_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]
w = kit.w  # the fixture
c = kit.c  # the fixture


def history(trainee, ref, start, end, source=RecordSource.HISTORY):
    return add_record(trainee, ref=ref, source=source, occupation=occupation(3), start_date=start, end_date=end)


def test_a_migrated_training_overlapping_the_class_dates_is_a_warning_on_the_row(c):
    overlapping, before = register_person(0), register_person(1)
    history(overlapping, "h-0", c.start_date - timedelta(days=3), c.start_date)
    history(before, "h-1", c.start_date - timedelta(days=30), c.start_date - timedelta(days=1))
    result = check(c, [row(0), row(1)])
    assert result.errors == []
    first, last = c.start_date - timedelta(days=3), c.start_date
    assert result.warnings == [{"row": 2, "message": f"档案中有 {first} 至 {last} 的培训记录，与本班培训日期重叠。"}]


def test_a_ledger_row_from_this_systems_claims_is_not_read_as_history(c):
    person = register_person(0)
    history(person, "claim-1-line-1", c.start_date, c.end_date, source=RecordSource.CLAIM)
    assert check(c, [row(0)]).warnings == []
