"""Claim verification handed to a real Celery worker (Redis broker db 15, the test database), and a worker
killed (SIGKILL) in the middle of a verification: the task, acknowledged late, is delivered again to the
next worker and the claim is verified exactly once, with the findings a fresh run produces.

How the kill is made deterministic: the test holds the claim's row lock (SELECT … FOR UPDATE) while the first
worker starts; claim_verify begins with the same lock, so the worker takes the task and then waits inside the
task, which the test sees in pg_stat_activity before killing the worker. The killed worker's transaction
never commits.

How the redelivery is made quick: Redis hands an unacknowledged message back only after the transport's
visibility timeout (the project sets 2 × the task time limit = 7200 s). The workers started here get a
visibility timeout of 3 s, a restore sweep every second and unacked keys of their own (so no other test's
in-flight messages on db 15 are touched). In production the same redelivery happens, after up to two hours.
"""

import signal
import time

import pytest
from django.db import connection, transaction

from config import celery_app
from core.clock import replaying as clock
from subsidies.models import ClaimStatus, SubsidyClaim
from subsidies.services import claims
from subsidies.tasks import requeue_stuck_verifications, verify_claim
from tests.realworkers import Workers, backends_waiting_on, sending_to, wait_until
from training.models import EnrollmentResult

from .factories import claim_day, completed_class

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

# Redelivery within seconds: a short visibility timeout and a restore sweep every second (unacked keys of the
# pool's own, so no other test's in-flight messages are touched).
QUICK_REDELIVERY = {"visibility_timeout": 3, "unacked_restore_interval": 1, "unacked_restore_throttle": 1}


@pytest.fixture
def workers(tmp_path, transactional_db):
    with sending_to(Workers(tmp_path, transport_options=QUICK_REDELIVERY)) as pool:
        yield pool


def submitted_claim(**kw):
    """A completed class (person 2 failed: a NOT_PASSED finding) and its claim, submitted: the verification
    task goes to the workers' queue when the submission commits."""
    h = completed_class(outcome=lambda n: EnrollmentResult.FAILED if n == 2 else EnrollmentResult.PASSED, **kw)
    with clock(claim_day(h)):
        claim = claims.claim_create(actor=h.owner, training_class=h.training_class)
        claims.claim_submit(actor=h.owner, claim=claim)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.VERIFYING  # not run inline
    return h, claim


def finding_keys(claim) -> list[tuple]:
    return sorted(claim.findings.values_list("line_id", "rule_code", "severity", "rule_version"), key=str)


def status_of(claim) -> str:
    return SubsidyClaim.objects.values_list("status", flat=True).get(pk=claim.pk)


def test_a_submitted_claim_is_verified_by_a_real_worker(workers):
    process = workers.start()
    h, claim = submitted_claim()
    wait_until(lambda: status_of(claim) == ClaimStatus.VERIFIED, workers, "verification by the worker")
    assert process.poll() is None
    claim.refresh_from_db()
    assert claim.verified_at is not None
    assert [(f.line.enrollment_id, f.rule_code) for f in claim.findings.all()] == [(h.enrollments[2].pk, "NOT_PASSED")]
    assert claim.status_changes.filter(to_status=ClaimStatus.VERIFIED).count() == 1


def backends_waiting_on_the_claim() -> list[int]:
    return backends_waiting_on('SELECT "subsidies_subsidyclaim"."id"%')  # the query text is cut: match its start


def test_a_verification_killed_with_its_worker_is_delivered_again_and_runs_once(workers):
    _h, claim = submitted_claim()  # the task waits in the queue: no worker yet
    with transaction.atomic():
        SubsidyClaim.objects.select_for_update().get(pk=claim.pk)
        first = workers.start()
        (backend,) = wait_until(backends_waiting_on_the_claim, workers, "the first worker inside claim_verify")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        killed_at = time.monotonic()
    # the lock is released: the killed worker's backend finds its client gone and rolls back
    assert first.returncode == -signal.SIGKILL
    assert status_of(claim) == ClaimStatus.VERIFYING and not claim.findings.exists()

    second = workers.start()
    wait_until(lambda: status_of(claim) == ClaimStatus.VERIFIED, workers, "redelivery to the second worker")
    redelivered_after = time.monotonic() - killed_at
    assert second.poll() is None

    assert claim.status_changes.filter(to_status=ClaimStatus.VERIFIED).count() == 1
    by_worker = finding_keys(claim)
    assert [k[1] for k in by_worker] == ["NOT_PASSED"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [backend])
        assert cursor.fetchone()[0] == 0, "the killed worker's database session is still there"

    # a fresh run, inline in this process, finds the same and moves nothing
    claims.claim_verify(claim.pk)
    assert finding_keys(claim) == by_worker
    assert claim.status_changes.filter(to_status=ClaimStatus.VERIFIED).count() == 1
    print(f"\nredelivered and verified {redelivered_after:.1f} s after the kill")


def test_a_task_delivered_twice_verifies_once(workers):
    """At-least-once delivery: the same verification sent twice (a retry, a redelivery) leaves one
    VERIFIED transition and one set of findings."""
    workers.start()
    _h, claim = submitted_claim()
    verify_claim.delay(claim.pk)
    wait_until(lambda: status_of(claim) == ClaimStatus.VERIFIED, workers, "verification")
    time.sleep(1)  # let the second delivery run
    assert claim.status_changes.filter(to_status=ClaimStatus.VERIFIED).count() == 1
    assert [k[1] for k in finding_keys(claim)] == ["NOT_PASSED"]


def test_with_the_production_visibility_timeout_the_sweeper_recovers_a_killed_verification(workers):
    """The same kill with the project's own transport options (visibility timeout 7200 s): Redis keeps the
    unacknowledged message for two hours, so the next worker does not get it back quickly; the beat task
    requeue_stuck_verifications (every 5 minutes, for claims in 'verifying' for more than 5 minutes) sends
    the verification again and the claim is verified once."""
    workers.transport_options["visibility_timeout"] = celery_app.conf.broker_transport_options["visibility_timeout"]
    assert workers.transport_options["visibility_timeout"] == 7200
    _h, claim = submitted_claim()
    with transaction.atomic():
        SubsidyClaim.objects.select_for_update().get(pk=claim.pk)
        first = workers.start()
        wait_until(backends_waiting_on_the_claim, workers, "the first worker inside claim_verify")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    workers.start()
    time.sleep(8)  # several restore sweeps of the new worker: the message stays unacknowledged in Redis
    assert status_of(claim) == ClaimStatus.VERIFYING

    # submitted_at is 2025 (the claim was submitted under clock), so it is "stuck" by now
    assert requeue_stuck_verifications() == 1
    wait_until(lambda: status_of(claim) == ClaimStatus.VERIFIED, workers, "verification after the sweeper")
    assert claim.status_changes.filter(to_status=ClaimStatus.VERIFIED).count() == 1
    assert [k[1] for k in finding_keys(claim)] == ["NOT_PASSED"]
