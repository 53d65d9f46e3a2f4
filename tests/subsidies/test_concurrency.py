"""Two claims approved at the same moment cannot both subsidize one person for the same occupation and level:
claim_approve_after_notice locks the people and re-checks the ledger; a partial unique index backs it up.
Real transactions on PostgreSQL, one connection per thread."""

import threading
from datetime import date, timedelta

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction

from core.clock import replaying as clock
from subsidies.models import ClaimStatus, LineStatus
from subsidies.services import notices
from trainees.models import RecordSource, TrainingRecord
from trainees.services.records import training_records_append_bulk

from ..training.factories import row
from .factories import World, completed_class, noticed_claim

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and concurrent transactions"),
]

ROUNDS = 4


def two_claims_sharing_a_person(base: int):
    """Institutions 甲 and 乙 both trained person `base` (same occupation, same level) at different times,
    each with one other person; both claims were verified before either was approved, so both lines for the
    shared person passed review and are in public notice."""
    a = completed_class(World.make(), roster=[row(base), row(base + 1)], name=f"甲{base}")
    b = completed_class(World.make(), roster=[row(base), row(base + 2)], start=date(2025, 4, 7), name=f"乙{base}")
    assert a.program.occupation_id == b.program.occupation_id
    assert a.program.skill_level_id == b.program.skill_level_id
    claim_a, notice_a = noticed_claim(a, on=date(2025, 4, 21))
    claim_b, notice_b = noticed_claim(b, on=date(2025, 4, 21))
    for claim in (claim_a, claim_b):
        assert claim.status == ClaimStatus.PUBLIC_NOTICE
        assert claim.lines.filter(status=LineStatus.APPROVED).count() == 2
    return a, b, claim_a, claim_b, max(notice_a.ends_on, notice_b.ends_on) + timedelta(days=1)


def approve_both_at_once(claim_ids: list[int]) -> list[BaseException]:
    barrier = threading.Barrier(len(claim_ids))
    errors: list[BaseException] = []

    def run(claim_id):
        try:
            barrier.wait(timeout=10)
            notices.claim_approve_after_notice(claim_id)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(pk,)) for pk in claim_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "an approval is still waiting (deadlock?)"
    return errors


@pytest.mark.parametrize("order", ["a first", "b first"])
def test_two_claims_approved_at_the_same_moment_subsidize_the_shared_person_once(order):
    outcomes = []
    for n in range(ROUNDS):
        a, b, claim_a, claim_b, due = two_claims_sharing_a_person(base=100 * n + (0 if order == "a first" else 50))
        shared = a.trainees[0]
        assert shared.pk == b.trainees[0].pk
        ids = [claim_a.pk, claim_b.pk] if order == "a first" else [claim_b.pk, claim_a.pk]
        with clock(due):
            errors = approve_both_at_once(ids)
        assert errors == []

        records = TrainingRecord.objects.filter(
            trainee=shared, occupation=a.program.occupation, skill_level=a.program.skill_level
        )
        assert records.count() == 1 and records.get().source == RecordSource.CLAIM
        shared_lines = {c.pk: c.lines.get(trainee=shared) for c in (claim_a, claim_b)}
        statuses = sorted(line.status for line in shared_lines.values())
        assert statuses == [LineStatus.APPROVED, LineStatus.REJECTED]
        winner = next(pk for pk, line in shared_lines.items() if line.status == LineStatus.APPROVED)
        loser_line = next(line for line in shared_lines.values() if line.status == LineStatus.REJECTED)
        assert records.get().source_ref == f"claim-{winner}-line-{shared_lines[winner].pk}"
        assert "已在其他申请中获得补贴" in loser_line.decision_reason
        # both claims are approved; the other people are subsidized once each
        for claim in (claim_a, claim_b):
            claim.refresh_from_db()
            assert claim.status == ClaimStatus.APPROVED
            assert claim.approved_amount == 1000 * claim.lines.filter(status=LineStatus.APPROVED).count()
        assert TrainingRecord.objects.filter(trainee__in=[a.trainees[1], b.trainees[1]]).count() == 2
        outcomes.append("a" if winner == claim_a.pk else "b")
    print(f"\nwinners over {ROUNDS} rounds ({order}): {outcomes}")


def test_the_partial_unique_index_refuses_a_second_claim_row_for_the_same_occupation_and_level():
    a = completed_class()
    trainee, program, tc = a.trainees[0], a.program, a.training_class

    def append(ref):
        training_records_append_bulk(
            records=[{"trainee_id": trainee.pk, "amount": 1000, "source_ref": ref}],
            occupation=program.occupation,
            skill_level=program.skill_level,
            training_type=tc.training_type,
            start_date=tc.start_date,
            end_date=tc.end_date,
            county=tc.county,
            institution=tc.institution,
        )

    append("claim-1-line-1")
    # COPY goes through psycopg's cursor.copy, which Django does not wrap: psycopg's own IntegrityError
    errors = (IntegrityError, psycopg.IntegrityError)
    with pytest.raises(errors, match="one_claim_subsidy_per_occupation_level"), transaction.atomic():
        append("claim-2-line-9")
    assert TrainingRecord.objects.filter(trainee=trainee).count() == 1
