"""双随机、一公开: a spot-check draw anyone can replay from its seed, never sending an inspector to their own
institution or to the one they inspected last; phone follow-ups sized by Cochran's formula, a denial
becoming a blocking finding on the line."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied

from catalog.models import Region
from core.clock import replaying as clock
from core.errors import DomainError
from subsidies.models import ClaimStatus, LineStatus, PhoneFollowUp, Severity, SpotCheckVisit
from subsidies.services import claims, notices
from subsidies.services.follow_ups import follow_up_record, follow_ups_draw, sample_size
from subsidies.services.spot_checks import draw, spot_check_draw, visit_record
from training.models import ClassStatus

from .factories import InspectorFactory, World, bureau, completed_class, region, review, verified_claim

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


# --- the draw, pure -----------------------------------------------------------------------------------------


def pool(classes=20, inspectors=8, institutions=5):
    """Stand-ins: draw() reads only pk and institution_id."""
    cs = [SimpleNamespace(pk=100 + n, institution_id=n % institutions) for n in range(classes)]
    ins = [SimpleNamespace(pk=500 + n, institution_id=(n % (institutions + 2)) or None) for n in range(inspectors)]
    return cs, ins


def pairs_of(result):
    return [(c.pk, i.pk) for c, i in result]


def test_the_same_seed_replays_the_same_draw_whatever_the_input_order():
    cs, ins = pool()
    first = pairs_of(draw(seed="2025-03-05-231202", classes=cs, inspectors=ins, sample_size=6, last_inspector={}))
    again = pairs_of(
        draw(seed="2025-03-05-231202", classes=cs[::-1], inspectors=ins[::-1], sample_size=6, last_inspector={})
    )
    assert first == again and len(first) == 6
    other = pairs_of(draw(seed="2025-03-06-231202", classes=cs, inspectors=ins, sample_size=6, last_inspector={}))
    assert other != first


def test_an_inspector_never_visits_their_own_institution():
    cs, ins = pool()
    for n in range(200):
        for c, i in draw(seed=f"s{n}", classes=cs, inspectors=ins, sample_size=6, last_inspector={}):
            assert i.institution_id != c.institution_id


def test_the_last_inspector_of_an_institution_is_not_sent_again():
    cs = [SimpleNamespace(pk=1, institution_id=7)]
    ins = [SimpleNamespace(pk=10, institution_id=None), SimpleNamespace(pk=11, institution_id=None)]
    chosen = {
        draw(seed=f"s{n}", classes=cs, inspectors=ins, sample_size=1, last_inspector={7: 10})[0][1].pk
        for n in range(50)
    }
    assert chosen == {11}
    without = {
        draw(seed=f"s{n}", classes=cs, inspectors=ins, sample_size=1, last_inspector={})[0][1].pk for n in range(50)
    }
    assert without == {10, 11}


def test_a_class_without_an_eligible_inspector_is_left_out():
    cs = [SimpleNamespace(pk=1, institution_id=7), SimpleNamespace(pk=2, institution_id=8)]
    ins = [SimpleNamespace(pk=10, institution_id=7)]  # only an inspector from institution 7
    assert pairs_of(draw(seed="x", classes=cs, inspectors=ins, sample_size=2, last_inspector={})) == [(2, 10)]


def test_the_sample_is_capped_by_the_number_of_classes():
    cs, ins = pool(classes=3)
    assert len(draw(seed="x", classes=cs, inspectors=ins, sample_size=10, last_inspector={})) == 3


# --- the draw, as a service ---------------------------------------------------------------------------------


def test_a_spot_check_is_stored_with_its_seed_and_replays_and_avoids_the_last_inspector():
    w1, w2 = World.make(), World.make()
    in_training = [
        completed_class(w1, until=ClassStatus.IN_TRAINING, name="一班"),
        completed_class(w2, until=ClassStatus.IN_TRAINING, first=10, name="二班"),
    ]
    completed_class(World.make(), first=20)  # completed: not drawn
    county = Region.objects.get(code="231202")
    inspectors = [
        InspectorFactory(region=county, name="张检查", institution=w1.institution),
        InspectorFactory(region=county, name="李检查"),
        InspectorFactory(region=county, name="王检查"),
        InspectorFactory(region=county, name="停用", is_active=False),
        InspectorFactory(region=region("231281"), name="外县"),
    ]
    staff = bureau("231202")
    check = spot_check_draw(actor=staff, region=county, sample_size=5, seed="公开种子-1")
    visits = list(check.visits.order_by("training_class_id"))
    assert check.seed == "公开种子-1" and len(visits) == 2
    assert {v.training_class_id for v in visits} == {c.training_class.pk for c in in_training}
    active_local = list(inspectors[:3])
    for v in visits:
        assert v.inspector in active_local
        assert v.inspector.institution_id != v.training_class.institution_id
    # anyone can replay it from the published seed
    replay = draw(
        seed=check.seed,
        classes=[c.training_class for c in in_training],
        inspectors=active_local,
        sample_size=5,
        last_inspector={},
    )
    assert sorted(pairs_of(replay)) == sorted((v.training_class_id, v.inspector_id) for v in visits)
    # the next draw never sends the same inspector to the same institution
    last = {v.training_class.institution_id: v.inspector_id for v in visits}
    for n in range(5):
        again = spot_check_draw(actor=staff, region=county, sample_size=5, seed=f"公开种子-{n + 2}")
        for v in again.visits.select_related("training_class"):
            assert v.inspector_id != last[v.training_class.institution_id]
            last[v.training_class.institution_id] = v.inspector_id


def test_spot_checks_are_drawn_and_recorded_in_the_users_own_region_only():
    completed_class(until=ClassStatus.IN_TRAINING)
    county = Region.objects.get(code="231202")
    InspectorFactory(region=county, name="李检查")
    with pytest.raises(PermissionDenied):
        spot_check_draw(actor=bureau("231281"), region=county, sample_size=1)
    with pytest.raises(DomainError, match="大于 0"):
        spot_check_draw(actor=bureau("231202"), region=county, sample_size=0)
    check = spot_check_draw(actor=bureau("231202"), region=county, sample_size=1, seed="s")
    visit = check.visits.get()
    with pytest.raises(PermissionDenied):
        visit_record(actor=bureau("231281"), visit=visit, result="compliant", notes="", visited_on=None)
    with pytest.raises(DomainError, match="请选择检查结果"):
        visit_record(actor=bureau("231202"), visit=visit, result="pending", notes="", visited_on=None)
    visit = visit_record(actor=bureau("2312"), visit=visit, result="fake", notes="现场无学员", visited_on=None)
    assert SpotCheckVisit.objects.get(pk=visit.pk).result == "fake"


def test_a_draw_needs_classes_in_training_and_inspectors():
    county = Region.objects.get(code="231202")
    staff = bureau("231202")
    with pytest.raises(DomainError, match="没有在培的培训班"):
        spot_check_draw(actor=staff, region=county, sample_size=1)
    completed_class(until=ClassStatus.IN_TRAINING)
    with pytest.raises(DomainError, match="检查人员库"):
        spot_check_draw(actor=staff, region=county, sample_size=1)


# --- phone follow-ups ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("population", "confidence", "margin", "expected"),
    [
        (500, 0.95, 0.05, 218),
        (10, 0.95, 0.05, 10),
        (1, 0.95, 0.05, 1),
        (0, 0.95, 0.05, 0),
        (384, 0.95, 0.05, 193),
        (100_000, 0.95, 0.05, 383),
        (1000, 0.99, 0.05, 400),
        (100, 0.90, 0.05, 74),
        (10, 0.95, 0.20, 8),
    ],
)
def test_sample_size_is_cochrans_formula_with_the_finite_population_correction(
    population, confidence, margin, expected
):
    assert sample_size(population, confidence=confidence, margin=margin) == expected


def test_follow_ups_are_a_reproducible_sample_or_everyone_and_drawn_once():
    h = completed_class(people=10, spacing=17)
    claim = verified_claim(h)
    sample = follow_ups_draw(actor=h.bureau, claim=claim, margin=0.2)
    assert len(sample) == 8 and len({c.line_id for c in sample}) == 8
    chosen = sorted(c.line_id for c in sample)
    with pytest.raises(DomainError, match="已抽取"):
        follow_ups_draw(actor=h.bureau, claim=claim, everyone=True)
    PhoneFollowUp.objects.filter(claim=claim).delete()
    assert sorted(c.line_id for c in follow_ups_draw(actor=h.bureau, claim=claim, margin=0.2)) == chosen
    PhoneFollowUp.objects.filter(claim=claim).delete()
    everyone = follow_ups_draw(actor=h.bureau, claim=claim, margin=0.2, everyone=True)
    assert sorted(c.line_id for c in everyone) == sorted(claim.lines.values_list("id", flat=True))
    PhoneFollowUp.objects.filter(claim=claim).delete()
    with pytest.raises(DomainError, match="置信水平"):
        follow_ups_draw(actor=h.bureau, claim=claim, confidence=0.8)


def test_a_denial_becomes_a_blocking_finding_on_the_line_after_recording(django_capture_on_commit_callbacks):
    h = completed_class()
    claim = verified_claim(h)
    calls = {c.line.enrollment_id: c for c in follow_ups_draw(actor=h.bureau, claim=claim, everyone=True)}
    with pytest.raises(DomainError, match="回访结果"):
        follow_up_record(actor=h.bureau, follow_up=calls[h.enrollments[0].pk], outcome="maybe")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        follow_up_record(actor=h.bureau, follow_up=calls[h.enrollments[0].pk], outcome="denies", notes="本人称未参加")
        follow_up_record(actor=h.bureau, follow_up=calls[h.enrollments[1].pk], outcome="unreached")
    assert len(callbacks) == 1  # only the denial re-verifies
    denied = claim.lines.get(enrollment=h.enrollments[0])
    (finding,) = denied.findings.filter(rule_code="PHONE_FOLLOW_UP_DENIED")
    assert finding.severity == Severity.BLOCKING
    assert claim.findings.filter(rule_code="PHONE_FOLLOW_UP_DENIED").count() == 1
    with pytest.raises(DomainError, match="阻断性问题"):
        claims.line_decide(actor=h.bureau, line=denied, approve=True, reason="已核实")
    call = PhoneFollowUp.objects.get(pk=calls[h.enrollments[0].pk].pk)
    assert (call.outcome, call.caller, call.notes) == ("denies", h.bureau, "本人称未参加")


def test_a_denial_after_the_line_was_approved_keeps_it_out_of_the_notice(django_capture_on_commit_callbacks):
    """Reviews and calls run side by side: a line approved in the morning, denied on the phone in the
    afternoon. The denial becomes a blocking finding, but line_decide's check has already passed and
    claim_send_to_notice only looks at claim-level blocking findings, so the denied person is published and
    paid."""
    h = completed_class()
    claim = verified_claim(h)
    review(h.bureau, claim)  # everyone approved
    calls = {c.line.enrollment_id: c for c in follow_ups_draw(actor=h.bureau, claim=claim, everyone=True)}
    with django_capture_on_commit_callbacks(execute=True):
        follow_up_record(actor=h.bureau, follow_up=calls[h.enrollments[0].pk], outcome="denies")
    denied = claim.lines.get(enrollment=h.enrollments[0])
    assert denied.findings.filter(rule_code="PHONE_FOLLOW_UP_DENIED").exists()
    try:
        notice = notices.claim_send_to_notice(actor=h.bureau, claim=claim)
    except DomainError:
        return  # refused: fine
    assert denied.pk not in [row["line"] for row in notice.content], "a line the trainee denied was published"


def test_a_denial_during_the_public_notice_is_not_lost(django_capture_on_commit_callbacks):
    """全员电话询查 continues after review. A denial recorded while the claim is in public notice re-runs
    claim_verify, which leaves a claim in public notice alone: no finding, and the approval goes ahead."""
    h = completed_class()
    claim = verified_claim(h)
    review(h.bureau, claim)
    notice = notices.claim_send_to_notice(actor=h.bureau, claim=claim)
    calls = {c.line.enrollment_id: c for c in follow_ups_draw(actor=h.bureau, claim=claim, everyone=True)}
    with django_capture_on_commit_callbacks(execute=True):
        follow_up_record(actor=h.bureau, follow_up=calls[h.enrollments[0].pk], outcome="denies")
    with clock(notice.ends_on + timedelta(days=1)):
        notices.claim_approve_after_notice(claim.pk)
    claim.refresh_from_db()
    denied = claim.lines.get(enrollment=h.enrollments[0])
    assert claim.status != ClaimStatus.APPROVED or denied.status != LineStatus.APPROVED, (
        "the person who denied taking part was approved and appended to the ledger"
    )
