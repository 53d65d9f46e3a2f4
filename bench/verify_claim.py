"""Benchmark: verification of a 500-line claim with every rule, against an archive of 1,000,000 trainings.

    python bench/verify_claim.py --history 1000000 --runs 20

Creates a scratch database (peixun_bench_verify), loads the synthetic history with import_history, plays a
500-person class to completion through the services (half the people already in the archive), creates its
claim, then measures claim_verify (all rules) and the ledger rules alone (duplicate occupation/level, lower
level, yearly limit: one set-based query plus the rule functions) over `--runs` runs, and counts the queries
for a 50-line and a 500-line claim. Ends with one JSON line.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.import_history import fresh_database  # noqa: E402
from bench.roster_import import HISTORY_IDS, people, roster_xlsx, setup_class  # noqa: E402


def completed_claim(size: int, known, seed: int):
    """A class of `size` people played to completion, and its draft claim."""
    from django.utils import timezone

    from accounts.models import User
    from core.clock import replaying as clock
    from core.importing import read_sheet
    from subsidies.services.claims import claim_create
    from training.models import EnrollmentResult
    from training.services import attendance, classes, results, roster

    owner, tc = setup_class(size + seed)
    check = roster.roster_check(training_class=tc, sheet=read_sheet(roster_xlsx(people(size, seed, known)), "r.xlsx"))
    roster.roster_commit(actor=owner, training_class=tc, check=check)
    classes.class_transition(actor=owner, training_class=tc, to_status="submitted")
    county = User.objects.get(username=f"bench-county-{size + seed}")
    classes.class_transition(actor=county, training_class=tc, to_status="approved")
    device, _ = attendance.device_issue(actor=owner, institution=tc.institution, name="bench")
    with clock(tc.start_date, clock_time(8, 0)):
        classes.class_transition(actor=owner, training_class=tc, to_status="in_training")
    enrollments = list(tc.enrollments.select_related("trainee"))
    for session in tc.sessions.all():
        moment = timezone.make_aware(datetime.combine(session.date, session.start_time)) - timedelta(minutes=5)
        batch = [
            attendance.CheckIn(
                f"{session.pk}-{e.pk}", e.trainee.id_number, session.pk, moment + timedelta(seconds=20 * n), "face"
            )
            for n, e in enumerate(enrollments)
        ]
        with clock(session.date, clock_time(18, 0)):
            attendance.checkins_record(device=device, checkins=batch)
    with clock(tc.end_date, clock_time(18, 0)):
        classes.class_transition(actor=owner, training_class=tc, to_status="completed")
        for e in enrollments:
            results.enrollment_record_result(actor=owner, enrollment=e, result=EnrollmentResult.PASSED)
        tc.refresh_from_db()
        return claim_create(actor=owner, training_class=tc)


def queue_for_verification(claim):
    from subsidies.models import ClaimStatus

    type(claim).objects.filter(pk=claim.pk).update(status=ClaimStatus.VERIFYING)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    url = fresh_database("peixun_bench_verify")
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    env.pop("CELERY_BROKER_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    from trainees.synthetic import write_csv

    known: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        history = write_csv(Path(tmp) / "history.csv", rows=args.history, seed=13)
        subprocess.run(
            [sys.executable, "manage.py", "import_history", str(history), "--quiet"], cwd=ROOT, env=env, check=True
        )
        with history.open(encoding="utf-8") as f:
            next(f)
            for line in f:
                number, name = line.split(",", 2)[:2]
                HISTORY_IDS.add(number)
                if number.startswith("2312") and len(known) < 300:
                    known.setdefault(number, name)
    known_people = list(known.items())

    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from catalog.models import Region, TrainingType
    from subsidies import rules
    from subsidies.models import SubsidyStandard
    from subsidies.rules.context import _ledger, load
    from subsidies.services.claims import claim_verify
    from subsidies.services.standards import setting_for

    beilin = Region.objects.get(code="231202")
    SubsidyStandard.objects.create(
        region=beilin,
        valid_from="2019-01-01",
        amount=1000,
        training_type=TrainingType.objects.get(code="employment_skills"),
    )
    claim = completed_claim(500, known_people, seed=41)
    small = completed_claim(50, known_people[250:], seed=43)

    times = []
    for _ in range(args.runs):
        queue_for_verification(claim)
        start = time.perf_counter()
        claim_verify(claim.pk)
        times.append(time.perf_counter() - start)
    ledger_rules = [
        r
        for r in rules.REGISTRY
        if r.code in {"DUPLICATE_OCCUPATION_LEVEL", "LOWER_LEVEL_AFTER_HIGHER", "YEARLY_LIMIT"}
    ]
    ctx = load(claim, setting_for(claim.county))
    trainee_ids = [line.trainee_id for line in ctx.lines]
    ledger_times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        ctx.ledger = _ledger(trainee_ids, exclude_ref_prefix=f"claim-{claim.pk}-")
        hits = [h for r in ledger_rules for h in r.run(ctx)]
        ledger_times.append(time.perf_counter() - start)
    counts = {}
    for name, c in (("50", small), ("500", claim)):
        queue_for_verification(c)
        with CaptureQueriesContext(connection) as queries:
            claim_verify(c.pk)
        counts[name] = len(queries)
    findings = claim.findings.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM trainees_trainingrecord")
        history_rows = cursor.fetchone()[0]

    figures = {
        "bench": "verify_claim",
        "history_rows": history_rows,
        "lines": claim.lines.count(),
        "verify_p50_ms": round(statistics.median(times) * 1000, 1),
        "verify_p95_ms": round(sorted(times)[int(len(times) * 0.95) - 1] * 1000, 1),
        "ledger_rules_p50_ms": round(statistics.median(ledger_times) * 1000, 1),
        "queries_50_lines": counts["50"],
        "queries_500_lines": counts["500"],
        "findings": findings,
        "ledger_hits": len(hits),
    }
    print(f"archive: {history_rows:,} trainings; claim of {figures['lines']} lines, {findings} findings")
    print(
        f"claim_verify (all {len(rules.REGISTRY)} rules): p50 {figures['verify_p50_ms']} ms, "
        f"p95 {figures['verify_p95_ms']} ms"
    )
    print(f"ledger rules alone: p50 {figures['ledger_rules_p50_ms']} ms ({len(hits)} hits)")
    print(f"queries: {counts['50']} for 50 lines, {counts['500']} for 500 lines")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
