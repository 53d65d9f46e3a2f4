"""The demo is counted from the day it is seeded (core.clock.today()), not from fixed dates: seeded as of another
day, its running class runs on that day and its claims were filed before it."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.test import TestCase

from core.clock import replaying as clock
from subsidies.models import ClaimStatus, PublicNotice, SubsidyClaim
from training.models import ClassStatus, TrainingClass

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def test_the_demo_is_counted_from_the_day_it_is_seeded():
    # A day in the past: trainees.services.certificates refuses a certificate dated after the real today.
    day = date(2026, 3, 10)
    with clock(day), TestCase.captureOnCommitCallbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    running = TrainingClass.objects.get(status=ClassStatus.IN_TRAINING, county__code="231202")
    assert running.start_date < day < running.end_date
    assert max(SubsidyClaim.objects.values_list("created_at", flat=True)).date() < day
    notice = PublicNotice.objects.get(claim__status=ClaimStatus.PUBLIC_NOTICE)
    assert notice.published_at.date() < day < notice.ends_on
