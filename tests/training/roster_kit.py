"""What the roster-import tests share: the world, a class, running a job, checking a sheet."""

from datetime import date, timedelta

import pytest

from catalog.models import Occupation
from trainees.models import Trainee
from trainees.services.people import trainee_register
from training.models import Enrollment, ImportJob
from training.services.roster import COLUMNS, roster_check, roster_job_create

from ..trainees.factories import add_record, make_id, registrar
from .factories import (
    World,
    make_class,
    person,
    sheet_of,
    today,
    upload,
)


@pytest.fixture
def w():
    return World()


@pytest.fixture
def c(w):
    return make_class(w.program, w.owner)


@pytest.fixture
def run_job(w, c, django_capture_on_commit_callbacks):
    """Upload through roster_job_create; the (eager) task runs when the transaction commits."""

    def run(data: bytes, name: str = "花名册.xlsx") -> ImportJob:
        with django_capture_on_commit_callbacks(execute=True):
            job = roster_job_create(actor=w.owner, training_class=c, uploaded_file=upload(data, name))
        job.refresh_from_db()
        return job

    return run


def check(c, data_rows, headers=COLUMNS):
    return roster_check(training_class=c, sheet=sheet_of(data_rows, headers))


def where(errors) -> list[tuple]:
    return [(e["row"], e["column"]) for e in errors]


def nothing_saved(c):
    return not Trainee.objects.exists() and not Enrollment.objects.filter(training_class=c).exists()


def register_person(n: int, **kw) -> Trainee:
    name, number = person(n)
    return trainee_register(
        actor=registrar(), id_number=number, name=kw.pop("name", name), county=registrar().region, **kw
    )


# --- row by row ----------------------------------------------------------------------------------------


def under_16() -> str:
    born = today() + timedelta(days=14)
    return make_id("231202", born.replace(year=born.year - 16) + timedelta(days=1), seq=5)


def trained_this_year(trainee, n, year):
    """A subsidized training in `year`, in an occupation other than the class's (one per occupation and level)."""
    other = Occupation.objects.order_by("code")[n + 1]
    add_record(
        trainee, ref=f"{trainee.pk}-{n}", occupation=other, start_date=date(year, 1, 1), end_date=date(year, 1, 10)
    )
