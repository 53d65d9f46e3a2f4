"""Assessment results: recorded by the institution once training has started; a certificate must be the
trainee's own and needs a pass."""

from datetime import date, time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import AuditEvent
from core.clock import replaying as clock
from core.errors import DomainError
from trainees.models import CertificateType
from trainees.services.certificates import certificate_add
from training.models import ClassStatus, EnrollmentResult
from training.services.classes import class_transition
from training.services.results import enrollment_record_result

from .factories import World, approve, institution_user, listed_program, ready_class, start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


@pytest.fixture
def w():
    world = World()
    world.c = approve(ready_class(world.program, world.owner), world.owner, world.bureau)
    world.first, world.second, _ = world.c.enrollments.order_by("id").select_related("trainee")
    return world


def certificate(w, trainee, number="S000001"):
    return certificate_add(
        actor=w.bureau,
        trainee=trainee,
        type=CertificateType.values[0],
        number=number,
        occupation=w.program.occupation,
        issuing_body="绥化市职业技能鉴定中心",
        issue_date=date(2025, 1, 10),
    )


def result(w, enrollment, outcome=EnrollmentResult.PASSED, **kw):
    return enrollment_record_result(actor=w.owner, enrollment=enrollment, result=outcome, **kw)


def test_results_are_refused_before_the_class_starts(w):
    with pytest.raises(DomainError, match="培训开始后才能登记考核结果"):
        result(w, w.first, score=Decimal("90"))


def test_results_are_recorded_during_and_after_training_and_audited(w):
    start(w.c, w.owner)
    assert result(w, w.first, score=Decimal("88.5")).score == Decimal("88.5")
    with clock(w.c.end_date, time(17, 0)):
        class_transition(actor=w.owner, training_class=w.c, to_status=ClassStatus.COMPLETED)
    assert result(w, w.second, EnrollmentResult.FAILED, score=Decimal("52")).result == EnrollmentResult.FAILED
    assert AuditEvent.objects.filter(action="enrollment.result_recorded").count() == 2


@pytest.mark.parametrize(
    ("outcome", "score", "message"),
    [
        ("excellent", None, "考核结果不正确"),
        ("passed", Decimal("100.5"), "0 到 100"),
        ("failed", Decimal("-1"), "0 到 100"),
    ],
)
def test_bad_results_and_scores_are_refused(w, outcome, score, message):
    start(w.c, w.owner)
    with pytest.raises(DomainError, match=message):
        result(w, w.first, outcome, score=score)


def test_only_the_classs_institution_records_results(w):
    start(w.c, w.owner)
    for actor in (w.bureau, institution_user(listed_program().institution)):
        with pytest.raises(PermissionDenied):
            enrollment_record_result(actor=actor, enrollment=w.first, result=EnrollmentResult.PASSED)


def test_a_certificate_must_belong_to_the_trainee(w):
    start(w.c, w.owner)
    theirs = certificate(w, w.second.trainee)
    with pytest.raises(DomainError, match="证书不属于该学员"):
        result(w, w.first, certificate=theirs)
    w.first.refresh_from_db()
    assert w.first.certificate is None and w.first.result == EnrollmentResult.PENDING


@pytest.mark.parametrize("outcome", [EnrollmentResult.FAILED, EnrollmentResult.PENDING])
def test_a_certificate_needs_a_pass(w, outcome):
    start(w.c, w.owner)
    own = certificate(w, w.first.trainee)
    with pytest.raises(DomainError, match="只有考核合格"):
        result(w, w.first, outcome, certificate=own)


def test_a_passed_trainee_gets_their_own_certificate_linked(w):
    start(w.c, w.owner)
    own = certificate(w, w.first.trainee)
    assert result(w, w.first, score=Decimal("90"), certificate=own).certificate == own
