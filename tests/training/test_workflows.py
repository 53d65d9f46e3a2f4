"""The class application workflow and the training permissions, enumerated: for each role and status the acts
`available_actions` offers (the table below), each act refused from a status outside its sources, and every
permission of training/permissions.py answered for each role."""

import pytest
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient

from catalog.models import Region
from core.errors import DomainError
from core.policy import can
from core.workflow import available_actions
from training.models import CheckInDevice
from training.models import ClassStatus as S
from training.workflows import CLASS

from ..institutions.factories import DesignatedInstitutionFactory
from .factories import World, make_class

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

ROLES = ["province", "city", "county", "county_other", "finance", "institution", "institution_other", "admin"]


@pytest.fixture
def world(make_user):
    """A class of 北林区's designated institution (a draft: its status is set per test), one user per role."""
    w = World()
    other = DesignatedInstitutionFactory()
    users = {
        "province": make_user("province", "23", username="w-province"),
        "city": make_user("city", "2312", username="w-city"),
        "county": w.bureau,
        "county_other": make_user("county", "231281", username="w-anda"),
        "finance": make_user("finance", "231202", username="w-finance"),
        "institution": w.owner,
        "institution_other": make_user("institution", None, institution=other, username="w-inst2"),
        "admin": make_user("admin", username="w-admin", is_superuser=True, is_staff=True),
    }
    return make_class(w.program, w.owner), w, users


OWNER = {
    S.DRAFT: ["submit", "edit"],
    S.SUBMITTED: [],
    S.RETURNED: ["resubmit", "edit"],
    S.REJECTED: [],
    S.APPROVED: ["start", "request_change"],
    S.IN_TRAINING: ["complete", "record_attendance", "record_result"],
    S.COMPLETED: ["record_attendance", "record_result"],
    S.CLOSED: [],
}
BUREAU = {S.SUBMITTED: ["approve", "return", "reject"], S.COMPLETED: ["close"]}  # nothing in the other statuses
TABLE = {
    "institution": OWNER,
    "city": BUREAU,
    "county": BUREAU,
    # province, county_other, finance, institution_other, admin: nothing in any status
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", S.values)
def test_the_class_workflow_offers_each_role_what_the_table_says(world, role, status):
    training_class, _, users = world
    training_class.status = status
    assert list(available_actions(users[role], training_class)) == TABLE.get(role, {}).get(status, [])


def test_the_table_names_every_declared_act():
    named = {a for table in (OWNER, BUREAU) for acts in table.values() for a in acts}
    assert named == set(CLASS.transitions)


@pytest.mark.parametrize(
    ("action", "status"), [(a, s) for a, t in CLASS.transitions.items() for s in S.values if s not in t.sources]
)
def test_each_act_is_refused_outside_its_statuses(world, action, status):
    training_class, w, _ = world
    training_class.status = status
    actor = w.owner if CLASS[action].permission == "class.manage_own" else w.bureau
    with pytest.raises(DomainError):
        CLASS.check(actor, training_class, action)


@pytest.mark.parametrize("action", list(CLASS.transitions))
def test_each_act_is_refused_to_a_user_without_its_permission(world, action):
    training_class, _, users = world
    training_class.status = next(iter(CLASS[action].sources))
    other = users["county"] if CLASS[action].permission == "class.manage_own" else users["institution"]
    for user in (other, users["province"], users["admin"], users["county_other"], users["institution_other"]):
        with pytest.raises(PermissionDenied):
            CLASS.check(user, training_class, action)


# --- the permissions ------------------------------------------------------------------------------------

#                             prov  city  cnty  cnty2 fin   inst  inst2 admin
PERMISSIONS = {
    # name: (asked without an object, asked with the submitted class (or its program, or a device of its
    # institution))
    "class.list": ("1 1 1 1 0 1 1 1", None),
    "class.view": ("1 1 1 1 0 1 1 1", "1 1 1 0 0 1 0 1"),
    "class.view_drafts": ("0 0 0 0 0 1 1 0", None),
    "class.create": ("0 0 0 0 0 1 1 0", "0 0 0 0 0 1 0 0"),
    "class.manage_own": ("0 0 0 0 0 1 1 0", "0 0 0 0 0 1 0 0"),
    "class.decide": ("0 1 1 1 0 0 0 0", "0 1 1 0 0 0 0 0"),
    "class.transition": ("0 1 1 1 0 1 1 0", "0 1 1 0 0 1 0 0"),
    "device.manage": ("0 0 0 0 0 1 1 0", "0 0 0 0 0 1 0 0"),
}


@pytest.mark.parametrize("name", list(PERMISSIONS))
def test_every_permission_answers_each_role_as_the_table_says(world, name):
    training_class, w, users = world
    training_class.status = S.SUBMITTED
    without, with_object = PERMISSIONS[name]
    assert [int(can(users[r], name)) for r in ROLES] == [int(x) for x in without.split()], "without an object"
    if with_object:
        obj = {
            "class.create": w.program,
            "device.manage": CheckInDevice(institution=w.institution),
        }.get(name, training_class)
        assert [int(can(users[r], name, obj)) for r in ROLES] == [int(x) for x in with_object.split()]


def test_a_draft_is_seen_by_its_institution_only(world):
    training_class, _, users = world
    assert training_class.status == S.DRAFT
    assert [r for r in ROLES if can(users[r], "class.view", training_class)] == ["institution"]


def test_the_county_is_what_the_bureau_permissions_follow(world):
    training_class, _, users = world
    training_class.status = S.SUBMITTED
    training_class.county = Region.objects.get(code="231281")
    assert can(users["county_other"], "class.decide", training_class)
    assert not can(users["county"], "class.decide", training_class)


# --- the API shows the allowed actions ----------------------------------------------------------------


def test_the_api_shows_each_user_the_acts_it_may_take_and_the_schema_says_so(world):
    from drf_spectacular.generators import SchemaGenerator

    training_class, _, users = world
    for role, actions in [("institution", ["submit", "edit"]), ("county", None), ("province", None)]:
        client = APIClient()
        client.force_authenticate(users[role])
        response = client.get(f"/api/classes/{training_class.pk}/")
        if actions is None:  # a draft is the institution's own
            assert response.status_code == 404
        else:
            assert response.json()["actions"] == actions
    training_class.status = S.SUBMITTED
    training_class.save()
    for role, actions in [("institution", []), ("county", ["approve", "return", "reject"]), ("province", [])]:
        client = APIClient()
        client.force_authenticate(users[role])
        assert client.get(f"/api/classes/{training_class.pk}/").json()["actions"] == actions, role
    schema = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    assert schema["TrainingClass"]["properties"]["actions"]["type"] == "array"
    assert schema["TrainingClass"]["properties"]["actions"]["items"] == {"type": "string"}
