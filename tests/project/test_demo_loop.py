"""The embedded quick start runs the whole loop (issue 14: a new user found dead ends in the demo): every demo date
is counted from today and nothing happened in the future; every claim kind has a standard; spot checks can be drawn;
one finished class is ready for a new claim; and the claim in 公示 is approved by the daily job when its notice
ends, a few days from now."""

import io
from datetime import datetime, timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, models, transaction
from django.test import TestCase

from accounts.models import AuditEvent, User
from catalog.models import Region
from core import clock as core_clock
from core.clock import replaying as clock
from subsidies.models import ClaimKind, ClaimStatus, Inspector, PublicNotice, SubsidyClaim, SubsidyStandard
from subsidies.services import claims, spot_checks
from subsidies.services.standards import standard_for
from subsidies.tasks import close_due_notices
from training.models import ClassSession, ClassStatus, TrainingClass

pytestmark = [pytest.mark.django_db]

DEMO_COUNTIES = ["231202", "231281"]  # 北林区 (beilin), 安达市 (anda)
# Apps whose rows are the demo's history: anything dated there is an event or a record of one.
EVENT_APPS = ["accounts", "institutions", "trainees", "training", "subsidies"]
# Dates that are not events: validities, deadlines and plans (checked on their own below where they matter).
NOT_EVENTS = {
    ("institutions", "institution", "license_valid_until"),  # the licence's validity
    ("subsidies", "subsidystandard", "valid_to"),
    # A roster's categories are valid from the class's start (training.services.roster), planned for a future class.
    ("trainees", "traineecategoryassignment", "valid_from"),
    ("subsidies", "publicnotice", "ends_on"),  # the running notice ends in the next days (test below)
    ("training", "trainingclass", "start_date"),  # planned for classes not yet started (test below)
    ("training", "trainingclass", "end_date"),
    ("training", "classsession", "date"),  # planned sessions (test below)
}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo, seeded once for this module in an outer transaction rolled back at its end (as
    tests/security/conftest.py does); each test runs in a savepoint on top of it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                call_command("seed_demo", stdout=io.StringIO())
            connection.check_constraints()
            yield core_clock.today()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def demo(seeded, db):
    return seeded


def _dated_fields(model):
    return [f for f in model._meta.concrete_fields if isinstance(f, (models.DateField, models.DateTimeField))]


def test_no_demo_event_is_dated_after_today(demo):
    now = core_clock.now()
    late = []
    for label in EVENT_APPS:
        for model in apps.get_app_config(label).get_models():
            for f in _dated_fields(model):
                if (label, model._meta.model_name, f.name) in NOT_EVENTS:
                    continue
                bound = now if isinstance(f, models.DateTimeField) else demo
                count = model.objects.filter(**{f"{f.name}__gt": bound}).count()
                if count:
                    late.append(f"{label}.{model.__name__}.{f.name}: {count}")
    assert late == []
    assert AuditEvent.objects.count() > 100  # the check saw the demo's history


def test_only_classes_not_yet_started_and_planned_sessions_lie_ahead(demo):
    started = [ClassStatus.IN_TRAINING, ClassStatus.COMPLETED, ClassStatus.CLOSED]
    finished = TrainingClass.objects.filter(status__in=started[1:])
    assert finished.count() >= 4 and not finished.filter(end_date__gte=demo).exists()
    running = TrainingClass.objects.get(status=ClassStatus.IN_TRAINING, county__code="231202")
    assert running.start_date < demo < running.end_date
    assert not TrainingClass.objects.exclude(status__in=started).filter(start_date__lte=demo).exists()
    ahead = ClassSession.objects.filter(date__gte=demo)
    assert ahead.exists() and not ahead.filter(attendances__isnull=False).exists()  # planned, never attended
    done = ClassSession.objects.filter(training_class=running, date__lt=demo)
    assert done.exists() and not done.filter(attendances__isnull=True).exists()  # the past sessions have check-ins
    upcoming = TrainingClass.objects.exclude(status__in=started).order_by("start_date").first()
    assert upcoming.start_date <= demo + timedelta(weeks=8)  # the plans are of the coming weeks, not years ahead


def test_every_claim_kind_has_a_current_standard_for_the_demo_region(demo):
    beilin = Region.objects.get(code="231202")
    chain = ["231202", "2312", "23"]
    current = SubsidyStandard.objects.filter(valid_from__lte=demo, region__code__in=chain).exclude(valid_to__lt=demo)
    assert set(current.values_list("claim_kind", flat=True)) == set(ClaimKind.values)
    ready = _ready_class()
    assert ready.county == beilin
    for kind in ClaimKind.values:
        assert standard_for(ready, kind=kind) is not None, kind


def test_inspectors_are_in_each_demo_county_and_a_spot_check_can_be_drawn(demo):
    for code in DEMO_COUNTIES:
        assert Inspector.objects.filter(region__code=code, is_active=True).count() >= 2, code
    for username in ("beilin", "anda", "suihua"):
        staff = User.objects.get(username=username)
        check = spot_checks.spot_check_draw(actor=staff, region=staff.region, sample_size=1, seed="demo")
        visit = check.visits.get()
        assert visit.training_class.status == ClassStatus.IN_TRAINING
        assert visit.training_class.county.code.startswith(staff.region.code)
        assert visit.inspector.region == staff.region
        assert visit.inspector.institution_id != visit.training_class.institution_id  # recusal honoured


def _ready_class() -> TrainingClass:
    owner = User.objects.get(username="institution")
    ready = TrainingClass.objects.filter(
        institution=owner.institution, status=ClassStatus.COMPLETED, claims__isnull=True
    )
    assert ready.count() == 1
    return ready.get()


def test_the_ready_class_accepts_a_new_claim_of_each_kind_and_the_claim_verifies(demo):
    owner = User.objects.get(username="institution")
    ready = _ready_class()
    assert ready.enrollments.exists() and not ready.enrollments.filter(result="").exists()  # results recorded
    assert ready.sessions.filter(attendances__isnull=False).exists()
    for kind in ClaimKind.values:
        with TestCase.captureOnCommitCallbacks(execute=True):
            claim = claims.claim_create(actor=owner, training_class=ready, kind=kind)
            claims.claim_submit(actor=owner, claim=claim)
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.VERIFIED, kind
        assert claim.requested_amount > 0, kind


def test_the_claim_in_public_notice_is_approved_by_the_daily_job_when_its_notice_ends(demo):
    claim = SubsidyClaim.objects.get(status=ClaimStatus.PUBLIC_NOTICE)
    notice = PublicNotice.objects.get(claim=claim)
    assert notice.published_at <= core_clock.now()
    assert demo < notice.ends_on <= demo + timedelta(days=10)  # ends within the next days
    with clock(notice.ends_on):
        assert close_due_notices() == 0  # still running on its last day
    with clock(notice.ends_on + timedelta(days=1)), TestCase.captureOnCommitCallbacks(execute=True):
        assert close_due_notices() == 1
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED


def test_the_waiting_claim_and_the_settled_claim_are_there_for_the_other_users(demo):
    statuses = set(SubsidyClaim.objects.values_list("status", flat=True))
    assert {ClaimStatus.SETTLED, ClaimStatus.PUBLIC_NOTICE, ClaimStatus.VERIFIED} <= statuses
    assert isinstance(core_clock.now(), datetime)
