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
    from accounts.models import User
    from catalog.models import Occupation, Region, SkillLevel, TrainingType
    from indicators.models import Plan, Progress
    from indicators.selectors import dashboard
    from indicators.services.plans import plans_load
    from indicators.services.rollups import progress_recompute_all, progress_refresh
    from trainees.models import Trainee, TrainingRecord
    from trainees.services.records import training_records_append_bulk

    plans_load()
    full = []
    for _ in range(3):
        start = time.perf_counter()
        cells = progress_recompute_all()
        full.append(time.perf_counter() - start)
    full_s = statistics.median(full)

    county = Region.objects.get(code="231202")
    people = list(Trainee.objects.filter(registered_region=county).values_list("pk", flat=True)[:500])
    if not TrainingRecord.objects.filter(source_ref__startswith="bench-claim-line-").exists():
        training_records_append_bulk(
            records=[
                {"trainee_id": pk, "amount": Decimal(1000), "source_ref": f"bench-claim-line-{pk}"} for pk in people
            ],
            occupation=Occupation.objects.get(code="4-99-00-01"),
            skill_level=SkillLevel.objects.get(code="level1"),
            training_type=TrainingType.objects.get(code="skill_upgrade"),
            start_date=date(2025, 3, 1),
            end_date=date(2025, 3, 20),
            county=county,
        )
    incremental = []
    for _ in range(10):
        start = time.perf_counter()
        progress_refresh(counties=[county.pk], months=[date.today()])
        incremental.append(time.perf_counter() - start)

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
        "ledger_rows": args.rows + len(people),
        "progress_cells": cells,
        "full_recompute_s": round(full_s, 2),
        "incremental_500_lines_ms": round(statistics.median(incremental) * 1000, 1),
        "dashboard_p50_ms": round(statistics.median(times) * 1000, 1),
        "dashboard_p95_ms": round(times[int(len(times) * 0.95) - 1] * 1000, 1),
        "progress_rows": Progress.objects.count(),
    }
    print(f"full recompute: median of 3 {full_s:.2f} s ({cells:,} cells), runs {[round(x, 2) for x in full]}")
    print(f"incremental refresh after a 500-line claim: p50 {figures['incremental_500_lines_ms']} ms")
    print(f"province dashboard data: p50 {figures['dashboard_p50_ms']} ms, p95 {figures['dashboard_p95_ms']} ms")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
