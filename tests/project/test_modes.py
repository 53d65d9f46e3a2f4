"""The two modes: the embedded quick start works from nothing, and production settings pass check --deploy."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def clean_env(**extra):
    # Nothing from the test process's own configuration (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE).
    drop = {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    return {**env, **extra}


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_embedded_quick_start_migrates_seeds_and_serves_login_and_home(tmp_path):
    env = clean_env(DATA_DIR=str(tmp_path))
    for command in (["migrate", "--noinput"], ["seed_demo"]):
        result = manage(*command, env=env)
        assert result.returncode == 0, result.stderr
    assert (tmp_path / "db.sqlite3").exists()

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                login = opener.open(f"{base}/accounts/login/", timeout=5)
                break
            except OSError:
                time.sleep(0.2)
        assert login.status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.read().decode())[1]
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "beilin", "password": "Peixun@2026"})
        home = opener.open(
            urllib.request.Request(
                f"{base}/accounts/login/", data=form.encode(), headers={"Referer": f"{base}/accounts/login/"}
            ),
            timeout=10,
        )
        assert home.status == 200 and home.url == f"{base}/"
        assert "北林区人社局工作台" in home.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_production_settings_pass_check_deploy_without_warnings(tmp_path):
    env = clean_env(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="x" * 20 + "-production-only-secret-key-with-enough-entropy-9f8e7d6c",
        DJANGO_ALLOWED_HOSTS="peixun.example.gov.cn",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/peixun",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/15",
        DATA_DIR=str(tmp_path),
        PII_ENCRYPTION_KEYS="0Gx1U5Qm1lC2v6q3eYqY0aF0w0m5R9Jt8yqk8yK2hS4=",
        PII_BLIND_INDEX_KEY="production-index-key",
    )
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_with_postgresql_and_redis_debug_is_off_and_the_cache_is_shared(tmp_path):
    """DEBUG used to default to on outside the embedded mode: an error page showed the environment."""
    env = clean_env(
        DATA_DIR=str(tmp_path),
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/peixun",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/9",
    )
    code = "from django.conf import settings as s; print(s.DEBUG, s.CACHES['default']['BACKEND'])"
    result = manage("shell", "-v", "0", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "django_redis.cache.RedisCache"]
    embedded = manage("shell", "-v", "0", "-c", code, env=clean_env(DATA_DIR=str(tmp_path)))
    assert embedded.stdout.split() == ["False", "django.core.cache.backends.locmem.LocMemCache"]
    assert "DJANGO_DEBUG=${DJANGO_DEBUG:-1}" in (ROOT / "bin" / "run").read_text(), "the quick start asks for it"


def test_embedded_mode_runs_the_scheduled_jobs_in_beat(tmp_path):
    """bin/run starts `celery beat` in embedded mode: with eager tasks each due job runs inside beat, on the SQLite
    database. A lost refresh (a PendingRefresh row ten minutes old) is swept by the 5-minute job; the schedule is
    the project's own, only its interval shortened by a settings module in tmp_path."""
    env = clean_env(DATA_DIR=str(tmp_path))
    assert manage("migrate", "--noinput", env=env).returncode == 0
    (tmp_path / "fast_beat.py").write_text(
        "from config.settings.base import *  # noqa\n"
        "CELERY_BEAT_SCHEDULE = {k: {**v, 'schedule': 1.0} for k, v in CELERY_BEAT_SCHEDULE.items()\n"
        "                        if k == 'refresh-pending-progress'}\n"
    )
    env = {**env, "DJANGO_SETTINGS_MODULE": "fast_beat", "PYTHONPATH": f"{tmp_path}:{ROOT}"}
    insert = (
        "from datetime import timedelta; from core import clock; from core.models import PendingRefresh;"
        "from catalog.models import Region; r = PendingRefresh.objects.create(county=Region.objects.get(code='231202'),"
        " month=clock.today().replace(day=1)); PendingRefresh.objects.filter(pk=r.pk)"
        ".update(created_at=clock.now() - timedelta(minutes=10))"
    )
    count = "from core.models import PendingRefresh; print('pending', PendingRefresh.objects.count())"
    assert "pending 1" in manage("shell", "-c", f"{insert}\n{count}", env=env).stdout
    beat = subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "config", "beat", "-s", str(tmp_path / "schedule")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while "pending 0" not in manage("shell", "-c", count, env=env).stdout:
            assert time.monotonic() < deadline, "beat did not run the sweeper within a minute"
            time.sleep(1)
    finally:
        beat.terminate()
        beat.wait(timeout=10)
