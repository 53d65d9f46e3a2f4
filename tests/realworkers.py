"""Real Celery workers, a private Redis server and helpers: every test that needs a real worker uses these.

Workers are solo processes on a queue of their own, with unacked bookkeeping keys of their own, against the test
database. By default they use the shared Redis (CELERY_BROKER_URL, a db of the test run's own); a test that stops
and restarts Redis starts a PrivateRedis on a free port instead, so the shared server is never touched.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection

from config import celery_app

ROOT = Path(__file__).resolve().parents[1]
BROKER = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
TIMEOUT = 60
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"

LAUNCHER = """
import json, sys
from config import celery_app as app
app.conf.broker_transport_options = {**app.conf.broker_transport_options, **json.loads(sys.argv[1])}
app.worker_main(sys.argv[2:])
"""


class Workers:
    """Solo workers on a queue of their own (the project's transport options, unacked keys of their own;
    `transport_options` adds to them, e.g. a short visibility timeout)."""

    def __init__(self, tmp_path: Path, broker: str = BROKER, transport_options: dict | None = None):
        self.tag = uuid.uuid4().hex[:12]
        self.queue = f"test-outage-{self.tag}"
        self.tmp_path = tmp_path
        self.broker = broker
        self.processes: list[tuple[subprocess.Popen, Path]] = []
        self.options = {
            "unacked_key": f"unacked-{self.tag}",
            "unacked_index_key": f"unacked_index-{self.tag}",
            "unacked_mutex_key": f"unacked_mutex-{self.tag}",
        }
        self.transport_options = {**self.options, **(transport_options or {})}

    def start(self) -> subprocess.Popen:
        n = len(self.processes) + 1
        log = self.tmp_path / f"worker{n}-{self.tag}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
            "CELERY_BROKER_URL": self.broker,
        }
        command = [
            sys.executable,
            "-c",
            LAUNCHER,
            json.dumps(self.transport_options),
            *("worker", "--pool=solo", "-c", "1", "-Q", self.queue, "-n", f"w{n}-{self.tag}@%h"),
            *("--without-heartbeat", "--without-mingle", "--without-gossip", "-l", "INFO"),
        ]
        with open(log, "wb") as out:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        self.processes.append((process, log))
        return process

    def logs(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')}" for _, log in self.processes)

    def stop(self) -> None:
        for process, _ in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()

    def redis_cleanup(self) -> None:
        import redis

        try:
            client = redis.Redis.from_url(self.broker, socket_connect_timeout=2)
            bindings = (f"_kombu.binding.{self.queue}", f"_kombu.binding_permanent.{self.queue}")
            client.delete(self.queue, *self.options.values(), *bindings)
            client.close()
        except redis.ConnectionError:
            pass  # a private Redis already stopped: nothing to clean


@contextmanager
def sending_to(pool: Workers):
    """This process sends tasks to the pool's queue instead of running them inline."""
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.task_default_queue)
    conf.task_always_eager, conf.task_default_queue = False, pool.queue
    try:
        yield pool
    finally:
        conf.task_always_eager, conf.task_default_queue = saved
        pool.stop()
        pool.redis_cleanup()


@contextmanager
def broker_at(url: str):
    """Make this process's Celery app publish to another broker. `broker_write_url` (the publishing side) is
    set rather than `broker_url`, which the CELERY_BROKER_URL environment variable overrides. The connection
    and producer pools, built lazily from it and then cached, are set aside and put back afterwards (the
    pools of the other broker are dropped: their connections go to a dead or private server)."""
    app, conf = celery_app, celery_app.conf
    saved = (conf.get("broker_write_url"), app._pool, app.amqp._producer_pool)
    conf["broker_write_url"], app._pool, app.amqp._producer_pool = url, None, None
    try:
        assert app.connection_for_write().port == urlsplit(url).port
        yield
    finally:
        pool = app._pool
        conf["broker_write_url"], app._pool, app.amqp._producer_pool = saved
        if pool is not None:
            pool.force_close_all()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nothing_listens(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) != 0


class PrivateRedis:
    """A redis-server of the test's own on a free port (no persistence, a tmp dir), which the test may stop and
    start again on the same port."""

    def __init__(self, tmp_path: Path):
        self.port = free_port()
        self.dir = tmp_path / f"redis-{self.port}"
        self.dir.mkdir()
        self.process: subprocess.Popen | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None, "already running"
        self.starts += 1
        log = open(self.dir / f"redis{self.starts}.log", "wb")  # noqa: SIM115 - handed to the process
        command = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        command += ["--dir", str(self.dir), "--daemonize", "no", "--protected-mode", "no"]
        self.process = subprocess.Popen(command, cwd=self.dir, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 20
        while not self.ping():
            assert self.process.poll() is None, f"redis-server exited:\n{self.log()}"
            assert time.monotonic() < deadline, f"redis-server did not answer on {self.port}:\n{self.log()}"
            time.sleep(0.05)

    def ping(self) -> bool:
        import redis

        try:
            client = redis.Redis(port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5)
            try:
                return bool(client.ping())
            finally:
                client.close()
        except redis.ConnectionError:
            return False

    def consumers(self) -> int:
        """Clients whose last command is BRPOP: workers connected and waiting for tasks."""
        import redis

        try:
            client = redis.Redis(port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5)
            try:
                return sum(1 for c in client.client_list() if c.get("cmd") == "brpop")
            finally:
                client.close()
        except redis.ConnectionError:
            return 0

    def shutdown(self) -> None:
        """SHUTDOWN NOSAVE, as an operator would: the server exits and forgets everything it held."""
        if self.process is None or self.process.poll() is not None:
            return
        subprocess.run(["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True, timeout=10)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.dir.glob("redis*.log")))


def wait_until(predicate, pool: Workers, what: str, timeout: float = TIMEOUT, worker_alive: bool = True):
    """Poll `predicate` until it is truthy. Fails early when the newest worker has exited, unless the test killed
    it on purpose (`worker_alive=False`)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        for process, _ in pool.processes[-1:] if worker_alive else []:
            assert process.poll() is None, f"the worker exited\n{pool.logs()}"
        time.sleep(0.2)
    with connection.cursor() as cursor:  # what the database was doing: a lock wait shows here
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT pid, state, wait_event_type, wait_event, left(query, 200) FROM pg_stat_activity"
            " WHERE datname = current_database()"
        )
        activity = cursor.fetchall()
    pytest.fail(f"{what}: not after {timeout} s\n{activity}\n{pool.logs()}")


WAITING = """
SELECT pid FROM pg_stat_activity
 WHERE datname = current_database() AND pid <> pg_backend_pid()
   AND wait_event_type = 'Lock' AND query ILIKE %s
"""


def backends_waiting_on(pattern: str) -> list[int]:
    """The other sessions of the test database blocked on a lock in a query matching `pattern` (ILIKE)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # pg_stat_activity is cached per transaction
        cursor.execute(WAITING, [pattern])
        return [pid for (pid,) in cursor.fetchall()]


def backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0] > 0
