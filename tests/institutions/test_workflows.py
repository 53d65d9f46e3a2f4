"""The institutions app's declarations, enumerated: for each role and status, the acts `available_actions` offers
(the tables below); each act refused from a status outside its sources; and every permission of
institutions/permissions.py answered for each role, without and with an object."""

import pytest
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient

from catalog.models import Region
from core.errors import DomainError
from core.policy import can
from core.workflow import available_actions
from institutions.models import InstitutionStatus as S
from institutions.models import ProfileChangeRequest, ProgramStatus
from institutions.workflows import CHANGE_REQUEST, DESIGNATION, LISTING

from .factories import DesignatedInstitutionFactory, InstitutionFactory, ProfileChangeRequestFactory, ProgramFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

ROLES = ["province", "city", "county", "county_other", "finance", "institution", "institution_other", "admin"]
DECIDERS = {"city", "county"}  # 绥化市 and 北林区: the institution sits in 北林区


@pytest.fixture
def world(make_user):
    """An institution of 北林区 (231202) with a program and a pending change request, and one user per role."""
    institution = DesignatedInstitutionFactory()
    other = InstitutionFactory(county=Region.objects.get(code="231281"))
    users = {
        "province": make_user("province", "23", username="w-province"),
        "city": make_user("city", "2312", username="w-city"),
        "county": make_user("county", "231202", username="w-county"),
        "county_other": make_user("county", "231281", username="w-anda"),
        "finance": make_user("finance", "231202", username="w-finance"),
        "institution": make_user("institution", None, institution=institution, username="w-inst"),
        "institution_other": make_user("institution", None, institution=other, username="w-inst2"),
        "admin": make_user("admin", username="w-admin", is_superuser=True, is_staff=True),
    }
    program = ProgramFactory(institution=institution)
    change = ProfileChangeRequestFactory(institution=institution, submitted_by=users["institution"])
    return institution, program, change, users


# --- designation ------------------------------------------------------------------------------------------

DESIGNATION_TABLE = {
    S.APPLIED: ["designate"],
    S.DESIGNATED: ["suspend", "revoke"],
    S.SUSPENDED: ["reinstate", "revoke"],
    S.REVOKED: [],
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", list(DESIGNATION_TABLE))
def test_designation_offers_each_role_what_the_table_says(world, role, status):
    institution, _, _, users = world
    institution.status = status
    expected = DESIGNATION_TABLE[status] if role in DECIDERS else []
    assert list(available_actions(users[role], institution)) == expected


@pytest.mark.parametrize(
    ("action", "status"),
    [(a, s) for a, t in DESIGNATION.transitions.items() for s in S.values if s not in t.sources],
)
def test_each_designation_act_is_refused_outside_its_statuses(world, action, status):
    institution, _, _, users = world
    institution.status = status
    with pytest.raises(DomainError, match="不能"):
        DESIGNATION.check(users["county"], institution, action)


@pytest.mark.parametrize("action", list(DESIGNATION.transitions))
@pytest.mark.parametrize("role", sorted(set(ROLES) - DECIDERS))
def test_each_designation_act_needs_the_deciding_bureau_in_scope(world, action, role):
    institution, _, _, users = world
    institution.status = next(iter(DESIGNATION[action].sources))
    with pytest.raises(PermissionDenied):
        DESIGNATION.check(users[role], institution, action)
    assert DESIGNATION.check(users["county"], institution, action).action == action


# --- program listing --------------------------------------------------------------------------------------

LISTING_TABLE = {ProgramStatus.LISTED: ["delist"], ProgramStatus.DELISTED: ["relist"]}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", list(LISTING_TABLE))
def test_listing_offers_each_role_what_the_table_says(world, role, status):
    _, program, _, users = world
    program.status = status
    expected = LISTING_TABLE[status] if role in DECIDERS else []
    assert list(available_actions(users[role], program)) == expected


@pytest.mark.parametrize(
    ("action", "status"),
    [(a, s) for a, t in LISTING.transitions.items() for s in ProgramStatus.values if s not in t.sources],
)
def test_each_listing_act_is_refused_outside_its_statuses(world, action, status):
    _, program, _, users = world
    program.status = status
    with pytest.raises(DomainError):
        LISTING.check(users["county"], program, action)


# --- profile change requests ------------------------------------------------------------------------------

R = ProfileChangeRequest.Status
CHANGE_TABLE = {R.PENDING: ["approve", "reject"], R.APPROVED: [], R.REJECTED: []}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", list(CHANGE_TABLE))
def test_change_requests_offer_each_role_what_the_table_says(world, role, status):
    _, _, change, users = world
    change.status = status
    expected = CHANGE_TABLE[status] if role in DECIDERS else []
    assert list(available_actions(users[role], change)) == expected


@pytest.mark.parametrize("action", list(CHANGE_REQUEST.transitions))
@pytest.mark.parametrize("status", [R.APPROVED, R.REJECTED])
def test_a_decided_change_request_cannot_be_decided_again(world, action, status):
    _, _, change, users = world
    change.status = status
    with pytest.raises(DomainError) as refused:
        CHANGE_REQUEST.check(users["county"], change, action)
    assert str(refused.value.message) == "该变更申请已处理。"  # the declared refusal (a lazy translation)


# --- the permissions ------------------------------------------------------------------------------------

#                                   prov  city  cnty  cnty2 fin   inst  inst2 admin
PERMISSIONS = {
    # name: (asked without an object, asked with the object of 北林区's institution)
    "institution.list": ("1 1 1 1 0 0 0 1", None),
    "institution.view_own": ("0 0 0 0 0 1 1 0", None),
    "institution.view": ("1 1 1 1 0 1 1 1", "1 1 1 0 0 1 0 1"),
    "institution.decide": ("0 1 1 1 0 0 0 0", "0 1 1 0 0 0 0 0"),
    "institution.edit_own": ("0 0 0 0 0 1 1 0", "0 0 0 0 0 1 0 0"),
    "institution.edit": ("0 1 1 1 0 1 1 0", "0 1 1 0 0 1 0 0"),
    "change_request.decide": ("0 1 1 1 0 0 0 0", "0 1 1 0 0 0 0 0"),
    "program.list": ("1 1 1 1 0 1 1 1", None),
    "program.decide": ("0 1 1 1 0 0 0 0", "0 1 1 0 0 0 0 0"),
    "urgent_list.list": ("1 1 1 1 0 0 0 1", None),
    "urgent_list.publish": ("1 1 1 1 0 0 0 0", "0 0 1 0 0 0 0 0"),  # object: the region 北林区
}


def _object(name, world):
    institution, program, change, _ = world
    if name.startswith("change_request"):
        return change
    if name.startswith("program"):
        return program
    if name.startswith("urgent_list"):
        return Region.objects.get(code="231202")
    return institution


@pytest.mark.parametrize("name", list(PERMISSIONS))
def test_every_permission_answers_each_role_as_the_table_says(world, name):
    users = world[3]
    without, with_object = PERMISSIONS[name]
    assert [int(can(users[r], name)) for r in ROLES] == [int(x) for x in without.split()], "without an object"
    if with_object:
        obj = _object(name, world)
        assert [int(can(users[r], name, obj)) for r in ROLES] == [int(x) for x in with_object.split()]


# --- the API shows the allowed actions ----------------------------------------------------------------


def test_the_api_shows_each_user_the_acts_it_may_take(world):
    institution, program, _, users = world
    expected = {
        ("county", "institutions"): ["suspend", "revoke"],
        ("institution", "institutions"): [],
        ("province", "institutions"): [],
        ("county", "programs"): ["delist"],
        ("institution", "programs"): [],
    }
    for (role, kind), actions in expected.items():
        client = APIClient()
        client.force_authenticate(users[role])
        pk = institution.pk if kind == "institutions" else program.pk
        response = client.get(f"/api/{kind}/{pk}/")
        assert response.status_code == 200
        assert response.json()["actions"] == actions, (role, kind)


def test_the_schema_documents_actions_as_a_list_of_names():
    from drf_spectacular.generators import SchemaGenerator

    components = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    for name in ("Institution", "Program"):
        assert components[name]["properties"]["actions"] == {
            "type": "array",
            "items": {"type": "string"},
            "readOnly": True,
            "description": "当前用户现在可以进行的操作（工作流动作名）",
        }
