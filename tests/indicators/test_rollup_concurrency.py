"""Roll-up writers run one at a time: refreshes of two counties of the same city both read-modify-write the
city's and the province's cells, so they wait for each other (an advisory lock) and neither update is lost.
Real transactions on PostgreSQL, one connection per thread."""

import threading
import time
from datetime import date

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from indicators.services.rollups import ROLLUP_LOCK, progress_recompute_all, progress_refresh
from tests.indicators.factories import ledger, person, region, total
from trainees.models import SubsidyKind, TrainingRecord

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks and concurrent transactions"),
]

COUNTIES = ["231202", "231281"]  # 北林区 and 安达市, both of 绥化市


def dsn() -> str:
    db = settings.DATABASES["default"]
    return f"host={db['HOST']} port={db['PORT']} user={db['USER']} dbname={db['NAME']}"


def waiting_for_the_lock(conn) -> int:
    return conn.execute(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s AND NOT granted", [ROLLUP_LOCK]
    ).fetchone()[0]


def test_two_refreshes_of_one_city_wait_for_each_other_and_lose_nothing():
    for county in COUNTIES:
        ledger(person(county), county=county, end=date(2024, 3, 20), count=3)
    progress_recompute_all()
    for county in COUNTIES:
        ledger(person(county), county=county, end=date(2024, 5, 20), count=2)

    errors: list[BaseException] = []

    def refresh(county):
        try:
            progress_refresh(counties=[region(county).pk], months=[date(2024, 5, 1)])
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    with psycopg.connect(dsn(), autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", [ROLLUP_LOCK])
        threads = [threading.Thread(target=refresh, args=(county,)) for county in COUNTIES]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 20
        while waiting_for_the_lock(holder) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert waiting_for_the_lock(holder) == 2 and all(t.is_alive() for t in threads)
        holder.execute("SELECT pg_advisory_unlock(%s)", [ROLLUP_LOCK])
    for t in threads:
        t.join(timeout=30)

    assert not errors and not any(t.is_alive() for t in threads)
    subsidized = TrainingRecord.objects.filter(subsidy_kind=SubsidyKind.TRAINING)
    assert total("subsidized_training", "2312") == subsidized.filter(county__code__startswith="2312").count() == 10
    assert total("subsidized_training", "23") == 10
    for county in COUNTIES:
        assert total("subsidized_training", county) == 5
