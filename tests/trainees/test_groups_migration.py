"""The data migrations that turn the single category of existing ledger records and enrollments into
one-element group sets (trainees 0009, training 0006); running one again adds nothing."""

import importlib

import pytest
from django.db import connection

from catalog.models import TraineeCategory
from trainees.models import TrainingRecord, TrainingRecordGroup
from training.models import Enrollment, EnrollmentGroup

from ..training.factories import World, make_class
from .factories import add_record, make_id, register

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

MIGRATIONS = [
    importlib.import_module("trainees.migrations.0009_trainingrecord_groups"),
    importlib.import_module("training.migrations.0006_enrollment_groups"),
]


def migrate_sets() -> None:
    with connection.cursor() as cursor:
        for migration in MIGRATIONS:
            cursor.execute(migration.ONE_ELEMENT_SETS)


def test_existing_records_and_enrollments_get_their_single_category_as_a_one_element_set():
    migrant = TraineeCategory.objects.get(code="migrant_worker")
    someone, nobody = register(make_id("231202", seq=3)), register(make_id("231202", seq=5), name="李四")
    with_category, without = add_record(someone, ref="m-1"), add_record(nobody, ref="m-2")
    TrainingRecord.objects.filter(pk=with_category.pk).update(category=migrant)
    w = World()
    c = make_class(w.program, w.owner)
    enrolled = Enrollment.objects.create(training_class=c, trainee=someone, category=migrant)
    Enrollment.objects.create(training_class=c, trainee=nobody)

    migrate_sets()
    migrate_sets()  # again: nothing more

    assert list(TrainingRecordGroup.objects.values_list("record_id", "category_id")) == [(with_category.pk, migrant.pk)]
    assert list(EnrollmentGroup.objects.values_list("enrollment_id", "category_id")) == [(enrolled.pk, migrant.pk)]
    assert not TrainingRecordGroup.objects.filter(record_id=without.pk).exists()
