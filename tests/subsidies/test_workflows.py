"""The workflows of subsidies/workflows.py, enumerated: for each role and each status, the acts
`available_actions` offers (the tables below are the specification), and each transition refused from every
status outside its sources. A claim, its lines, the objections to its notice; a payment has no status (the
settlement is the claim's `settle`, the advance a permission on the class: see test_permissions.py).

People: the claim lies in 北林区 (231202) and belongs to `institution`; `county_other` is 安达市 (231281, same
city), `institution_other` another institution of 北林区."""

import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import Role
from core.errors import DomainError
from core.workflow import available_actions
from subsidies.models import ClaimLine, ClaimStatus, LineStatus, Objection
from subsidies.workflows import CLAIM, LINE, OBJECTION

from ..institutions.factories import InstitutionFactory
from .factories import (
    ObjectionFactory,
    PublicNoticeFactory,
    SubsidyClaimFactory,
    bureau,
    finance,
    institution_user,
    province,
    region,
    user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

ROLES = ["county", "city", "province", "county_other", "finance", "institution", "institution_other", "admin"]
S = ClaimStatus

# --- the tables -----------------------------------------------------------------------------------------------

REVIEW = {"reverify", "decide_lines", "accept_warning", "return", "reject"}

# Claim status -> role -> the acts offered; a status or role not named here: none. The steps of the system
# (queue_verification, verify, finish_verification, start_review, reject_on_objection, approve,
# reject_at_approval) are offered to no one.
CLAIM_ACTS = {
    S.DRAFT: {"institution": {"add_material", "submit"}},
    S.RETURNED: {"institution": {"add_material", "resubmit"}},
    S.VERIFIED: {"county": REVIEW, "city": REVIEW},
    S.UNDER_REVIEW: {"county": REVIEW | {"send_to_notice"}, "city": REVIEW | {"send_to_notice"}},
    S.APPROVED: {"finance": {"settle"}},
}

# Line status -> role -> acts (the guard "only while the claim is in review" is not run by available_actions;
# the API and the page ask the claim's `decide_lines` first).
LINE_ACTS = {status: {"county": {"approve", "reject"}, "city": {"approve", "reject"}} for status in LineStatus}

OBJECTION_ACTS = {Objection.Status.OPEN: {"county": {"uphold", "dismiss"}, "city": {"uphold", "dismiss"}}}

SYSTEM_STEPS = {
    "queue_verification",
    "verify",
    "finish_verification",
    "start_review",
    "reject_on_objection",
    "approve",
    "reject_at_approval",
}


@pytest.fixture
def world():
    own = InstitutionFactory(county=region("231202"))
    other = InstitutionFactory(county=region("231202"))
    people = {
        "county": bureau("231202"),
        "city": bureau("2312"),
        "province": province(),
        "county_other": bureau("231281"),
        "finance": finance("2312"),
        "institution": institution_user(own),
        "institution_other": institution_user(other),
        "admin": user(Role.ADMIN, None, username="sub-admin"),
    }
    return people, own


def claim_in(status, institution):
    return SubsidyClaimFactory.build(
        status=status, institution=institution, county=region("231202"), created_by=None, training_class=None
    )


def test_the_claim_workflow_offers_each_role_its_acts_in_each_status(world):
    people, own = world
    for status in ClaimStatus:
        claim = claim_in(status, own)
        for role in ROLES:
            expected = CLAIM_ACTS.get(status, {}).get(role, set())
            assert set(available_actions(people[role], claim)) == expected, (status, role)


def test_every_claim_transition_is_refused_from_a_status_outside_its_sources(world):
    _, own = world
    for action, transition in CLAIM.transitions.items():
        for status in set(ClaimStatus.values) - transition.sources:
            with pytest.raises(DomainError):
                CLAIM.check(None, claim_in(status, own), action)
        for status in transition.sources:
            assert CLAIM.check(None, claim_in(status, own), action) is transition


def test_the_steps_of_the_system_are_refused_to_every_user(world):
    people, own = world
    assert {a for a, t in CLAIM.transitions.items() if t.permission == "claim.system"} == SYSTEM_STEPS
    for action in SYSTEM_STEPS:
        claim = claim_in(next(iter(CLAIM.sources(action))), own)
        for role in ROLES:
            with pytest.raises(PermissionDenied):
                CLAIM.check(people[role], claim, action)


def test_a_user_without_the_permission_is_refused_before_the_status_is_considered(world):
    people, own = world
    with pytest.raises(PermissionDenied):
        CLAIM.check(people["institution_other"], claim_in(S.DRAFT, own), "submit")
    with pytest.raises(PermissionDenied):
        CLAIM.check(people["county_other"], claim_in(S.VERIFIED, own), "return")
    with pytest.raises(DomainError, match="不能提交"):
        CLAIM.check(people["institution"], claim_in(S.VERIFIED, own), "submit")


def line_in(status, claim_status, institution):
    return ClaimLine(status=status, claim=claim_in(claim_status, institution))


def test_the_line_workflow_offers_decisions_to_the_deciding_bureau_in_every_line_status(world):
    people, own = world
    for status in LineStatus:
        line = line_in(status, S.UNDER_REVIEW, own)
        for role in ROLES:
            expected = LINE_ACTS.get(status, {}).get(role, set())
            assert set(available_actions(people[role], line)) == expected, (status, role)


def test_a_line_is_decided_only_while_its_claim_is_in_review(world):
    people, own = world
    for claim_status in ClaimStatus:
        for action in ("approve", "reject"):
            line = line_in(LineStatus.PENDING, claim_status, own)
            if claim_status in CLAIM.sources("decide_lines"):
                assert LINE.check(people["county"], line, action).target == LINE[action].target
            else:
                with pytest.raises(DomainError, match="只有核验完成的申请可以审核"):
                    LINE.check(people["county"], line, action)
    with pytest.raises(PermissionDenied):
        LINE.check(people["county_other"], line_in(LineStatus.PENDING, S.VERIFIED, own), "approve")


def test_the_system_line_steps_are_offered_to_no_one(world):
    people, own = world
    for action in ("reopen", "strike"):
        assert LINE[action].permission == "claim.system"
        for role in ROLES:
            with pytest.raises(PermissionDenied):
                LINE.check(people[role], line_in(LineStatus.APPROVED, S.PUBLIC_NOTICE, own), action)


def objection_in(status, institution):
    notice = PublicNoticeFactory.build(claim=claim_in(S.PUBLIC_NOTICE, institution))
    return ObjectionFactory.build(notice=notice, status=status)


def test_the_objection_workflow_offers_each_role_its_acts_in_each_status(world):
    people, own = world
    for status in Objection.Status:
        objection = objection_in(status, own)
        for role in ROLES:
            expected = OBJECTION_ACTS.get(status, {}).get(role, set())
            assert set(available_actions(people[role], objection)) == expected, (status, role)


def test_every_objection_transition_is_refused_once_the_objection_is_resolved(world):
    _, own = world
    for action, transition in OBJECTION.transitions.items():
        for status in set(Objection.Status.values) - transition.sources:
            with pytest.raises(DomainError, match="该异议已处理"):
                OBJECTION.check(None, objection_in(status, own), action)
