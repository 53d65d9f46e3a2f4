"""Outages of the task machinery, against a REAL Redis and REAL Celery workers (the test database, the shared
MEDIA_ROOT), without touching the shared Redis server (other test workers use db 15 concurrently):

1. Broker down at submission: the Celery app of this process is pointed at a port where nothing listens. A claim
   submission still succeeds (the claim waits in 'verifying'; catalog.tasks_util.enqueue_on_commit logs and
   leaves the work to the sweeper). With the broker back, the sweeper requeue_stuck_verifications (claims in
   'verifying' for more than 5 minutes) sends the verification to a real worker, which verifies the claim once.

2. A worker SIGKILLed in the middle of a roster import: the job stays 'committing' with nothing committed. With the
   project's own visibility timeout (2 h) Redis keeps the unacknowledged message, so the next worker does not get
   it back; the sweeper requeue_stuck_roster_imports (jobs started more than 30 minutes ago) sends it again and
   the job is done once, with the roster of the file.

Workers run on a queue of their own with unacked bookkeeping keys of their own, removed afterwards.
"""

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import AuditEvent
from config import celery_app
from subsidies.models import ClaimStatus, SubsidyClaim
from subsidies.services import claims
from subsidies.tasks import requeue_stuck_verifications
from trainees.crypto import blind_index
from training.demo import clock
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

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
DEAD_PORT = 6390
DEAD_BROKER = f"redis://127.0.0.1:{DEAD_PORT}/0"
TIMEOUT = 60

LAUNCHER = """
import json, sys
from config import celery_app as app
app.conf.broker_transport_options = {**app.conf.broker_transport_options, **json.loads(sys.argv[1])}
app.worker_main(sys.argv[2:])
"""


class Workers:
    """Solo workers on a queue of their own (the project's transport options, unacked keys of their own)."""

    def __init__(self, tmp_path: Path):
        self.tag = uuid.uuid4().hex[:12]
        self.queue = f"test-outage-{self.tag}"
        self.tmp_path = tmp_path
        self.processes: list[tuple[subprocess.Popen, Path]] = []
        self.options = {
            "unacked_key": f"unacked-{self.tag}",
            "unacked_index_key": f"unacked_index-{self.tag}",
            "unacked_mutex_key": f"unacked_mutex-{self.tag}",
        }

    def start(self) -> subprocess.Popen:
        n = len(self.processes) + 1
        log = self.tmp_path / f"worker{n}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
            "CELERY_BROKER_URL": BROKER,
        }
        command = [
            sys.executable,
            "-c",
            LAUNCHER,
            json.dumps(self.options),
            *("worker", "--pool=solo", "-c", "1", "-Q", self.queue, "-n", f"w{n}-{self.tag}@%h"),
            *("--without-heartbeat", "--without-mingle", "--without-gossip", "-l", "INFO"),
        ]
        with open(log, "wb") as out:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        self.processes.append((process, log))
        return process

    def logs(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')}" for _, log in self.processes)

    def stop(self) -> None:
        for process, _ in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()

    def redis_cleanup(self) -> None:
        import redis

        client = redis.Redis.from_url(BROKER)
        client.delete(self.queue, *self.options.values())
        client.close()


@pytest.fixture
def workers(tmp_path):
    """Workers started on demand; this process sends tasks to their queue instead of running them inline."""
    pool = Workers(tmp_path)
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.task_default_queue)
    conf.task_always_eager, conf.task_default_queue = False, pool.queue
    try:
        yield pool
    finally:
        conf.task_always_eager, conf.task_default_queue = saved
        pool.stop()
        pool.redis_cleanup()


@contextmanager
def broker_at(url: str):
    """Make this process's Celery app publish to another broker. `broker_write_url` (the publishing side) is
    set rather than `broker_url`, which the CELERY_BROKER_URL environment variable overrides. The connection
    and producer pools, built lazily from it and then cached, are set aside and put back afterwards (the
    pools of the dead broker hold no connection: every attempt was refused)."""
    app, conf = celery_app, celery_app.conf
    saved = (conf.get("broker_write_url"), app._pool, app.amqp._producer_pool)
    conf["broker_write_url"], app._pool, app.amqp._producer_pool = url, None, None
    try:
        assert app.connection_for_write().port == urlsplit(url).port
        yield
    finally:
        conf["broker_write_url"], app._pool, app.amqp._producer_pool = saved


def nothing_listens(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) != 0


def wait_until(predicate, pool: Workers, what: str, timeout: float = TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        for process, _ in pool.processes[-1:]:
            assert process.poll() is None, f"the worker exited\n{pool.logs()}"
        time.sleep(0.2)
    pytest.fail(f"{what}: not after {timeout} s\n{pool.logs()}")


def status_of(claim) -> str:
    return SubsidyClaim.objects.values_list("status", flat=True).get(pk=claim.pk)


# --- 1. broker down at submission ---------------------------------------------------------------------------


def test_a_claim_submitted_while_the_broker_is_down_is_verified_after_it_comes_back(workers, caplog):
    assert nothing_listens(DEAD_PORT), f"something listens on 127.0.0.1:{DEAD_PORT}: pick another dead port"
    h = completed_class(outcome=lambda n: EnrollmentResult.FAILED if n == 2 else EnrollmentResult.PASSED)
    with clock(claim_day(h)):
        claim = claims.claim_create(actor=h.owner, training_class=h.training_class)

    with broker_at(DEAD_BROKER), caplog.at_level(logging.WARNING, logger="catalog.tasks_util"):
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

WAITING = """
SELECT pid FROM pg_stat_activity
 WHERE datname = current_database() AND pid <> pg_backend_pid()
   AND wait_event_type = 'Lock' AND query ILIKE %s
"""


def backends_waiting_on_the_class() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # pg_stat_activity is cached per transaction
        cursor.execute(WAITING, ["%training_trainingclass%FOR UPDATE%"])
        return [pid for (pid,) in cursor.fetchall()]


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
    wait_until(lambda: not backend_alive(backend), workers, "the killed worker's database session to end", 15)

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


def backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0] > 0
