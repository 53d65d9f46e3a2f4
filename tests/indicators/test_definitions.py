"""Each computed indicator on hand-built facts, counted by the full recompute and read from the roll-up:
which rows it counts, in which month and in which county."""

from datetime import date, time

import pytest

from indicators.models import Breakdown, Progress
from indicators.services.rollups import count_facts, progress_recompute_all
from institutions.models import InstitutionStatus, InstitutionType
from tests.indicators.factories import (
    certificate,
    ledger,
    month_cells,
    person,
    public_base,
    region,
    training_class,
)
from tests.institutions.factories import transition
from trainees.models import RecordSource, SubsidyKind
from training.models import ClassStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

MAR, APR, MAY, JUN, AUG = (date(2024, m, 1) for m in (3, 4, 5, 6, 8))
CLAIM = RecordSource.CLAIM


def counted(definition: str, unit: str = "231202") -> dict:
    progress_recompute_all()
    return month_cells(definition, unit)


def test_subsidized_training_counts_training_subsidies_of_the_ledger_by_county_and_month():
    someone = person()
    ledger(someone, end=date(2024, 3, 20))  # history: its end month
    ledger(someone, end=date(2024, 3, 21), subsidy_kind=SubsidyKind.SKILL_UPGRADE)
    ledger(someone, end=date(2024, 3, 22), subsidy_kind=SubsidyKind.NONE)
    ledger(someone, end=date(2024, 3, 23), county="231281")
    ledger(someone, end=date(2024, 2, 25), source=CLAIM, approved=date(2024, 3, 31), at=time(23, 30))
    # Approved 00:30 on 1 April in Shanghai (still 31 March in UTC): April.
    ledger(someone, end=date(2024, 3, 10), source=CLAIM, approved=date(2024, 4, 1), at=time(0, 30))

    assert counted("subsidized_training") == {MAR: 2, APR: 1}
    assert month_cells("subsidized_training", "231281") == {MAR: 1}
    assert month_cells("subsidized_training", "2312") == {MAR: 3, APR: 1}
    assert month_cells("subsidized_training", "23") == {MAR: 3, APR: 1}


def test_a_claim_counts_in_its_approval_month_not_the_class_end_month():
    ledger(person(), end=date(2024, 2, 10), source=CLAIM, approved=date(2024, 5, 6))

    assert counted("subsidized_training") == {MAY: 1}


def test_migrant_workers_counts_only_the_migrant_worker_category_of_subsidized_rows():
    someone = person()
    ledger(someone, category="migrant_worker")
    ledger(someone, category="migrant_worker", source=CLAIM, approved=date(2024, 3, 25))
    ledger(someone, category="migrant_worker", subsidy_kind=SubsidyKind.NONE)
    ledger(someone, category="registered_unemployed")
    ledger(someone)

    assert counted("migrant_workers") == {MAR: 2}
    assert month_cells("subsidized_training", "231202") == {MAR: 4}
    by_category = dict(
        Breakdown.objects.filter(definition="subsidized_training", unit="231202", dimension="category").values_list(
            "key", "value"
        )
    )
    assert by_category == {"农民工": 2, "登记失业人员": 1, "未登记": 1}


def test_apprentices_counts_only_apprenticeship_training():
    someone = person()
    ledger(someone, training_type="apprenticeship")
    ledger(someone, training_type="apprenticeship", subsidy_kind=SubsidyKind.NONE)
    ledger(someone, training_type="employment_skills")

    assert counted("apprentices") == {MAR: 1}


def test_all_training_counts_completed_enrollments_and_history_of_any_subsidy_but_not_claims():
    completed = training_class(end=date(2024, 5, 20), status=ClassStatus.COMPLETED, size=2)
    training_class(end=date(2024, 5, 21), status=ClassStatus.CLOSED, size=1)
    training_class(end=date(2024, 5, 22), status=ClassStatus.IN_TRAINING, size=3)
    training_class(end=date(2024, 5, 23), status=ClassStatus.APPROVED, size=4)
    someone = person()
    ledger(someone, end=date(2024, 5, 10))
    ledger(someone, end=date(2024, 5, 11), subsidy_kind=SubsidyKind.NONE)
    ledger(someone, end=date(2024, 4, 30), source=CLAIM, approved=date(2024, 5, 12))

    assert counted("all_training") == {MAY: 5}
    institution_cell = Progress.objects.get(
        definition="all_training", unit="231202", institution=str(completed.institution_id)
    )
    assert (institution_cell.value, institution_cell.parent) == (2, "231202")


def test_new_certificates_count_by_issue_month_in_the_county_where_the_person_is_registered():
    registered_in_anda = person("231281")
    ledger(registered_in_anda, county="231202")  # trained in 北林区
    certificate(registered_in_anda, issued=date(2024, 6, 5))
    certificate(registered_in_anda, issued=date(2024, 6, 30), level=None)

    assert counted("new_certificates", "231281") == {JUN: 2}
    assert month_cells("new_certificates", "231202") == {}


def test_high_skilled_certificates_count_advanced_worker_and_above():
    someone = person()
    for level in ["level5", "level4", "level3", "level2", "level1"]:  # 初级工 中级工 高级工 技师 高级技师
        certificate(someone, issued=date(2024, 6, 1), level=level)
    certificate(someone, issued=date(2024, 6, 1), level=None)

    assert counted("high_skilled_certificates") == {JUN: 3}
    assert month_cells("new_certificates", "231202") == {JUN: 6}


def test_public_training_bases_count_a_base_once_however_often_it_is_designated():
    base = public_base(designated_on=date(2024, 6, 10))
    transition(base, InstitutionStatus.SUSPENDED, date(2024, 7, 1))
    transition(base, InstitutionStatus.DESIGNATED, date(2024, 8, 1))  # reinstated: not a new base
    public_base(designated_on=date(2024, 6, 20), type=InstitutionType.PRIVATE_TRAINING)
    public_base(designated_on=date(2024, 8, 5), type=InstitutionType.HIGH_SKILL_BASE)

    assert counted("public_training_bases") == {JUN: 1}
    assert AUG not in month_cells("public_training_bases", "2312")


def test_count_facts_is_limited_to_the_counties_and_years_asked_for():
    someone = person()
    ledger(someone, end=date(2024, 3, 20))
    ledger(someone, end=date(2023, 3, 20))
    ledger(someone, end=date(2024, 3, 20), county="231281")
    progress, _ = count_facts(counties=[region("231202").pk], years=[2024])

    assert {k: v for k, v in progress.items() if k[0] == "subsidized_training"} == {
        ("subsidized_training", "231202", "", MAR): 1
    }
