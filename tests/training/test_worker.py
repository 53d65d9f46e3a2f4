"""A roster import handed to a real Celery worker (Redis broker, the test database, the shared MEDIA_ROOT)."""

import os
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from config import celery_app
from trainees.models import Trainee
from training.models import ImportJob
from training.services.roster import roster_job_create

from .factories import World, make_class, roster_xlsx, rows, upload

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
TIMEOUT = 60


@pytest.fixture
def worker(tmp_path):
    """A solo worker on a queue of its own; the test process stops running tasks inline and sends there."""
    queue = f"test-roster-{uuid.uuid4().hex[:12]}"
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
        "CELERY_BROKER_URL": BROKER,
    }
    command = [
        str(ROOT / ".venv" / "bin" / "celery"),
        *("-A", "config", "worker", "--pool=solo", "-c", "1", "-Q", queue),
        *("--without-heartbeat", "--without-mingle", "--without-gossip", "-l", "WARNING"),
    ]
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.task_default_queue)
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    conf.task_always_eager, conf.task_default_queue = False, queue
    try:
        yield process, log
    finally:
        conf.task_always_eager, conf.task_default_queue = saved
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(job: ImportJob, process, log: Path) -> ImportJob:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.finished:
            return job
        assert process.poll() is None, f"the worker exited:\n{log.read_text(errors='replace')}"
        time.sleep(0.25)
    pytest.fail(f"job still {job.status} after {TIMEOUT} s; worker log:\n{log.read_text(errors='replace')}")


def test_a_300_row_roster_is_imported_by_a_real_worker(worker):
    process, log = worker
    w = World()
    c = make_class(w.program, w.owner)
    job = roster_job_create(actor=w.owner, training_class=c, uploaded_file=upload(roster_xlsx(rows(300))))
    job = wait_for(job, process, log)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert (job.percent, job.rows_total, job.rows_done, job.created_count) == (100, 300, 300, 300)
    assert job.errors == [] and job.finished_at is not None
    assert c.enrollments.count() == 300 and Trainee.objects.count() == 300
