"""incremental = full = a direct count: generated history (synthetic CSV through history_import) plus claim
rows, then new rows for one county refreshed incrementally; the roll-up tables must equal a full recompute,
every city and province cell the sum of its children, and the totals an ORM count of the facts."""

import os
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Q

import indicators.tasks  # noqa: F401 - registers the refresh tasks the lower apps enqueue by name
from indicators.models import Progress
from indicators.services.rollups import progress_recompute_all, progress_refresh
from tests.indicators.factories import (
    ProgressFactory,
    breakdown_table,
    certificate,
    ledger,
    progress_table,
    region,
    total,
    training_class,
)
from tests.institutions.factories import DesignatedInstitutionFactory, ProgramFactory
from trainees.models import Certificate, CertificateType, RecordSource, SubsidyKind, Trainee, TrainingRecord
from trainees.services.history import history_import
from trainees.synthetic import write_csv

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

COUNTIES = ["231202", "231281", "231221", "230102", "230103"]  # 绥化: 北林 安达 望奎; 哈尔滨: 道里 南岗
CATEGORIES = ["migrant_worker", "registered_unemployed", None]


@pytest.fixture
def history(tmp_path, django_capture_on_commit_callbacks):
    """~300 history rows over five counties, loaded like a migration (its on-commit full recompute runs), and a
    claim per county approved in 2024, a third of them in 北林区 through an institution."""
    path = write_csv(tmp_path / "history.csv", rows=300, seed=23, counties=COUNTIES)
    with django_capture_on_commit_callbacks(execute=True):
        report = history_import(path=path, workers=1, today=date(2026, 1, 1))
    assert report.records_created > 250 and Progress.objects.exists()
    institution = DesignatedInstitutionFactory(county=region("231202"))
    people = list(Trainee.objects.order_by("pk")[:30])
    for n, someone in enumerate(people):
        county = COUNTIES[n % len(COUNTIES)]
        ledger(
            someone,
            county=county,
            source=RecordSource.CLAIM,
            end=date(2024, 5, 10),
            approved=date(2024, 6 + n % 3, 2 + n),
            category=CATEGORIES[n % 3],
            institution=institution if county == "231202" else None,
            occupation_index=n,
        )
    progress_recompute_all()
    return people


def append_for_anda(people) -> list[date]:
    """New facts for 安达市 only: claims approved in March 2025, history of 2024 (one unsubsidized),
    a completed class, certificates of people registered there. Returns the touched months."""
    for n, someone in enumerate(people[:6]):
        ledger(
            someone,
            county="231281",
            source=RecordSource.CLAIM,
            end=date(2025, 2, 20),
            approved=date(2025, 3, 3 + n),
            category=CATEGORIES[n % 3],
            training_type="apprenticeship" if n % 2 else "skill_upgrade",
            occupation_index=30 + n,
        )
    ledger(people[7], county="231281", end=date(2024, 11, 15))
    ledger(people[8], county="231281", end=date(2024, 11, 16), subsidy_kind=SubsidyKind.NONE)
    training_class(county="231281", end=date(2025, 3, 20), size=3)
    registered = Trainee.objects.filter(registered_region__code="231281")[:3]
    for level, someone in zip(["level3", "level5", "level2"], registered, strict=False):
        certificate(someone, issued=date(2025, 3, 25), level=level)
    certificate(registered[0], issued=date(2025, 3, 26), level="level3", type=CertificateType.TRAINING)  # not counted
    Trainee.objects.filter(pk=people[10].pk).update(registered_region=None)
    people[10].registered_region = None
    ledger(people[10], county="231281", end=date(2024, 11, 17))
    certificate(people[10], issued=date(2025, 3, 27), level="level3")  # no registration: where trained, 安达
    return [date(2025, 3, 1), date(2024, 11, 1)]


def append_at_the_city(people) -> list[date]:
    """New facts placed at 绥化市 itself (市本级): a completed class of 4 of a city-level institution (市直) ending
    in March 2025, and a claim of a 农民工 approved in March. Returns the touched months."""
    program = ProgramFactory(institution=DesignatedInstitutionFactory(county=region("2312")))
    training_class(county="231202", program=program, end=date(2025, 3, 18), size=4)
    ledger(
        people[9],
        county="2312",
        source=RecordSource.CLAIM,
        end=date(2025, 2, 25),
        approved=date(2025, 3, 12),
        category="migrant_worker",
    )
    return [date(2025, 3, 1)]


def test_incremental_refresh_of_one_county_equals_the_full_recompute(history):
    before = progress_table()
    months = append_for_anda(history) + append_at_the_city(history)

    progress_refresh(counties=[region("231281").pk, region("2312").pk], months=months)
    incremental = progress_table(), breakdown_table()
    progress_recompute_all()

    assert progress_table() != before
    assert incremental[0] == progress_table()
    assert incremental[1] == breakdown_table()


def test_every_city_and_province_cell_is_the_sum_of_its_children(history):
    progress_refresh(counties=[region("231281").pk], months=append_for_anda(history))

    cells = progress_table()
    sums = Counter()
    for (definition, unit, parent, institution, month), value in cells.items():
        if not institution and parent:
            sums[(definition, parent, month)] += value
    parents = {(d, u, m): v for (d, u, _, i, m), v in cells.items() if not i and len(u) < 6}
    assert parents and parents == dict(sums)
    by_unit = Counter()
    for (definition, unit, year, dimension, key), value in breakdown_table().items():
        if len(unit) == 6:
            by_unit[(definition, unit[:4], year, dimension, key)] += value
            by_unit[(definition, unit[:2], year, dimension, key)] += value
    assert {k: v for k, v in breakdown_table().items() if len(k[1]) < 6} == dict(by_unit)


def at(unit: str, region_field: str) -> Q:
    """The facts a unit counts: those inside its region, or for 市本级 (231200) those placed at 绥化市 itself."""
    if unit.endswith("00"):
        return Q(**{f"{region_field}__code": unit[:4]})
    return Q(**{f"{region_field}__code__startswith": unit})


def test_county_city_and_province_totals_equal_a_direct_count_of_the_facts(history):
    progress_refresh(counties=[region("231281").pk], months=append_for_anda(history))
    progress_refresh(counties=[region("2312").pk], months=append_at_the_city(history))

    for prefix in ["231281", "231202", "231200", "2312", "2301", "23"]:
        ledger_rows = TrainingRecord.objects.filter(at(prefix, "county"))
        subsidized = ledger_rows.filter(subsidy_kind=SubsidyKind.TRAINING)
        assert total("subsidized_training", prefix) == subsidized.count(), prefix
        assert total("migrant_workers", prefix) == subsidized.filter(groups__code="migrant_worker").count()
        assert total("apprentices", prefix) == subsidized.filter(training_type__code="apprenticeship").count()
        assert total("high_skilled_training", prefix) == subsidized.filter(skill_level__rank__gte=4).count()
        completed = (3 if "231281".startswith(prefix) else 0) + (4 if prefix in ("231200", "2312", "23") else 0)
        assert total("all_training", prefix) == ledger_rows.filter(source="history").count() + completed
        certificates = Certificate.objects.filter(at(prefix, "region"), type__in=["qualification", "skill_level"])
        assert total("new_certificates", prefix) == certificates.count()
        assert total("high_skilled_certificates", prefix) == certificates.filter(skill_level__rank__gte=4).count()
    assert total("subsidized_training", "231202") > 0 and total("subsidized_training", "2301") > 0
    assert total("migrant_workers", "231200") == 1 and total("all_training", "231200") == 4


def test_the_institution_cells_of_a_county_hold_its_claims_through_institutions(history):
    institution_cells = Progress.objects.filter(definition="subsidized_training", unit="231202").exclude(institution="")
    through_institutions = TrainingRecord.objects.filter(county__code="231202", institution__isnull=False)

    assert sum(c.value for c in institution_cells) == through_institutions.count() > 0
    assert {c.parent for c in institution_cells} == {"231202"}


def test_refreshing_a_county_with_nothing_new_changes_nothing(history):
    before = progress_table(), breakdown_table()

    progress_refresh(counties=[region("231202").pk, region("230102").pk], months=[date(2024, 6, 1)])

    assert (progress_table(), breakdown_table()) == before


def test_a_claim_approved_more_than_a_year_after_the_class_ended_survives_the_refresh(history):
    ledger(
        history[0],
        county="231281",
        source=RecordSource.CLAIM,
        end=date(2023, 12, 20),
        approved=date(2025, 1, 6),
        occupation_index=45,
    )
    progress_recompute_all()
    full = progress_table()

    progress_refresh(counties=[region("231281").pk], months=[date(2025, 1, 1)])

    assert progress_table() == full


def test_a_refresh_over_non_adjacent_years_equals_the_full_recompute(history):
    ledger(history[0], county="231281", end=date(2023, 4, 20))
    ledger(history[1], county="231281", end=date(2025, 4, 20))
    progress_recompute_all()
    full = progress_table(), breakdown_table()

    progress_refresh(counties=[region("231281").pk], months=[date(2023, 4, 1), date(2025, 4, 1)])

    assert (progress_table(), breakdown_table()) == full


def test_the_refresh_tasks_are_registered_in_a_web_process():
    code = (
        "import django; django.setup(); import config.urls; from celery import current_app; "
        "from core.progress import REFRESH_TASK; print(REFRESH_TASK in current_app.tasks)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    root = Path(__file__).resolve().parents[2]
    run = subprocess.run([sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True, check=True)

    assert run.stdout.strip() == "True"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL catalog")
def test_the_nightly_rebuild_leaves_every_index_and_unique_constraint_in_place(history):
    """The rebuild drops the roll-up tables' indexes while it fills them and builds them again."""

    def indexes():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
                "WHERE indrelid IN ('indicators_progress'::regclass, 'indicators_breakdown'::regclass) ORDER BY 1"
            )
            return cursor.fetchall()

    before = indexes()
    progress_recompute_all()

    assert indexes() == before and len(before) == 7
    cell = Progress.objects.filter(institution="").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressFactory(definition=cell.definition, unit=cell.unit, parent=cell.parent, month=cell.month, value=1)
