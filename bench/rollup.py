"""Benchmark: the progress roll-up and the province dashboard over 1,200,000 approved lines.

    python bench/rollup.py --rows 1200000 --runs 50

Creates a scratch database (peixun_bench_rollup), loads the synthetic history (1.2M subsidized trainings over
2019-2025) with import_history, then measures: the full nightly recompute; the incremental refresh after a
500-line claim is approved (500 ledger rows appended for one county); the province dashboard's data
(indicators.selectors.dashboard for 黑龙江, the 2022–2025 plan) p50/p95 over `--runs` requests. Ends with one
JSON line. (The multi-user load test with locust against gunicorn is not part of this run.)
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.import_history import fresh_database, server_url  # noqa: E402


def load_history(env: dict, rows: int) -> None:
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    from trainees.synthetic import write_csv

    with tempfile.TemporaryDirectory() as tmp:
        history = write_csv(Path(tmp) / "history.csv", rows=rows, seed=17)
        subprocess.run(
            [sys.executable, "manage.py", "import_history", str(history), "--quiet"], cwd=ROOT, env=env, check=True
        )
    # As autovacuum would have left a database of years of records: hint bits set, statistics current.
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_200_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--reuse", action="store_true", help="keep the database of the last run (no reload)")
    args = parser.parse_args()

    name = "peixun_bench_rollup"
    url = f"{server_url()}/{name}" if args.reuse else fresh_database(name)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    env.pop("CELERY_BROKER_URL", None)
    if not args.reuse:
        load_history(env, args.rows)
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Sum

    from accounts.models import User
    from catalog.models import Occupation, Region, SkillLevel, TrainingType
    from indicators.models import Plan, Progress
    from indicators.selectors.dashboard import dashboard
    from indicators.services.plans import plans_load
    from indicators.services.rollups import progress_recompute_all, progress_refresh
    from trainees.models import Trainee, TrainingRecord
    from trainees.services.records import training_records_append_bulk

    plans_load()
    anchor = []  # one grouped scan of the ledger: what any recount must at least cost on this machine today
    with connection.cursor() as cursor:
        for _ in range(3):
            start = time.perf_counter()
            cursor.execute("SELECT county_id, count(*) FROM trainees_trainingrecord GROUP BY county_id")
            cursor.fetchall()
            anchor.append(time.perf_counter() - start)
    anchor_s = statistics.median(anchor)
    full = []
    for _ in range(3):
        start = time.perf_counter()
        cells = progress_recompute_all()
        full.append(time.perf_counter() - start)
    full_s = statistics.median(full)

    # Each run approves a new 500-line claim in another county of 绥化 (so a reused database does not pile every
    # run's claims into one county-year, which the refresh recounts whole), then times that county's refresh.
    counties = list(Region.objects.filter(parent__code="2312").order_by("code"))
    used = set(
        TrainingRecord.objects.filter(source_ref__startswith="bench-claim-").values_list("trainee_id", flat=True)
    )
    fresh = (pk for pk in Trainee.objects.order_by("pk").values_list("pk", flat=True).iterator() if pk not in used)
    incremental = []
    for run in range(10):
        county = counties[run % len(counties)]
        people = [next(fresh) for _ in range(500)]
        training_records_append_bulk(
            records=[
                {"trainee_id": pk, "amount": Decimal(1000), "source_ref": f"bench-claim-{pk}-{run}"} for pk in people
            ],
            occupation=Occupation.objects.order_by("code")[run],
            skill_level=SkillLevel.objects.get(code="level1"),
            training_type=TrainingType.objects.get(code="skill_upgrade"),
            start_date=date(2025, 3, 1),
            end_date=date(2025, 3, 20),
            county=county,
        )
        start = time.perf_counter()
        progress_refresh(counties=[county.pk], months=[date.today()])
        incremental.append(time.perf_counter() - start)
    direct = TrainingRecord.objects.filter(county=county, subsidy_kind="training").count()
    assert (
        Progress.objects.filter(definition="subsidized_training", unit=county.code, institution="").aggregate(
            n=Sum("value")
        )["n"]
        == direct
    ), "the incremental refresh disagrees with a direct count"

    province = Region.objects.get(code="23")
    official, _ = User.objects.get_or_create(
        username="bench-province", defaults={"role": "province", "region": province}
    )
    plan = Plan.objects.get(code="hlj-2022-2025")
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        dashboard(user=official, plan=plan, region=province, year=2025)
        times.append(time.perf_counter() - start)
    times.sort()
    figures = {
        "bench": "rollup",
        "ledger_rows": TrainingRecord.objects.count(),
        "progress_cells": cells,
        "full_recompute_s": round(full_s, 2),
        "ledger_scan_s": round(anchor_s, 3),
        "full_vs_scan": round(full_s / anchor_s, 1),
        "incremental_500_lines_ms": round(statistics.median(incremental) * 1000, 1),
        "dashboard_p50_ms": round(statistics.median(times) * 1000, 1),
        "dashboard_p95_ms": round(times[int(len(times) * 0.95) - 1] * 1000, 1),
        "progress_rows": Progress.objects.count(),
    }
    print(f"full recompute: median of 3 {full_s:.2f} s ({cells:,} cells), runs {[round(x, 2) for x in full]}")
    print(f"anchor, one grouped scan of the ledger: {anchor_s:.3f} s (full recompute = {full_s / anchor_s:.1f} scans)")
    print(f"incremental refresh after a 500-line claim: p50 {figures['incremental_500_lines_ms']} ms")
    print(f"province dashboard data: p50 {figures['dashboard_p50_ms']} ms, p95 {figures['dashboard_p95_ms']} ms")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
