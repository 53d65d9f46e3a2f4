"""A real worker SIGKILLed in the middle of a progress roll-up: the roll-up is done after a restart, with the result
an uninterrupted one gives, and nothing counted twice.

How the kill lands inside the roll-up: the test holds `LOCK TABLE indicators_progress IN ACCESS EXCLUSIVE MODE`;
the worker's incremental refresh (indicators.tasks.refresh_progress → progress_refresh, one transaction) counts
the facts and then waits on the lock to read the old cells, and is killed there. Its transaction never commits.

What brings the refresh back is the redelivery the project relies on: tasks are acknowledged late
(acks_late=True), so the message of the killed task stays in Redis's unacked set and any worker puts it back on
the queue once it is older than the visibility timeout. In production that timeout is 2 × the task time limit
(2 h); here the workers get 5 s, the only difference. If the message itself were lost (Redis restarted without
persistence, or the broker down when the refresh was announced), the nightly full recompute
(indicators.tasks.recompute_progress) rebuilds every cell from the facts, which are in PostgreSQL; the test runs
it on the worker too and finds the same tables.
"""

import signal
import time
from datetime import date

import pytest
import redis
from django.db import connection, transaction

from core.progress import progress_changed
from indicators.services.rollups import progress_recompute_all
from indicators.tasks import recompute_progress, refresh_progress
from tests.realworkers import Workers, backend_alive, backends_waiting_on, sending_to, wait_until
from trainees.models import Certificate, SubsidyKind, TrainingRecord

from ..indicators.factories import breakdown_table, progress_table, region, total
from ..indicators.test_rollups import append_for_anda, history  # noqa: F401 - the fixture, reused

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

VISIBILITY_TIMEOUT = 5
FAST_REDELIVERY = {
    "visibility_timeout": VISIBILITY_TIMEOUT,
    "unacked_restore_interval": 1,  # look for messages to put back every second (default 10 s × 10)
    "unacked_restore_throttle": 1,
}


def assert_totals_equal_a_direct_count() -> None:
    """As tests/indicators/test_rollups.py: county, city and province totals = an ORM count of the facts."""
    for prefix in ["231281", "231202", "2312", "2301", "23"]:
        ledger_rows = TrainingRecord.objects.filter(county__code__startswith=prefix)
        subsidized = ledger_rows.filter(subsidy_kind=SubsidyKind.TRAINING)
        assert total("subsidized_training", prefix) == subsidized.count(), prefix
        assert total("migrant_workers", prefix) == subsidized.filter(groups__code="migrant_worker").count()
        assert total("apprentices", prefix) == subsidized.filter(training_type__code="apprenticeship").count()
        completed = 3 if "231281".startswith(prefix) else 0
        assert total("all_training", prefix) == ledger_rows.filter(source="history").count() + completed, prefix
        certificates = Certificate.objects.filter(trainee__registered_region__code__startswith=prefix)
        assert total("new_certificates", prefix) == certificates.count(), prefix
        assert total("high_skilled_certificates", prefix) == certificates.filter(skill_level__rank__gte=4).count()


def settled(broker: redis.Redis, pool: Workers) -> bool:
    """Nothing queued and nothing in the worker's hands (unacknowledged), twice in a row: a message taken off the
    queue enters the unacked set a moment later."""
    for n in range(2):
        if broker.llen(pool.queue) or broker.hlen(pool.options["unacked_key"]):
            return False
        if not n:
            time.sleep(0.5)
    return True


def tables() -> tuple[dict, dict]:
    return progress_table(), breakdown_table()


def test_a_rollup_killed_with_its_worker_is_redelivered_and_counts_everything_once(history, tmp_path):  # noqa: F811
    months = append_for_anda(history)  # new facts for 安达市; the 2025 ones are not in the roll-up yet
    stale = tables()
    with transaction.atomic():  # what an uninterrupted roll-up gives, rolled back
        progress_recompute_all()
        expected = tables()
        transaction.set_rollback(True)
    assert tables() == stale != expected

    pool = Workers(tmp_path, transport_options=FAST_REDELIVERY)
    broker = redis.Redis.from_url(pool.broker)
    with sending_to(pool):
        with transaction.atomic():  # announced on commit, as the services do
            progress_changed(counties={region("231281").pk}, months=set(months))
        assert broker.llen(pool.queue) == 1

        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("LOCK TABLE indicators_progress IN ACCESS EXCLUSIVE MODE")
            first = pool.start()
            (backend,) = wait_until(
                lambda: backends_waiting_on("%indicators_progress%"), pool, "the first worker inside the roll-up"
            )
            assert broker.llen(pool.queue) == 0 and broker.hlen(pool.options["unacked_key"]) == 1
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        assert first.returncode == -signal.SIGKILL
        wait_until(
            lambda: not backend_alive(backend), pool, "the killed worker's session to end", 15, worker_alive=False
        )
        assert tables() == stale  # nothing of the killed roll-up was written
        assert broker.hlen(pool.options["unacked_key"]) == 1  # the message is kept, unacknowledged

        started = time.monotonic()
        pool.start()
        wait_until(lambda: tables() != stale, pool, "the redelivered roll-up")
        wait_until(lambda: broker.hlen(pool.options["unacked_key"]) == 0, pool, "the redelivered roll-up acked")
        redone_after = time.monotonic() - started
        incremental = tables()

        # The result of an uninterrupted roll-up, nothing counted twice: a full recompute, a direct count.
        assert incremental == expected
        assert_totals_equal_a_direct_count()

        # Running the roll-ups again on the worker (a duplicate delivery, the nightly recompute) changes nothing.
        refresh_progress.delay([region("231281").pk], [m.isoformat() for m in months])
        recompute_progress.delay()
        wait_until(lambda: settled(broker, pool), pool, "the repeated roll-ups done")
        assert tables() == expected
    broker.close()
    assert months == [date(2025, 3, 1), date(2024, 11, 1)]
    print(f"\nthe killed roll-up was redone {redone_after:.1f} s after the second worker started")
