"""Every permission of trainees/permissions.py, answered for each role: without an object, and for a person of
北林区 (231202) who trained with the institution, or for the county of 北林区 (registering)."""

import pytest

from catalog.models import Region
from core.policy import can
from trainees.services.people import trainee_link

from ..institutions.factories import DesignatedInstitutionFactory
from .factories import register

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

ROLES = ["province", "city", "county", "county_other", "finance", "institution", "institution_other", "admin"]

#                                  prov  city  cnty  cnty2 fin   inst  inst2 admin
PERMISSIONS = {
    # name: (asked without an object, asked with the person (the county for trainee.register))
    "trainee.list": ("1 1 1 1 0 1 1 1", None),
    "trainee.view": ("1 1 1 1 0 1 1 1", "1 1 1 0 0 1 0 1"),
    "trainee.register": ("0 1 1 1 0 0 0 0", "0 1 1 0 0 0 0 0"),
    "trainee.record": ("0 1 1 1 0 0 0 0", "0 1 1 0 0 0 0 0"),
    "certificate.import": ("0 1 1 1 0 0 0 0", None),
    "trainee.reveal": ("0 1 1 1 0 0 0 0", "0 1 1 0 0 0 0 0"),
    "trainee.export_full": ("0 1 1 1 0 0 0 0", None),
    "trainee.view_all_records": ("1 1 1 1 1 0 0 1", None),
}


@pytest.fixture
def world(make_user):
    institution, other = DesignatedInstitutionFactory(), DesignatedInstitutionFactory()
    users = {
        "province": make_user("province", "23", username="p-province"),
        "city": make_user("city", "2312", username="p-city"),
        "county": make_user("county", "231202", username="p-county"),
        "county_other": make_user("county", "231281", username="p-anda"),
        "finance": make_user("finance", "231202", username="p-finance"),
        "institution": make_user("institution", None, institution=institution, username="p-inst"),
        "institution_other": make_user("institution", None, institution=other, username="p-inst2"),
        "admin": make_user("admin", username="p-admin", is_superuser=True, is_staff=True),
    }
    beilin = Region.objects.get(code="231202")
    person = register()
    trainee_link(trainee=person, county=beilin, institution=institution)
    return person, beilin, users


@pytest.mark.parametrize("name", list(PERMISSIONS))
def test_every_permission_answers_each_role_as_the_table_says(world, name):
    person, beilin, users = world
    without, with_object = PERMISSIONS[name]
    assert [int(can(users[r], name)) for r in ROLES] == [int(x) for x in without.split()], "without an object"
    if with_object:
        obj = beilin if name == "trainee.register" else person
        assert [int(can(users[r], name, obj)) for r in ROLES] == [int(x) for x in with_object.split()]
