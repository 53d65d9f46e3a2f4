"""Approval copies each enrollment's frozen groups (人员类别) into its ledger record: the set, and the primary
category, as they were at enrollment; verification finds a person eligible through any of their groups."""

import pytest

from catalog.models import TraineeCategory
from subsidies.models import CategoryEligibility
from trainees.models import TrainingRecord
from trainees.services.people import category_assign

from ..trainees.factories import registrar
from ..training.factories import row
from .factories import approved_claim, completed_class, findings, verified_claim

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def test_the_ledger_record_carries_every_group_frozen_on_the_enrollment():
    roster = [row(0, 人员类别="农民工、脱贫人口"), row(1, 人员类别="高校毕业生"), row(2, 人员类别="")]
    h = completed_class(roster=roster)
    category_assign(  # after enrollment: does not reach the record
        actor=registrar(),
        trainee=h.trainees[1],
        category=TraineeCategory.objects.get(name="登记失业人员"),
        valid_from=h.training_class.start_date,
    )
    approved_claim(h)

    records = {r.trainee_id: r for r in TrainingRecord.objects.select_related("category")}
    got = [
        (records[t.pk].category.name if records[t.pk].category else None, [g.name for g in records[t.pk].groups.all()])
        for t in h.trainees
    ]
    assert got == [("农民工", ["农民工", "脱贫人口"]), ("高校毕业生", ["高校毕业生"]), (None, [])]


def test_a_person_is_eligible_through_any_of_their_groups():
    roster = [row(0, 人员类别="农民工、企业职工"), row(1, 人员类别="农民工"), row(2, 人员类别="")]
    h = completed_class(roster=roster)
    CategoryEligibility.objects.create(
        training_type=h.training_class.training_type, category=TraineeCategory.objects.get(code="enterprise_worker")
    )
    assert h.enrollments[0].category.code == "migrant_worker"  # the primary group is not the eligible one
    claim = verified_claim(h)
    flagged = {f.line.trainee_id for f in findings(claim, "CATEGORY_NOT_ELIGIBLE")}
    assert flagged == {h.trainees[1].pk, h.trainees[2].pk}
