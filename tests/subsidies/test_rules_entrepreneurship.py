"""创业培训 (seed 000 §(四)): a class of one entrepreneurship stage, with no occupation or level, runs through the
claim flow like any class (verify → review → notice → approval → settlement); its ledger rows carry the stage;
each stage is subsidized once per person (a rule and a partial unique index), and neither the stages nor the
occupation-and-level rule collide with each other."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from core.clock import replaying as clock
from subsidies.models import ClaimStatus, LineStatus
from subsidies.services import notices, payments
from trainees.models import TrainingRecord
from training.services import roster

from ..trainees.factories import add_record, register
from ..training.factories import make_class, rows, sheet_of
from .entrepreneurship_kit import entrepreneurship_class, entrepreneurship_world, stage, stage_record
from .factories import approved_claim, codes, completed_class, noticed_claim, verified_claim
from .rule_kit import covers, line_codes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


@covers("DUPLICATE_ENTREPRENEURSHIP_STAGE")
def test_a_second_subsidy_for_the_same_stage_is_blocked_and_another_stage_is_not():
    h = entrepreneurship_class("syb")
    stage_record(h.trainees[0], "syb", "earlier-1", source="claim")  # SYB subsidized before
    stage_record(h.trainees[1], "gyb", "earlier-2", source="claim")  # another stage only
    add_record(h.trainees[2], ref="earlier-3", source="claim")  # a vocational training only
    claim = verified_claim(h)
    assert "DUPLICATE_ENTREPRENEURSHIP_STAGE" in line_codes(claim, h, 0)
    assert "DUPLICATE_ENTREPRENEURSHIP_STAGE" not in line_codes(claim, h, 1) | line_codes(claim, h, 2)
    # no occupation or level: the occupation-and-level rules never fire on a stage class
    assert not {"DUPLICATE_OCCUPATION_LEVEL", "LOWER_LEVEL_AFTER_HIGHER"} & codes(claim)


def test_a_stage_in_the_ledger_does_not_count_as_an_occupation_and_level_for_a_vocational_class():
    h = completed_class()
    stage_record(h.trainees[0], "syb", "earlier-1", source="claim")
    claim = verified_claim(h)
    assert not {"DUPLICATE_OCCUPATION_LEVEL", "LOWER_LEVEL_AFTER_HIGHER", "DUPLICATE_ENTREPRENEURSHIP_STAGE"} & codes(
        claim
    )


def test_stages_need_no_order_an_iyb_class_without_a_prior_syb_is_not_blocked():
    # The seeds name the stages "针对不同创业阶段" and no order between them: no rule asks for SYB before IYB.
    h = entrepreneurship_class("iyb")
    claim = verified_claim(h)
    assert not claim.findings.filter(severity="blocking").exists()


def test_an_entrepreneurship_claim_runs_to_settlement_and_its_ledger_rows_carry_the_stage():
    h = entrepreneurship_class("syb")
    claim, notice = approved_claim(h)
    assert claim.status == ClaimStatus.APPROVED
    assert claim.lines.filter(status=LineStatus.APPROVED).count() == 3
    assert notice.content[0]["occupation"] == stage("syb").name and notice.content[0]["level"] == ""
    rows = list(TrainingRecord.objects.filter(source="claim").order_by("trainee_id"))
    assert len(rows) == 3
    assert {(r.entrepreneurship_stage_id, r.occupation_id, r.skill_level_id) for r in rows} == {
        (stage("syb").pk, None, None)
    }
    assert claim.approved_amount == Decimal("2400.00")
    with clock(notice.ends_on + timedelta(days=2)):
        payment = payments.settlement_record(
            actor=h.finance, claim=claim, bank_reference="STL-SYB-1", idempotency_key="stl-syb-1"
        )
    assert payment.amount == Decimal("2400.00")
    # the same people in another SYB class later: blocked at verification, the GYB stage is not
    again = completed_class(entrepreneurship_world("syb"), start=date(2025, 6, 2), standard=None)
    assert verified_claim(again).findings.filter(rule_code="DUPLICATE_ENTREPRENEURSHIP_STAGE").count() == 3
    gyb = completed_class(entrepreneurship_world("gyb"), start=date(2025, 9, 1), standard=None)
    assert not verified_claim(gyb).findings.filter(rule_code="DUPLICATE_ENTREPRENEURSHIP_STAGE").exists()


def test_the_final_check_at_approval_strikes_a_stage_subsidized_meanwhile():
    h = entrepreneurship_class("syb")
    claim, notice = noticed_claim(h)
    stage_record(h.trainees[0], "syb", "claim-999-line-1", source="claim")  # paid by another claim meanwhile
    with clock(notice.ends_on + timedelta(days=1)):
        notices.claim_approve_after_notice(claim.pk)
    assert claim.lines.get(enrollment=h.enrollments[0]).status != LineStatus.APPROVED
    assert TrainingRecord.objects.filter(source_ref__startswith=f"claim-{claim.pk}-").count() == 2


def test_the_database_allows_one_subsidized_record_per_person_and_stage():
    h = entrepreneurship_class("syb", until="approved")
    person = h.trainees[0]
    stage_record(person, "syb", "claim-1-line-1", source="claim")
    stage_record(person, "gyb", "claim-2-line-1", source="claim")  # another stage: fine
    add_record(person, ref="claim-3-line-1", source="claim")  # a vocational subsidy beside it: fine
    stage_record(person, "syb", "history-1", source="history")  # migrated history is not held by the index
    with pytest.raises(IntegrityError), transaction.atomic():
        stage_record(person, "syb", "claim-4-line-1", source="claim")


def test_a_record_has_an_occupation_and_level_or_a_stage_never_both_nor_neither():
    h = entrepreneurship_class("syb", until="approved")
    with pytest.raises(IntegrityError), transaction.atomic():
        add_record(h.trainees[0], ref="both", entrepreneurship_stage=stage("syb"))
    with pytest.raises(IntegrityError), transaction.atomic():
        add_record(h.trainees[0], ref="neither", occupation=None, skill_level=None)


def test_the_roster_warns_of_a_person_already_subsidized_for_the_stage():
    world = entrepreneurship_world("syb")
    tc = make_class(world.program, world.owner, name="2026年第2期SYB创业培训班")
    people = rows(3)
    first = register(id_number=people[0][1], name=people[0][0])
    stage_record(first, "syb", "earlier-1", source="claim")
    check = roster.roster_check(training_class=tc, sheet=sheet_of(people))
    warned = [w["row"] for w in check.warnings if "本阶段的创业培训补贴" in w["message"]]
    assert warned == [2] and not check.errors


def test_entrepreneurship_subsidies_count_toward_the_yearly_limit_like_any_training_subsidy():
    h = entrepreneurship_class("syb")
    for n, code in enumerate(["gyb", "iyb", "online"]):
        stage_record(h.trainees[0], code, f"earlier-{n}", source="claim", end_date=date(2025, 1, 20 + n))
    claim = verified_claim(h)
    assert "YEARLY_LIMIT" in line_codes(claim, h, 0)
    assert "DUPLICATE_ENTREPRENEURSHIP_STAGE" not in line_codes(claim, h, 0)
