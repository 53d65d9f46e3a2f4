"""A class organised by a department (组织部门): chosen on the application form, changed with the application,
shown on the class page."""

import pytest

from catalog.models import Department
from training.models import TrainingClass

from . import pages_kit as kit
from .pages_kit import class_form, text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]
world = kit.world  # the fixture


def test_the_application_form_records_the_organising_department_and_the_page_shows_it(client, world):
    commerce, union = Department.objects.get(name="商务局"), Department.objects.get(name="总工会")
    client.force_login(world.inst_b)
    assert "组织部门" in text(client.get("/classes/new/"))

    response = client.post("/classes/new/", class_form(world.b_program) | {"department": commerce.pk})

    c = TrainingClass.objects.get()
    assert response.status_code == 302 and c.department == commerce
    assert "商务局" in text(client.get(f"/classes/{c.pk}/"))
    edit = class_form(world.b_program) | {"department": union.pk}
    assert client.post(f"/classes/{c.pk}/edit/", edit).status_code == 302
    c.refresh_from_db()
    assert c.department == union


def test_a_class_without_a_department_is_the_default(client, world):
    client.force_login(world.inst_b)
    client.post("/classes/new/", class_form(world.b_program))

    assert TrainingClass.objects.get().department is None
