"""Issue 16: a person's class overlapping in time with a training already in the archive (migrated history,
which has dates and no hours) is found by TIME_OVERLAP (version 2), on the class's session days; and it is one
query for the whole claim, whatever the number of lines."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from subsidies.models import ClaimStatus, Severity
from subsidies.rules.context import load
from subsidies.services import claims
from subsidies.services.standards import setting_for
from trainees.models import RecordSource

from ..institutions.factories import DesignatedInstitutionFactory, occupation
from ..trainees.factories import add_record
from .factories import START, World, completed_class, findings, verified_claim
from .rule_kit import covers, line_codes
from .test_findings import submitted_claim
from .test_rules_ledger import import_history

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

# The class of completed_class runs on START (Monday 2025-03-03) and the day after, 6 hours each.


@covers("TIME_OVERLAP")
def test_a_migrated_training_on_one_of_the_class_days_is_an_overlap(tmp_path):
    h = completed_class()
    import_history(tmp_path, h, 0, start="2025-02-24", end="2025-03-03", level_name="中级工")
    claim = verified_claim(h)
    assert "TIME_OVERLAP" in line_codes(claim, h, 0)
    assert "TIME_OVERLAP" not in line_codes(claim, h, 1) | line_codes(claim, h, 2)
    (finding,) = findings(claim, "TIME_OVERLAP")
    assert finding.severity == Severity.BLOCKING and finding.rule_version == 2
    assert finding.inputs["classes"] == []
    assert [(a["from"], a["to"]) for a in finding.inputs["archived"]] == [("2025-02-24", "2025-03-03")]
    assert "档案记录 2025-02-24 至 2025-03-03" in finding.message


def test_history_before_after_or_between_the_session_days_is_not_an_overlap():
    friday = date(2025, 2, 28)  # the class's two days are Friday and Monday; the weekend between has no session
    h = completed_class(start=friday, people=4)
    history = {"source": RecordSource.HISTORY, "occupation": occupation(3)}
    add_record(h.trainees[0], ref="before", start_date=date(2025, 2, 10), end_date=date(2025, 2, 27), **history)
    add_record(h.trainees[1], ref="weekend", start_date=date(2025, 3, 1), end_date=date(2025, 3, 2), **history)
    add_record(h.trainees[2], ref="after", start_date=date(2025, 3, 4), end_date=date(2025, 3, 20), **history)
    add_record(h.trainees[3], ref="monday", start_date=date(2025, 3, 3), end_date=date(2025, 3, 3), **history)
    claim = verified_claim(h)
    assert [finding.line.enrollment for finding in findings(claim, "TIME_OVERLAP")] == [h.enrollments[3]]


def test_a_ledger_row_of_another_class_of_this_system_is_left_to_the_check_ins():
    """Rows written by this system's claims are classes with sessions: the check-ins decide (an evening class
    on the same days is no overlap), not their dates."""
    h = completed_class()
    add_record(
        h.trainees[0],
        ref="claim-1-line-1",
        source=RecordSource.CLAIM,
        occupation=occupation(3),
        start_date=START,
        end_date=START,
    )
    assert not findings(verified_claim(h), "TIME_OVERLAP")


def test_the_archive_overlap_is_one_query_whatever_the_number_of_lines():
    counts = {}
    for size, first in ((5, 0), (30, 100)):
        h = completed_class(World.make(DesignatedInstitutionFactory()), people=size, first=first, name=f"{size}人班")
        for n, trainee in enumerate(h.trainees):
            add_record(
                trainee,
                ref=f"hist-{first}-{n}",
                source=RecordSource.HISTORY,
                occupation=occupation(3),
                start_date=START,
                end_date=START,
            )
        claim = submitted_claim(h)
        with CaptureQueriesContext(connection) as ctx:
            claims.claim_verify(claim.pk)
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.VERIFIED
        assert len(findings(claim, "TIME_OVERLAP")) == size
        counts[size] = len(ctx.captured_queries)
        with CaptureQueriesContext(connection) as loaded:
            context = load(claim, setting_for(claim.county))
        assert len(context.archived_trainings) == size
        counts[f"load {size}"] = len(loaded.captured_queries)
    assert counts[5] == counts[30] and counts["load 5"] == counts["load 30"], counts
