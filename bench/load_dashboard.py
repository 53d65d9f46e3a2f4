"""Benchmark: dashboards, drill-downs and list pages under load — locust in a second process against gunicorn.

    python bench/load_dashboard.py --users 50 --duration 60 --reuse

Data: the roll-up benchmark's database (peixun_bench_rollup: 1.2M ledger lines, roll-up built); `--reuse` keeps it
if it exists, otherwise it is created with bench/rollup.py's loader and the roll-up is computed once. The demo
seeds of accounts, institutions, classes and claims (the ones `manage.py seed_demo` runs, minus the archive and
indicator demos that would add ledger lines) give the list pages their rows and the demo users their accounts.

Users: the demo province (23), city (绥化市 2312), county (北林区 231202) officials and the institution user. Each
signs in once through the real pages (sign-in form, then the TOTP form for the bureaus, with two-factor enforced)
via Django's test client; the session is then copied into one session per simulated user with exactly the keys
that sign-in set. Locust gets the session keys; nothing in the app's security settings is turned off.

Server: gunicorn with the production settings (DEBUG off, manifest static files, secure cookies, HSTS) on a free
localhost port. Locally there is no TLS proxy, so the load users send `X-Forwarded-Proto: https` as the proxy
would (SECURE_PROXY_SSL_HEADER); the keys the production settings require come from this checkout's var/ (the
ones the data was encrypted with), and CELERY_BROKER_URL points at the local Redis (no page read queues a task).

Figures from locust's CSV: requests, failures, p50/p95/p99 and requests/s overall and per page type; one JSON line
at the end. Any non-2xx response (redirects are not followed) is a failure.
"""

import argparse
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from importlib import import_module
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.import_history import fresh_database, server_url  # noqa: E402
from bench.rollup import load_history  # noqa: E402

DATABASE = "peixun_bench_rollup"  # the roll-up benchmark's
PLAN, YEAR = "hlj-2022-2025", 2025  # the plan and year with data in the synthetic 2019-2025 history
ROLES = {"province": "province", "city": "suihua", "county": "beilin", "institution": "institution"}
DEMO_SEEDS = ["accounts", "institutions", "training", "subsidies"]


def ensure_tools() -> None:
    """locust (and gunicorn) into this venv from bench/requirements.txt and requirements.txt when missing."""
    missing = [m for m in ("locust", "gunicorn") if subprocess.run([sys.executable, "-c", f"import {m}"]).returncode]
    if missing:
        print(f"installing {', '.join(missing)} into {sys.prefix}")
        for req in ("requirements.txt", "bench/requirements.txt"):
            subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-r", req], cwd=ROOT, check=True)


def database_exists(name: str) -> bool:
    with psycopg.connect(f"{server_url()}/postgres", autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def seed() -> None:
    """The demo data the list pages show (idempotent), and the roll-up if the database has none yet."""
    from django.db import transaction

    from indicators.models import Progress
    from indicators.services.plans import plans_load
    from indicators.services.rollups import progress_recompute_all

    class Lines(list):
        write = list.append

    out = Lines()
    for app in DEMO_SEEDS:
        with transaction.atomic():
            import_module(f"{app}.demo").seed(out)
    print("seed: " + "; ".join(line.strip() for line in out if line.strip()))
    if not Progress.objects.exists():
        plans_load()
        start = time.perf_counter()
        cells = progress_recompute_all()
        print(f"roll-up built: {cells:,} cells in {time.perf_counter() - start:.1f} s")


def sign_in(username: str, password: str) -> dict:
    """Sign in through the real pages; return the session's data (what the sign-in and OTP steps stored)."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import Client
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts import twofactor
    from accounts.models import User

    user = User.objects.get(username=username)
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, f"{username}: sign-in answered {response.status_code}"
    if twofactor.required_for(user):
        assert twofactor.enforced(), "two-factor must be enforced for the load users"
        # A fresh authenticator for the bench each run (a TOTP code is accepted once per device).
        TOTPDevice.objects.filter(user=user, name="bench-load").delete()
        device = TOTPDevice.objects.create(user=user, name="bench-load", confirmed=True)
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).update(confirmed=False)
        blocked = client.get("/dashboard/")
        assert blocked.status_code == 302 and "/accounts/2fa/" in blocked["Location"], "no two-factor step"
        token = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
        response = client.post("/accounts/2fa/verify/", {"token": f"{token:0{device.digits}d}"})
        assert response.status_code == 302, f"{username}: OTP step answered {response.status_code}"
    home = client.get("/")
    assert home.status_code == 200, f"{username}: home page answered {home.status_code} after sign-in"
    return dict(SessionStore(session_key=client.cookies["sessionid"].value).load())


def sessions_for(users: int) -> tuple[dict, dict]:
    """One session per simulated user and role, each a copy of the role's real sign-in; and the page targets."""
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.demo import DEMO_PASSWORD
    from accounts.models import User
    from institutions.models import Institution

    sessions = {}
    for role, username in ROLES.items():
        data = sign_in(username, DEMO_PASSWORD)
        keys = []
        for _ in range(users):
            store = SessionStore()
            store.update(data)
            store.create()
            keys.append(store.session_key)
        sessions[role] = keys
    own = User.objects.get(username=ROLES["institution"]).institution_id
    in_county = Institution.objects.filter(county__code="231202").exclude(pk=own).order_by("pk").first()
    spec = {
        "plan": PLAN,
        "year": YEAR,
        "sessions": sessions,
        "own_institution": own,
        "county_institution": in_county.pk,
    }
    return spec, sessions


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(url: str) -> dict:
    """Production settings, with the keys of this checkout's data and the local Redis."""
    var = ROOT / "var"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": url,
        "DJANGO_SECRET_KEY": (var / "dev-secret-key").read_text().strip(),
        "PII_ENCRYPTION_KEYS": (var / "dev-pii-key").read_text().strip(),
        "PII_BLIND_INDEX_KEY": (var / "dev-index-key").read_text().strip(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CELERY_BROKER_URL": os.environ.get("BENCH_CELERY_BROKER_URL", "redis://127.0.0.1:6379/15"),
        "LOG_LEVEL": "WARNING",
    }


def wait_ready(base: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(f"{base}/accounts/login/", headers={"X-Forwarded-Proto": "https"})
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("gunicorn did not answer in time")


def warm_up(base: str, spec: dict, workers: int) -> None:
    """Each page a few times per worker before the clock starts (imports, templates, connections), unmeasured."""
    plan = f"plan={spec['plan']}&year={spec['year']}"
    pages = {
        "province": [f"/dashboard/?{plan}", f"/api/dashboard/?region=23&{plan}", "/institutions/", "/claims/"],
        "city": [f"/dashboard/?{plan}", f"/dashboard/231202/?{plan}", f"/institutions/{spec['county_institution']}/"],
        "institution": [f"/institutions/{spec['own_institution']}/", "/classes/"],
    }
    for role, urls in pages.items():
        headers = {"Cookie": f"sessionid={spec['sessions'][role][0]}", "X-Forwarded-Proto": "https"}
        for url in urls * 2 * workers:
            with urllib.request.urlopen(urllib.request.Request(base + url, headers=headers), timeout=30) as response:
                assert response.status == 200, f"warm-up {url}: {response.status}"


def cpu_seconds(server_pid: int) -> dict:
    """CPU seconds used so far by the gunicorn workers, by the load generator (this process's finished children)
    and by the whole machine; on two cores they share it, so the figures say where the time went. PostgreSQL is
    in the rest: its backends come and go (connections are renewed after CONN_MAX_AGE), so they are not counted
    one by one."""
    import resource

    import psutil

    workers = 0.0
    for proc in psutil.Process(server_pid).children():
        try:
            t = proc.cpu_times()
            workers += t.user + t.system
        except psutil.Error:
            pass
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    machine = psutil.cpu_times()
    return {
        "gunicorn": workers,
        "locust": children.ru_utime + children.ru_stime,
        "machine": machine.user + machine.nice + machine.system + machine.irq + machine.softirq,  # no steal
    }


def read_stats(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def figures_of(row: dict) -> dict:
    def ms(key):
        value = row[key]
        return None if value in ("", "N/A") else round(float(value), 1)

    return {
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "p50_ms": ms("50%"),
        "p95_ms": ms("95%"),
        "p99_ms": ms("99%"),
        "rps": round(float(row["Requests/s"]), 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--wait", default="1,3", help="think time between a user's requests, min,max seconds")
    parser.add_argument("--rows", type=int, default=1_200_000, help="ledger lines when the database is created")
    parser.add_argument("--reuse", action="store_true", help="use the roll-up benchmark's database if it exists")
    args = parser.parse_args()
    ensure_tools()

    reuse = args.reuse and database_exists(DATABASE)
    url = f"{server_url()}/{DATABASE}" if reuse else fresh_database(DATABASE)
    # Like bench/rollup.py: base settings, tasks inline; and two-factor on, as it always is in production.
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    env.pop("CELERY_BROKER_URL", None)
    env["TWO_FACTOR_REQUIRED"] = "true"
    if reuse:  # the code may have gained migrations since the database was built
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    else:
        load_history(env, args.rows)
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.sessions.models import Session

    seed()
    spec, sessions = sessions_for(args.users)

    server_env_ = server_env(url)
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    if not manifest.exists():  # the production static storage needs the manifest `collectstatic` writes
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=server_env_, check=True
        )

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        spec_path = tmp / "sessions.json"
        spec_path.write_text(json.dumps(spec), encoding="utf-8")
        error_log = tmp / "gunicorn.log"
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                f"--bind=127.0.0.1:{port}",
                f"--workers={args.workers}",
                "--graceful-timeout=20",
                f"--error-logfile={error_log}",
            ],
            cwd=ROOT,
            env=server_env_,
        )
        try:
            wait_ready(base, server)
            warm_up(base, spec, args.workers)
            print(f"gunicorn: {args.workers} workers on {base}, production settings; locust: {args.users} users")
            locust_env = {
                **os.environ,
                "LOAD_DASHBOARD_SESSIONS": str(spec_path),
                "LOAD_DASHBOARD_WAIT": args.wait,
            }
            csv_prefix = tmp / "load"
            print(f"load average before the run: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            cpu_before, wall = cpu_seconds(server.pid), time.monotonic()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "locust",
                    "-f",
                    str(ROOT / "bench" / "locustfile.py"),
                    "--headless",
                    "-u",
                    str(args.users),
                    "-r",
                    str(args.spawn_rate),
                    "-t",
                    f"{args.duration}s",
                    "--host",
                    base,
                    "--csv",
                    str(csv_prefix),
                    "--only-summary",
                    "--loglevel=WARNING",
                ],
                cwd=ROOT,
                env=locust_env,
                check=False,  # locust exits 1 when any request failed; the figures say so
            )
            cpu = {k: v - cpu_before[k] for k, v in cpu_seconds(server.pid).items()}
            cpu["rest"] = cpu.pop("machine") - cpu["gunicorn"] - cpu["locust"]  # PostgreSQL, the OS, anything else
            wall = time.monotonic() - wall
            stats = read_stats(Path(f"{csv_prefix}_stats.csv"))
            failures = read_stats(Path(f"{csv_prefix}_failures.csv"))
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                code = server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                code = server.wait()
            print(f"gunicorn stopped (exit {code})")
            log = error_log.read_text(encoding="utf-8", errors="replace") if error_log.exists() else ""
            problems = [line for line in log.splitlines() if "Traceback" in line or "ERROR" in line]
            if problems:
                print(f"gunicorn log: {len(problems)} error lines, first: {problems[0]}")
            Session.objects.filter(session_key__in=[k for keys in sessions.values() for k in keys]).delete()

    pages = [r for r in stats if r["Name"] != "Aggregated"]
    total = next(r for r in stats if r["Name"] == "Aggregated")
    print(f"\n{'page':<28} {'requests':>8} {'fail':>5} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'req/s':>6}")
    for row in [*sorted(pages, key=lambda r: r["Name"]), total]:
        f = figures_of(row)
        print(
            f"{row['Name']:<28} {f['requests']:>8} {f['failures']:>5} {f['p50_ms']!s:>7} {f['p95_ms']!s:>7}"
            f" {f['p99_ms']!s:>7} {f['rps']:>6}"
        )
    for row in failures:
        print(f"failure: {row['Name']}: {row['Error']} × {row['Occurrences']}")
    share = ", ".join(f"{k} {v:.0f} s ({v / wall:.2f} cores)" for k, v in cpu.items())
    print(f"CPU during the {wall:.0f} s run: {share}; machine: {os.cpu_count()} cores")
    overall = figures_of(total)
    result = {
        "bench": "load_dashboard",
        "users": args.users,
        "duration_s": args.duration,
        "gunicorn_workers": args.workers,
        **overall,
        "cpu_cores": {k: round(v / wall, 2) for k, v in cpu.items()},
        "pages": {row["Name"]: figures_of(row) for row in pages},
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
