"""A roster import handed to a real Celery worker (Redis broker, the test database, the shared MEDIA_ROOT)."""

import time

import pytest

from tests.realworkers import Workers, sending_to
from trainees.models import Trainee
from training.models import ImportJob
from training.services.roster import roster_job_create

from .factories import World, make_class, roster_xlsx, rows, upload

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

TIMEOUT = 60


@pytest.fixture
def worker(tmp_path, transactional_db):
    """A solo worker on a queue of its own (tests/realworkers.py); this process sends tasks there."""
    with sending_to(Workers(tmp_path)) as pool:
        process = pool.start()
        yield process, pool


def wait_for(job: ImportJob, process, pool: Workers) -> ImportJob:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.finished:
            return job
        assert process.poll() is None, f"the worker exited:\n{pool.logs()}"
        time.sleep(0.25)
    pytest.fail(f"job still {job.status} after {TIMEOUT} s; worker log:\n{pool.logs()}")


def test_a_300_row_roster_is_imported_by_a_real_worker(worker):
    process, pool = worker
    w = World()
    c = make_class(w.program, w.owner)
    job = roster_job_create(actor=w.owner, training_class=c, uploaded_file=upload(roster_xlsx(rows(300))))
    job = wait_for(job, process, pool)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert (job.percent, job.rows_total, job.rows_done, job.created_count) == (100, 300, 300, 300)
    assert job.errors == [] and job.finished_at is not None
    assert c.enrollments.count() == 300 and Trainee.objects.count() == 300
