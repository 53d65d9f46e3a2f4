"""The data migration that narrows stored ID-number masks to the scheme of core.masking (area code and check
character): derived from the old mask without the full number, set-based in id ranges, idempotent."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.masking import mask_id_number
from trainees.models import Trainee

from ..institutions.factories import TeacherFactory
from .factories import make_id, register

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

migration = importlib.import_module("trainees.migrations.0006_id_number_masks_area_and_check_char")


def run_migration() -> int:
    with CaptureQueriesContext(connection) as queries:
        migration.remask(apps, SimpleNamespace(connection=connection))
    return len(queries)


def old_mask(number: str) -> str:
    return number[:6] + "********" + number[-4:]


def test_old_trainee_and_teacher_masks_are_rewritten_to_area_code_and_check_character():
    numbers = [make_id("231202", seq=n) for n in (3, 14, 25)]
    people = [register(n, name=f"张{'一二三'[i]}") for i, n in enumerate(numbers)]
    for person, number in zip(people, numbers, strict=True):
        Trainee.objects.filter(pk=person.pk).update(id_number_masked=old_mask(number))
    teacher_number = make_id("231202", seq=8)
    teacher = TeacherFactory(name="李老师", id_number_masked=old_mask(teacher_number))
    run_migration()
    for person, number in zip(people, numbers, strict=True):
        person.refresh_from_db()
        assert person.id_number_masked == mask_id_number(number) == number[:6] + "*" * 11 + number[-1]
    teacher.refresh_from_db()
    assert teacher.id_number_masked == mask_id_number(teacher_number)


def test_running_it_again_changes_nothing_and_new_masks_are_left_alone():
    person = register(make_id("231202", seq=5))
    before = person.id_number_masked
    run_migration()
    run_migration()
    person.refresh_from_db()
    assert person.id_number_masked == before == mask_id_number(person.id_number)


def test_the_number_of_statements_does_not_grow_with_the_rows():
    register(make_id("231202", seq=1))
    few = run_migration()
    for n in range(2, 40):
        register(make_id("231202", seq=n))
    assert run_migration() == few  # one UPDATE per range of BATCH ids, whatever the rows in it
