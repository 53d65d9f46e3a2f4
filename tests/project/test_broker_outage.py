"""Outages of the task machinery, against a REAL Redis and REAL Celery workers (the test database, the shared
MEDIA_ROOT), without touching the shared Redis server (other test workers use db 15 concurrently):

1. Broker down at submission: the Celery app of this process is pointed at a port where nothing listens. A claim
   submission still succeeds (the claim waits in 'verifying'; core.enqueue.enqueue_on_commit logs and
   leaves the work to the sweeper). With the broker back, the sweeper requeue_stuck_verifications (claims in
   'verifying' for more than 5 minutes) sends the verification to a real worker, which verifies the claim once.

2. A worker SIGKILLed in the middle of a roster import: the job stays 'committing' with nothing committed. With the
   project's own visibility timeout (2 h) Redis keeps the unacknowledged message, so the next worker does not get
   it back; the sweeper requeue_stuck_roster_imports (jobs started more than 30 minutes ago) sends it again and
   the job is done once, with the roster of the file.

Workers run on a queue of their own with unacked bookkeeping keys of their own, removed afterwards
(tests/project/realworkers.py, shared with the other outage tests).
"""

import logging
import signal
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import AuditEvent
from core.clock import replaying as clock
from subsidies.models import ClaimStatus, SubsidyClaim
from subsidies.services import claims
from subsidies.tasks import requeue_stuck_verifications
from tests.realworkers import backend_alive, backends_waiting_on, broker_at, nothing_listens, wait_until
from trainees.crypto import blind_index
from training.models import EnrollmentResult, ImportJob
from training.services.roster import roster_job_create
from training.tasks import requeue_stuck_roster_imports

from ..subsidies.factories import claim_day, completed_class
from ..training.factories import World, make_class, roster_xlsx, rows, upload

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

DEAD_PORT = 6390
DEAD_BROKER = f"redis://127.0.0.1:{DEAD_PORT}/0"


def status_of(claim) -> str:
    return SubsidyClaim.objects.values_list("status", flat=True).get(pk=claim.pk)


# --- 1. broker down at submission ---------------------------------------------------------------------------


def test_a_claim_submitted_while_the_broker_is_down_is_verified_after_it_comes_back(workers, caplog):
    assert nothing_listens(DEAD_PORT), f"something listens on 127.0.0.1:{DEAD_PORT}: pick another dead port"
    h = completed_class(outcome=lambda n: EnrollmentResult.FAILED if n == 2 else EnrollmentResult.PASSED)
    with clock(claim_day(h)):
        claim = claims.claim_create(actor=h.owner, training_class=h.training_class)

    with broker_at(DEAD_BROKER), caplog.at_level(logging.WARNING, logger="core.enqueue"):
        started = time.monotonic()
        claims.claim_submit(actor=h.owner, claim=claim)  # no exception: the data is saved
        submit_seconds = time.monotonic() - started
    assert "broker unreachable" in caplog.text and "subsidies.tasks.verify_claim" in caplog.text
    assert submit_seconds < 30, f"the submission waited {submit_seconds:.1f} s for the dead broker"
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.VERIFYING and claim.submitted_at is not None
    assert not claim.findings.exists()
    assert claim.status_changes.filter(to_status=ClaimStatus.VERIFYING).count() == 1

    # The broker is back and a worker runs, but nothing was queued: the claim waits for the sweeper.
    workers.start()
    SubsidyClaim.objects.filter(pk=claim.pk).update(submitted_at=timezone.now() - timedelta(minutes=1))
    assert requeue_stuck_verifications() == 0  # not stuck yet (5 minutes)
    time.sleep(2)
    assert status_of(claim) == ClaimStatus.VERIFYING

    SubsidyClaim.objects.filter(pk=claim.pk).update(submitted_at=timezone.now() - timedelta(minutes=6))
    assert requeue_stuck_verifications() == 1
    wait_until(lambda: status_of(claim) == ClaimStatus.VERIFIED, workers, "verification after the sweeper")
    claim.refresh_from_db()
    assert claim.verified_at is not None
    assert [(f.line.enrollment_id, f.rule_code) for f in claim.findings.all()] == [(h.enrollments[2].pk, "NOT_PASSED")]
    assert claim.status_changes.filter(to_status=ClaimStatus.VERIFIED).count() == 1
    assert requeue_stuck_verifications() == 0  # nothing left for the sweeper
    print(f"\nsubmission with the broker down took {submit_seconds:.2f} s")


# --- 2. worker killed during a roster import ----------------------------------------------------------------


def backends_waiting_on_the_class() -> list[int]:
    return backends_waiting_on("%training_trainingclass%FOR UPDATE%")


def job_status(job: ImportJob) -> str:
    return ImportJob.objects.values_list("status", flat=True).get(pk=job.pk)


def test_a_roster_import_killed_with_its_worker_is_requeued_by_the_sweeper_and_done_once(workers):
    """How the kill lands inside the import: the test holds the class row lock (SELECT … FOR UPDATE) while the
    worker validates the file; roster_commit starts with the same lock, so the worker waits there, inside its
    commit transaction, and is killed then. Its transaction never commits."""
    w = World()
    c = make_class(w.program, w.owner)
    data = rows(40)
    job = roster_job_create(actor=w.owner, training_class=c, uploaded_file=upload(roster_xlsx(data)))
    assert job_status(job) == ImportJob.Status.PENDING  # queued in Redis: no worker yet

    with transaction.atomic():
        type(c).objects.select_for_update().get(pk=c.pk)
        first = workers.start()
        (backend,) = wait_until(backends_waiting_on_the_class, workers, "the first worker inside roster_commit")
        assert job_status(job) == ImportJob.Status.COMMITTING
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    assert first.returncode == -signal.SIGKILL
    job.refresh_from_db()
    assert job.status == ImportJob.Status.COMMITTING and job.finished_at is None
    assert c.enrollments.count() == 0
    wait_until(
        lambda: not backend_alive(backend), workers, "the killed worker's session to end", 15, worker_alive=False
    )

    workers.start()
    time.sleep(5)  # the new worker's restore sweeps: the message stays unacknowledged (2 h visibility timeout)
    assert job_status(job) == ImportJob.Status.COMMITTING
    assert requeue_stuck_roster_imports() == 0  # started less than 30 minutes ago

    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=31))
    assert requeue_stuck_roster_imports() == 1
    wait_until(lambda: ImportJob.objects.get(pk=job.pk).finished, workers, "the import after the sweeper")

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.errors
    assert (job.rows_total, job.rows_done, job.created_count, job.errors) == (40, 40, 40, [])
    expected = sorted(blind_index(r[1]) for r in data)
    assert sorted(c.enrollments.values_list("trainee__id_index", flat=True)) == expected
    imported = AuditEvent.objects.filter(action="class.roster_imported", target_id=str(c.pk))
    assert imported.count() == 1
    assert requeue_stuck_roster_imports() == 0
