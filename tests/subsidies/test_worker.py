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

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection, transaction

from config import celery_app
from core.clock import replaying as clock
from subsidies.models import ClaimStatus, SubsidyClaim
from subsidies.services import claims
from subsidies.tasks import requeue_stuck_verifications, verify_claim
from training.models import EnrollmentResult

from .factories import claim_day, completed_class

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
TIMEOUT = 60

LAUNCHER = """
import json, sys
from config import celery_app as app
app.conf.broker_transport_options = {**app.conf.broker_transport_options, **json.loads(sys.argv[1])}
app.worker_main(sys.argv[2:])
"""


class Workers:
    """Solo workers on a queue of their own; the test process stops running tasks inline and sends there."""

    def __init__(self, tmp_path: Path):
        self.tag = uuid.uuid4().hex[:12]
        self.queue = f"test-subsidies-{self.tag}"
        self.tmp_path = tmp_path
        self.processes: list[tuple[subprocess.Popen, Path]] = []
        self.options = {
            "visibility_timeout": 3,
            "unacked_restore_interval": 1,
            "unacked_restore_throttle": 1,
            "unacked_key": f"unacked-{self.tag}",
            "unacked_index_key": f"unacked_index-{self.tag}",
            "unacked_mutex_key": f"unacked_mutex-{self.tag}",
        }

    def redis_cleanup(self) -> None:
        """Remove this test's own keys (its queue and unacked bookkeeping) from db 15."""
        import redis

        client = redis.Redis.from_url(BROKER)
        bookkeeping = (self.options[k] for k in ("unacked_key", "unacked_index_key", "unacked_mutex_key"))
        bindings = (f"_kombu.binding.{self.queue}", f"_kombu.binding_permanent.{self.queue}")
        client.delete(self.queue, *bookkeeping, *bindings)
        client.close()

    def start(self) -> tuple[subprocess.Popen, Path]:
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
        return process, log

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


@pytest.fixture
def workers(tmp_path, transactional_db):
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


def wait_until(predicate, pool: Workers, what: str, timeout: float = TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT pid, state, wait_event_type, wait_event, left(query, 200) FROM pg_stat_activity"
            " WHERE datname = current_database()"
        )
        activity = cursor.fetchall()
    pytest.fail(f"{what}: not after {timeout} s\n{activity}\n{pool.logs()}")


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
    process, _ = workers.start()
    h, claim = submitted_claim()
    wait_until(lambda: status_of(claim) == ClaimStatus.VERIFIED, workers, "verification by the worker")
    assert process.poll() is None
    claim.refresh_from_db()
    assert claim.verified_at is not None
    assert [(f.line.enrollment_id, f.rule_code) for f in claim.findings.all()] == [(h.enrollments[2].pk, "NOT_PASSED")]
    assert claim.status_changes.filter(to_status=ClaimStatus.VERIFIED).count() == 1


WAITING = """
SELECT pid FROM pg_stat_activity
 WHERE datname = current_database() AND pid <> pg_backend_pid()
   AND wait_event_type = 'Lock' AND query ILIKE %s
"""


def backends_waiting_on_the_claim() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # pg_stat_activity is cached per transaction
        # the query text is cut at track_activity_query_size: match its start
        cursor.execute(WAITING, ['SELECT "subsidies_subsidyclaim"."id"%'])
        return [pid for (pid,) in cursor.fetchall()]


def test_a_verification_killed_with_its_worker_is_delivered_again_and_runs_once(workers):
    _h, claim = submitted_claim()  # the task waits in the queue: no worker yet
    with transaction.atomic():
        SubsidyClaim.objects.select_for_update().get(pk=claim.pk)
        first, _ = workers.start()
        (backend,) = wait_until(backends_waiting_on_the_claim, workers, "the first worker inside claim_verify")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        killed_at = time.monotonic()
    # the lock is released: the killed worker's backend finds its client gone and rolls back
    assert first.returncode == -signal.SIGKILL
    assert status_of(claim) == ClaimStatus.VERIFYING and not claim.findings.exists()

    second, _ = workers.start()
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
    workers.options["visibility_timeout"] = celery_app.conf.broker_transport_options["visibility_timeout"]
    assert workers.options["visibility_timeout"] == 7200
    _h, claim = submitted_claim()
    with transaction.atomic():
        SubsidyClaim.objects.select_for_update().get(pk=claim.pk)
        first, _ = workers.start()
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
