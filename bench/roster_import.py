"""Benchmark: the whole roster import (validation pass + all-or-nothing commit) against openpyxl read-only
parsing of the same 10,000-row .xlsx, on PostgreSQL with a large history already in the archive.

    python bench/roster_import.py --history 1000000

Creates a scratch database (peixun_bench_roster), loads `--history` synthetic historical trainings with
import_history, builds a class, then measures in one run:
  1. openpyxl read-only parse of the roster (every cell value), the anchor;
  2. roster_check + roster_commit of the same file (half the people already in the archive);
  3. a 500-row roster end to end (goal: under 1 s);
  4. the number of SQL queries for 50 and for 500 rows (goal: the same).
Ends with one JSON line.
"""

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from datetime import time as clock_time
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.import_history import fresh_database  # noqa: E402


def roster_xlsx(rows: list[list]) -> bytes:
    from training.services.roster import COLUMNS

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("花名册")
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


HISTORY_IDS: set[str] = set()  # people in the archive: "new" people must not collide with them


def people(count: int, seed: int, known: list[tuple[str, str]]) -> list[list]:
    """Half people already in the archive (as the history has them), half new."""
    from trainees.synthetic import generate

    rows = [[name, number, "", "农民工", "北林区", "初中", "失业"] for number, name in known[: count // 2]]
    seen = {r[1] for r in rows} | HISTORY_IDS
    for row in generate(rows=count * 2, seed=seed, counties=["231202", "231221"]):
        if len(rows) == count:
            break
        if row[0] not in seen:
            seen.add(row[0])
            rows.append([row[1], row[0], f"139{len(rows):08d}", "登记失业人员", row[7], "高中/中专/技校", "失业"])
    return rows


def setup_class(size_hint: int):
    """A designated institution in 北林区 with a listed program, its user, and a draft class with a timetable."""
    from stdnum.cn import uscc

    from accounts.models import User
    from catalog.models import Occupation, Region, SkillLevel, TrainingType
    from core.clock import replaying as clock
    from institutions.services.institutions import institution_register, institution_transition
    from institutions.services.programs import program_list
    from training.services.classes import class_create, session_add

    beilin = Region.objects.get(code="231202")
    staff = User.objects.create(username=f"bench-county-{size_hint}", role="county", region=beilin)
    body = f"52231202MJ{size_hint:07d}"[:17]
    with clock(date(2024, 1, 5)):
        institution = institution_register(
            actor=staff,
            name=f"基准测试培训学校{size_hint}",
            credit_code=body + uscc.calc_check_digit(body),
            type="private",
            county=beilin,
            address="北林区",
            contact_person="王",
            contact_phone="0455-8123456",
        )
        institution_transition(
            actor=staff,
            institution=institution,
            to_status="designated",
            effective_date=date(2024, 1, 5),
            reason="基准测试",
        )
        program = program_list(
            actor=staff,
            institution=institution,
            occupation=Occupation.objects.get(code="4-10-01-05"),
            skill_level=SkillLevel.objects.get(code="level5"),
            training_type=TrainingType.objects.get(code="employment_skills"),
            mode="offline",
            theory_hours=6,
            practice_hours=6,
            fee=1000,
            listed_on=date(2024, 1, 5),
        )
    owner = User.objects.create(username=f"bench-institution-{size_hint}", role="institution", institution=institution)
    start = date.today() + timedelta(days=30)
    training_class = class_create(
        actor=owner,
        program=program,
        name="基准测试班",
        start_date=start,
        end_date=start + timedelta(days=1),
        planned_headcount=size_hint,
    )
    for day in (start, start + timedelta(days=1)):
        session_add(
            actor=owner,
            training_class=training_class,
            date=day,
            start_time=clock_time(8, 30),
            end_time=clock_time(16, 30),
            kind="theory",
            hours=6,
        )
    return owner, training_class


def import_roster(owner, training_class, data: bytes) -> tuple[float, int]:
    from core.importing import read_sheet
    from training.services.roster import roster_check, roster_commit

    start = time.perf_counter()
    sheet = read_sheet(data, "roster.xlsx", allow_csv=False)
    check = roster_check(training_class=training_class, sheet=sheet)
    if check.errors:
        raise SystemExit(f"unexpected roster errors: {check.errors[:3]}")
    created = roster_commit(actor=owner, training_class=training_class, check=check)
    return time.perf_counter() - start, created


def count_queries(owner, training_class, data: bytes) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        import_roster(owner, training_class, data)
    return len(queries)


def parse_only(data: bytes) -> float:
    start = time.perf_counter()
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    cells = sum(1 for row in book.active.iter_rows(values_only=True) for _ in row)
    assert cells
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()

    url = fresh_database("peixun_bench_roster")
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    env.pop("CELERY_BROKER_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    from trainees.synthetic import write_csv

    with tempfile.TemporaryDirectory() as tmp:
        history = write_csv(Path(tmp) / "history.csv", rows=args.history, seed=11)
        subprocess.run(
            [sys.executable, "manage.py", "import_history", str(history), "--quiet"], cwd=ROOT, env=env, check=True
        )
        known: dict[str, str] = {}
        with history.open(encoding="utf-8") as f:
            next(f)
            for line in f:
                number, name = line.split(",", 2)[:2]
                HISTORY_IDS.add(number)
                if number.startswith("2312") and len(known) < args.rows:
                    known.setdefault(number, name)
        known = list(known.items())

    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection

    big = roster_xlsx(people(args.rows, seed=5, known=known))
    parse_s = parse_only(big)
    owner, training_class = setup_class(args.rows)
    import_s, created = import_roster(owner, training_class, big)

    small_owner, small_class = setup_class(500)
    small_s, _ = import_roster(
        small_owner, small_class, roster_xlsx(people(500, seed=6, known=known[args.rows // 2 :]))
    )
    q50 = count_queries(*setup_class(50), roster_xlsx(people(50, seed=7, known=[])))
    q500 = count_queries(*setup_class(501), roster_xlsx(people(500, seed=8, known=[])))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM trainees_trainingrecord")
        history_rows = cursor.fetchone()[0]

    figures = {
        "bench": "roster_import",
        "history_rows": history_rows,
        "roster_rows": created,
        "parse_rows_per_s": round(args.rows / parse_s),
        "import_rows_per_s": round(args.rows / import_s),
        "ratio": round(parse_s / import_s, 3),
        "rows_500_seconds": round(small_s, 3),
        "queries_50_rows": q50,
        "queries_500_rows": q500,
    }
    print(f"archive: {history_rows:,} historical trainings")
    print(f"openpyxl read-only parse: {figures['parse_rows_per_s']:>8,} rows/s ({parse_s:.2f} s)")
    print(
        f"roster import (check + commit): {figures['import_rows_per_s']:>8,} rows/s ({import_s:.2f} s), "
        f"ratio {figures['ratio']}"
    )
    print(f"500-row roster: {small_s:.3f} s; queries: {q50} for 50 rows, {q500} for 500 rows")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
