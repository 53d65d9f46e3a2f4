"""Benchmark: import_history end to end against raw PostgreSQL COPY of the same CSV, in one run.

    python bench/import_history.py --rows 1000000

Creates a scratch database (peixun_bench on the server of DATABASE_URL, default the local one), migrates
it, generates the synthetic CSV, then measures
  1. COPY of the CSV into a plain table of text columns (the anchor), and
  2. manage.py import_history of the same file: parse, validate, blind-index, encrypt, dedupe, load.
Prints the figures and ends with one JSON line.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def server_url() -> str:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/peixun")
    return url.rsplit("/", 1)[0]


def fresh_database(name: str) -> str:
    with psycopg.connect(f"{server_url()}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server_url()}/{name}"


def copy_anchor(url: str, csv_path: Path) -> float:
    """Seconds for COPY ... FROM STDIN (CSV, header) into a text table of the file's columns."""
    from trainees.history_rows import COLUMNS

    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE copy_anchor (" + ", ".join(f"c{i} text" for i in range(len(COLUMNS))) + ")")
        start = time.perf_counter()
        with cur.copy("COPY copy_anchor FROM STDIN (FORMAT csv, HEADER true)") as copy, csv_path.open("rb") as f:
            while block := f.read(1 << 20):
                copy.write(block)
        conn.commit()
        return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    url = fresh_database("peixun_bench")
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    env.pop("CELERY_BROKER_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)

    from trainees.synthetic import write_csv

    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "history.csv"
        start = time.perf_counter()
        write_csv(csv_path, rows=args.rows, seed=args.seed)
        size_mb = csv_path.stat().st_size / 1e6
        print(f"generated {args.rows:,} rows ({size_mb:.0f} MB) in {time.perf_counter() - start:.1f} s")

        copy_s = copy_anchor(url, csv_path)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "manage.py", "import_history", str(csv_path), "--quiet", "--workers", str(args.workers)],
            cwd=ROOT,
            env=env,
            check=True,
        )
        import_s = time.perf_counter() - start
        rerun_start = time.perf_counter()
        subprocess.run(
            [sys.executable, "manage.py", "import_history", str(csv_path), "--quiet"], cwd=ROOT, env=env, check=True
        )
        rerun_s = time.perf_counter() - rerun_start

    # Peak resident memory of the import processes (the largest child: main process or a worker).
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    figures = {
        "bench": "import_history",
        "rows": args.rows,
        "copy_rows_per_s": round(args.rows / copy_s),
        "import_rows_per_s": round(args.rows / import_s),
        "ratio": round(copy_s / import_s, 3),
        "import_seconds": round(import_s, 1),
        "rerun_seconds": round(rerun_s, 1),
        "peak_memory_mb": round(peak_mb),
    }
    print(f"COPY anchor:    {figures['copy_rows_per_s']:>10,} rows/s ({copy_s:.1f} s)")
    print(f"import_history: {figures['import_rows_per_s']:>10,} rows/s ({import_s:.1f} s), ratio {figures['ratio']}")
    print(f"re-run (no changes): {rerun_s:.1f} s; peak memory {peak_mb:.0f} MB")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
