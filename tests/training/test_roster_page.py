"""The roster part of the class page (issue 14): the file input says which formats and what size it takes
(aria-describedby), the job's progress is a polite live region, and the page shows the outcome of the latest
upload only — a refused upload or a new one never leaves the previous "花名册已导入 N 人" on the page."""

from datetime import timedelta
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile

from core import clock
from training.models import ClassStatus as S
from training.models import ImportJob

from ..trainees.factories import make_id
from . import pages_kit as kit
from .pages_kit import roster_rows, xlsx_file

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]
world = kit.world  # the fixture

FORMATS = {".xlsx", ".xls", ".ods", ".et", ".csv"}
ROSTERS = Path(__file__).resolve().parents[1] / "fixtures" / "rosters"


def page(client, c) -> BeautifulSoup:
    response = client.get(f"/classes/{c.pk}/")
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def upload(client, c, file, **kw):
    return client.post(f"/classes/{c.pk}/roster/", {"file": file}, **kw)


@pytest.fixture
def owner_page(client, world):
    """Class B in draft with its roster imported (a finished job), and its institution signed in."""
    c = world.b_class(S.DRAFT)
    client.force_login(world.inst_b)
    assert page(client, c).select_one('[data-testid="job-done"]')
    return c


def test_the_file_input_is_described_by_the_accepted_formats_and_the_size_limit(client, owner_page):
    soup = page(client, owner_page)
    field = soup.select_one("#id_roster_file")
    assert set(field["accept"].split(",")) == FORMATS
    hint = soup.find(id=field["aria-describedby"]).get_text()
    assert all(suffix in hint for suffix in FORMATS) and "5 MB" in hint and "GBK" in hint


def test_the_job_progress_sits_in_a_polite_live_region(client, owner_page):
    soup = page(client, owner_page)
    job = soup.select_one('[data-testid="roster-job"]')
    assert job.find_parent(attrs={"aria-live": "polite"}) is not None


def test_before_any_upload_the_live_region_is_already_on_the_page(client, owner_page):
    owner_page.import_jobs.all().delete()
    area = page(client, owner_page).select_one('[data-testid="roster-job-area"]')
    assert area["aria-live"] == "polite" and not area.select('[data-testid="roster-job"]')


def test_an_upload_refused_outright_does_not_leave_the_previous_success_on_the_page(client, owner_page):
    refused = upload(client, owner_page, SimpleUploadedFile("花名册.pdf", b"%PDF-1.4\n"), follow=True)
    soup = BeautifulSoup(refused.content, "html.parser")
    assert "只支持" in soup.select_one('[role="alert"]').get_text()
    assert not soup.select('[data-testid="roster-job"]')
    assert ImportJob.objects.filter(training_class=owner_page).count() == 1  # no job was started


def test_a_roster_refused_row_by_row_shows_its_errors_and_not_the_previous_success(
    client, owner_page, django_capture_on_commit_callbacks
):
    bad = make_id(seq=5)[:-1] + ("0" if make_id(seq=5)[-1] != "0" else "1")
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, owner_page, xlsx_file(roster_rows([("吴建华", bad)])))
    soup = page(client, owner_page)
    assert soup.select_one('[data-testid="roster-errors"]') and not soup.select('[data-testid="job-done"]')


def test_a_new_upload_shows_its_own_progress_even_if_the_clock_ran_back_since_the_last(client, owner_page):
    """created_at follows the clock (which the demo's replays and the tests move); the latest job is the last."""
    ImportJob.objects.filter(training_class=owner_page).update(created_at=clock.now() + timedelta(days=1))
    upload(client, owner_page, xlsx_file(roster_rows(kit.PEOPLE_B)))  # left pending: its task runs on commit
    job = page(client, owner_page).select_one('[data-testid="roster-job"]')
    assert "排队中" in job.get_text() and not job.select('[data-testid="job-done"]')


def test_the_refusal_is_forgotten_once_shown_and_the_latest_job_returns(client, owner_page):
    upload(client, owner_page, SimpleUploadedFile("花名册.pdf", b"%PDF-1.4\n"))
    assert not page(client, owner_page).select('[data-testid="roster-job"]')
    assert page(client, owner_page).select('[data-testid="job-done"]')


@pytest.mark.parametrize("name", ["roster_gbk.csv", "roster_gb18030.csv", "roster_utf8_bom.csv"])
def test_a_csv_roster_is_imported_through_the_page(client, owner_page, django_capture_on_commit_callbacks, name):
    file = SimpleUploadedFile(name, (ROSTERS / name).read_bytes(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, owner_page, file)
    done = page(client, owner_page).select_one('[data-testid="job-done"]')
    assert done and "花名册已导入 3 人" in done.get_text()
    assert sorted(owner_page.enrollments.values_list("trainee__name", flat=True)) == ["张娜", "李芳", "王伟"]
