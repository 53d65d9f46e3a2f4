"""公示 stays public after it ends (issue 14): the public list keeps running and recent notices, the archive lists
every ended one, and each notice's page and API record stay viewable with their hash and how to check it."""

from datetime import timedelta

import pytest
from django.urls import reverse

from core import clock
from subsidies.selectors import RECENT_NOTICE_DAYS

from .factories import completed_class, noticed_claim

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def test_an_ended_notice_leaves_the_list_but_stays_in_the_archive_and_viewable(client):
    _claim, notice = noticed_claim(completed_class())  # published in 2025: long over
    assert notice.ends_on < clock.today() - timedelta(days=RECENT_NOTICE_DAYS)
    page = reverse("public_notices:notice", args=[notice.pk])

    assert page not in client.get(reverse("public_notices:list")).content.decode()
    archive = client.get(reverse("public_notices:ended"))
    assert archive.status_code == 200 and page in archive.content.decode()

    shown = client.get(page)
    assert shown.status_code == 200
    html = shown.content.decode()
    assert notice.content_hash in html and 'data-testid="hash-howto"' in html and "内容完整" in html

    api = client.get(f"/api/public/notices/{notice.pk}/")
    assert api.status_code == 200 and api.json()["intact"] is True
    assert notice.pk not in [n["id"] for n in client.get("/api/public/notices/").json()["results"]]


def test_a_running_notice_is_on_the_list_and_not_in_the_archive(client):
    h = completed_class()
    _claim, notice = noticed_claim(h, on=clock.today() - timedelta(days=1))
    page = reverse("public_notices:notice", args=[notice.pk])
    assert page in client.get(reverse("public_notices:list")).content.decode()
    assert page not in client.get(reverse("public_notices:ended")).content.decode()
