"""Redis stopped and started again, for real: a redis-server of the test's own on a free port (the shared Redis
other tests use is never touched), this process's Celery app and a real worker pointed at it.

With Redis shut down (SHUTDOWN NOSAVE: the server forgets everything), a claim submitted through the HTTP API
still succeeds: the data is saved and the claim waits in 'verifying' (core.enqueue.enqueue_on_commit logs
the unreachable broker). Redis comes back empty on the same port; the worker that was running all along
reconnects by itself, and the sweeper requeue_stuck_verifications sends the verification, which the worker runs
exactly once.
"""

import logging
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from core.clock import replaying as clock
from subsidies.models import ClaimStatus, SubsidyClaim
from subsidies.services import claims
from subsidies.tasks import requeue_stuck_verifications
from tests.realworkers import Workers, broker_at, sending_to, wait_until
from training.models import EnrollmentResult

from ..subsidies.factories import claim_day, completed_class

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def status_of(claim) -> str:
    return SubsidyClaim.objects.values_list("status", flat=True).get(pk=claim.pk)


def test_a_claim_submitted_while_redis_is_stopped_is_verified_once_after_redis_restarts(
    private_redis, tmp_path, client, caplog
):
    # The class and the draft claim are made before the test talks to its Redis (their tasks run inline).
    h = completed_class(outcome=lambda n: EnrollmentResult.FAILED if n == 2 else EnrollmentResult.PASSED)
    with clock(claim_day(h)):
        claim = claims.claim_create(actor=h.owner, training_class=h.training_class)
    client.force_login(h.owner)

    pool = Workers(tmp_path, broker=private_redis.url)
    with sending_to(pool), broker_at(private_redis.url):
        worker = pool.start()
        wait_until(private_redis.consumers, pool, "the worker consuming from the private Redis")

        private_redis.shutdown()
        assert not private_redis.ping()
        with caplog.at_level(logging.WARNING, logger="core.enqueue"):
            started = time.monotonic()
            response = client.post(f"/api/claims/{claim.pk}/submit/")
            submit_seconds = time.monotonic() - started
        assert response.status_code == 200, response.content
        assert response.json()["status"] == ClaimStatus.VERIFYING
        assert "broker unreachable" in caplog.text and "subsidies.tasks.verify_claim" in caplog.text
        assert submit_seconds < 30, f"the submission waited {submit_seconds:.1f} s for the stopped Redis"
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.VERIFYING and claim.submitted_at is not None
        assert not claim.findings.exists()
        time.sleep(2)  # the worker keeps running without its broker, trying to reconnect
        assert worker.poll() is None, pool.logs()

        private_redis.start()  # the same port, empty: the message that was never sent is not there either
        wait_until(private_redis.consumers, pool, "the worker reconnected to the restarted Redis")
        assert len(pool.processes) == 1 and worker.poll() is None  # the same worker, not a new one
        SubsidyClaim.objects.filter(pk=claim.pk).update(submitted_at=timezone.now() - timedelta(minutes=6))
        assert requeue_stuck_verifications() == 1
        wait_until(lambda: status_of(claim) == ClaimStatus.VERIFIED, pool, "verification after Redis restarted")

        claim.refresh_from_db()
        assert claim.verified_at is not None
        assert [(f.line.enrollment_id, f.rule_code) for f in claim.findings.all()] == [
            (h.enrollments[2].pk, "NOT_PASSED")
        ]
        assert requeue_stuck_verifications() == 0  # nothing left for the sweeper
        time.sleep(2)  # room for a second, unwanted run
        assert claim.status_changes.filter(to_status=ClaimStatus.VERIFYING).count() == 1
        assert claim.status_changes.filter(to_status=ClaimStatus.VERIFIED).count() == 1
        assert AuditEvent.objects.filter(action="claim.verified", target_id=str(claim.pk)).count() == 1
        print(f"\nsubmission with Redis stopped took {submit_seconds:.2f} s")
