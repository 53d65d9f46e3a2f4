"""Approval copies each enrollment's frozen groups (人员类别) into its ledger record: the set, and the primary
category, as they were at enrollment."""

import pytest

from catalog.models import TraineeCategory
from trainees.models import TrainingRecord
from trainees.services.people import category_assign

from ..trainees.factories import registrar
from ..training.factories import row
from .factories import approved_claim, completed_class

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
