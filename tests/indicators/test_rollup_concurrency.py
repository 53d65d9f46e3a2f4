"""Roll-up writers run one at a time: refreshes of two counties of the same city both read-modify-write the
city's and the province's cells, so they wait for each other (an advisory lock) and neither update is lost. The
full recompute swaps the tables in one transaction: a dashboard reading meanwhile sees the whole old roll-up,
without waiting, never an empty one. Real transactions on PostgreSQL, one connection per thread."""

import threading
import time
from datetime import date

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from indicators.services import rollups
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


# --- the full recompute beside readers ------------------------------------------------------------------------

PROGRESS = "SELECT definition, unit, parent, institution, month, value FROM indicators_progress"
BREAKDOWN = "SELECT definition, unit, year, dimension, key, value FROM indicators_breakdown"


def rows(conn, sql) -> set[tuple]:
    return set(conn.execute(sql).fetchall())


def county_totals(cells: set[tuple]) -> dict[str, int]:
    """{county: its cells' sum} of the counties' own cells (institution blank) of a PROGRESS read."""
    totals = {}
    for definition, unit, _parent, institution, _month, value in cells:
        if definition == "subsidized_training" and len(unit) == 6 and not institution:
            totals[unit] = totals.get(unit, 0) + value
    return totals


def test_readers_see_the_whole_old_roll_up_while_the_recompute_writes_the_new_one(monkeypatch):
    ledger(person("231202"), county="231202", end=date(2024, 3, 20), count=3)
    progress_recompute_all()
    ledger(person("231202"), county="231202", end=date(2024, 5, 20), count=1)  # changes 北林区's cells
    ledger(person("231281"), county="231281", end=date(2024, 5, 20), count=2)  # 安达市's are new

    written, go_on, errors = threading.Event(), threading.Event(), []
    analyze = rollups._analyze

    def hold_before_commit(*models):  # the recompute's last step: every row of the new roll-up is written
        analyze(*models)
        written.set()
        go_on.wait(30)

    monkeypatch.setattr(rollups, "_analyze", hold_before_commit)

    def recompute():
        try:
            progress_recompute_all()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    with (
        psycopg.connect(dsn(), autocommit=True) as reader,  # READ COMMITTED, a snapshot per statement
        psycopg.connect(dsn()) as long_reader,  # REPEATABLE READ, its snapshot taken before the recompute
    ):
        reader.execute("SET statement_timeout = '5s'")  # a reader made to wait for the commit fails here
        long_reader.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        old_progress, old_breakdown = rows(long_reader, PROGRESS), rows(long_reader, BREAKDOWN)
        assert county_totals(old_progress) == {"231202": 3} and old_breakdown
        writer = threading.Thread(target=recompute)
        writer.start()
        try:
            assert written.wait(30), errors
            assert rows(reader, PROGRESS) == old_progress
            assert rows(reader, BREAKDOWN) == old_breakdown
        finally:
            go_on.set()
            writer.join(30)
        assert not errors and not writer.is_alive()

        new_progress = rows(reader, PROGRESS)
        assert county_totals(new_progress) == {"231202": 4, "231281": 2}
        assert rows(long_reader, PROGRESS) == old_progress  # its snapshot still shows the old roll-up whole
        assert rows(long_reader, BREAKDOWN) == old_breakdown
