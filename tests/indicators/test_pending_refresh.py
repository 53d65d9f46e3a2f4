"""Nothing waits for the nightly recompute when a refresh task is lost: the service that changes a counted fact
writes a PendingRefresh row in its own transaction; the refresh removes it, and the sweeper refreshes what a
lost task (broker down at commit, worker gone) left behind."""

from datetime import date, timedelta

import pytest

from catalog.models import Occupation, SkillLevel
from core.models import PendingRefresh
from indicators.services.rollups import progress_recompute_all, progress_refresh_pending
from tests.indicators.factories import person, total
from tests.trainees.factories import registrar
from trainees.models import Certificate, CertificateType
from trainees.services.certificates import certificate_add

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def record_certificate(someone, number: str) -> None:
    certificate_add(
        actor=registrar("231202"),
        trainee=someone,
        type=CertificateType.SKILL_LEVEL,
        number=number,
        occupation=Occupation.objects.order_by("code").first(),
        skill_level=SkillLevel.objects.get(code="level3"),
        issuing_body="绥化市职业技能鉴定中心",
        issue_date=date(2025, 3, 25),
    )


def test_a_change_whose_refresh_task_was_lost_is_counted_by_the_sweeper(django_capture_on_commit_callbacks):
    someone = person("231202")
    progress_recompute_all()
    with django_capture_on_commit_callbacks(execute=False) as lost:  # the refresh task never runs
        record_certificate(someone, "S-001")

    assert lost and PendingRefresh.objects.filter(county__code="231202", month=date(2025, 3, 1)).exists()
    assert total("new_certificates", "231202") == 0
    assert progress_refresh_pending(older_than=timedelta(minutes=2)) == 0  # young: its task may still come

    assert progress_refresh_pending(older_than=timedelta(0)) == 1
    assert total("new_certificates", "231202") == total("new_certificates", "23") == Certificate.objects.count() == 1
    assert not PendingRefresh.objects.exists()
    assert progress_refresh_pending(older_than=timedelta(0)) == 0


def test_the_refresh_task_removes_the_pending_row_it_counts(django_capture_on_commit_callbacks):
    someone = person("231202")
    with django_capture_on_commit_callbacks(execute=True):
        record_certificate(someone, "S-002")

    assert not PendingRefresh.objects.exists()
    assert total("new_certificates", "231202") == 1
