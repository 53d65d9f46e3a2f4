"""Rate limits hold across web processes and their restarts (issue 12, item 8): with Redis, Django's cache is
Redis, so DRF's throttles (and the objection form's limit) count in one place. gunicorn runs three workers that
restart every two requests, so counts kept in a process's memory would be lost again and again."""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest
from django.db import connection

from tests.realworkers import free_port

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
LIMIT = 5


def _gunicorn(port: int, cache_url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{connection.settings_dict['USER']}@127.0.0.1:5432/{connection.settings_dict['NAME']}",
        "CACHE_URL": cache_url,
        "CACHE_KEY_PREFIX": f"throttle-test-{uuid.uuid4().hex[:8]}",
        "API_THROTTLE_ANON": f"{LIMIT}/min",
    }
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "3"]
    command += ["--max-requests", "2", "--log-level", "warning"]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _answers(cache_url: str, requests: int) -> list[int]:
    port = free_port()
    server = _gunicorn(port, cache_url)
    url = f"http://127.0.0.1:{port}/api/public/notices/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                first = _status(url)
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not answer"
                time.sleep(0.2)
        return [first] + [_status(url) for _ in range(requests - 1)]
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_anonymous_api_limit_holds_across_processes_and_restarts(private_redis):
    answers = _answers(private_redis.url, 3 * LIMIT)
    assert answers.count(200) == LIMIT, answers
    assert answers[LIMIT:] == [429] * (2 * LIMIT), answers


def test_counts_kept_in_process_memory_would_not_hold(private_redis):
    """The control: the same servers with a per-process cache let more requests through than the limit."""
    answers = _answers("locmem://", 3 * LIMIT)
    assert answers.count(200) > LIMIT, answers
