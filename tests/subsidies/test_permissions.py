"""The named permissions of subsidies/permissions.py: who holds each at all (asked without an object: a menu
entry, a page), and the object scope of each that is asked with one (a claim's county or institution, a
class's, a visit's, a region's). Every permission the app declares is in the first table.

People as in test_workflows.py: objects in 北林区 (231202) of `institution`; `county_other` is 安达市 (231281),
`finance_other` a finance bureau of 哈尔滨 (2301), outside the city."""

import pytest

from accounts.models import Role
from core.policy import can, names
from subsidies.models import ClaimLine, ClaimStatus, PhoneFollowUp, SpotCheckVisit, SubsidyStandard
from training.models import TrainingClass

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
BUREAU = {"county", "city", "province", "county_other"}
DECIDERS = {"county", "city", "county_other"}
EVERYONE = set(ROLES)

# permission -> the roles that hold it when asked without an object
HOLDERS = {
    "claim.view": EVERYONE,
    "claim.view_drafts": {"institution", "institution_other"},
    "claim.view_before_approval": EVERYONE - {"finance"},
    "claim.menu_list": {"institution", "institution_other", "province", "admin"},
    "claim.open_class": EVERYONE - {"finance"},
    "claim.create": {"institution", "institution_other"},
    "claim.submit": {"institution", "institution_other"},
    "claim.add_material": {"institution", "institution_other"},
    "claim.decide": DECIDERS,
    "claim_line.decide": DECIDERS,
    "claim.system": set(),
    "objection.view": BUREAU | {"admin"},
    "objection.resolve": DECIDERS,
    "follow_up.view": DECIDERS | {"province", "admin"},
    "follow_up.draw": DECIDERS,
    "follow_up.record": DECIDERS,
    "follow_up.reveal_phone": DECIDERS,
    "payment.record": {"finance"},
    "standard.view": BUREAU | {"finance", "admin"},
    "standard.manage": {"province", "city"},
    "spot_check.menu": {"county", "city", "county_other"},
    "spot_check.view": BUREAU | {"admin"},
    "spot_check.draw": BUREAU,
    "spot_check.record_visit": BUREAU,
}


@pytest.fixture
def people():
    own = InstitutionFactory(county=region("231202"))
    other = InstitutionFactory(county=region("231202"))
    found = {
        "county": bureau("231202"),
        "city": bureau("2312"),
        "province": province(),
        "county_other": bureau("231281"),
        "finance": finance("2312"),
        "institution": institution_user(own),
        "institution_other": institution_user(other),
        "admin": user(Role.ADMIN, None, username="sub-admin"),
    }
    found["finance_other"] = finance("2301")
    return found, own


def test_the_table_names_every_permission_of_the_app():
    prefixes = ("claim.", "claim_line.", "objection.", "follow_up.", "payment.", "standard.", "spot_check.")
    assert {n for n in names() if n.startswith(prefixes)} == set(HOLDERS)


def test_who_holds_each_permission_at_all(people):
    found, _ = people
    for name, holders in HOLDERS.items():
        assert {role for role in ROLES if can(found[role], name)} == holders, name


def test_a_claim_is_seen_by_its_institution_and_the_regions_that_hold_it(people):
    found, own = people
    claim = SubsidyClaimFactory.build(institution=own, county=region("231202"), status=ClaimStatus.VERIFIED)
    seeing = {role for role in [*ROLES, "finance_other"] if can(found[role], "claim.view", claim)}
    assert seeing == {"county", "city", "province", "finance", "institution", "admin"}
    deciding = {role for role in [*ROLES, "finance_other"] if can(found[role], "claim.decide", claim)}
    assert deciding == {"county", "city"}
    for name in ("claim.submit", "claim.add_material"):
        assert {role for role in ROLES if can(found[role], name, claim)} == {"institution"}
    assert {role for role in ROLES if can(found[role], "follow_up.view", claim)} == {
        "county",
        "city",
        "province",
        "admin",
    }
    assert {role for role in ROLES if can(found[role], "follow_up.draw", claim)} == {"county", "city"}
    assert {role for role in ROLES if can(found[role], "objection.view", claim)} == {
        "county",
        "city",
        "province",
        "admin",
    }
    paying = {role for role in [*ROLES, "finance_other"] if can(found[role], "payment.record", claim)}
    assert paying == {"finance"}


def test_a_class_is_claimed_by_its_own_institution_and_paid_by_the_finance_of_its_region(people):
    found, own = people
    training_class = TrainingClass(institution=own, county=region("231202"))
    assert {role for role in ROLES if can(found[role], "claim.create", training_class)} == {"institution"}
    paying = {role for role in [*ROLES, "finance_other"] if can(found[role], "payment.record", training_class)}
    assert paying == {"finance"}


def test_lines_follow_ups_and_objections_are_decided_within_the_claims_region(people):
    found, own = people
    claim = SubsidyClaimFactory.build(institution=own, county=region("231202"))
    line = ClaimLine(claim=claim)
    follow_up = PhoneFollowUp(claim=claim, line=line)
    objection = ObjectionFactory.build(notice=PublicNoticeFactory.build(claim=claim))
    for name, obj in (("claim_line.decide", line), ("follow_up.record", follow_up), ("objection.resolve", objection)):
        assert {role for role in ROLES if can(found[role], name, obj)} == {"county", "city"}, name


def test_spot_checks_are_drawn_in_ones_own_region_and_visits_recorded_within_it(people):
    found, _ = people
    beilin = region("231202")
    assert {role for role in ROLES if can(found[role], "spot_check.draw", beilin)} == {"county"}
    assert {role for role in ROLES if can(found[role], "spot_check.draw", region("2312"))} == {"city"}
    no_region = user(Role.COUNTY, None, username="sub-county-without-region")
    assert not can(no_region, "spot_check.draw", no_region.region)
    visit = SpotCheckVisit(training_class=TrainingClass(county=beilin))
    recording = {role for role in ROLES if can(found[role], "spot_check.record_visit", visit)}
    assert recording == {"county", "city", "province"}


def test_standards_are_set_for_ones_own_region_only(people):
    found, _ = people
    standard = SubsidyStandard(region=region("2312"))
    assert {role for role in ROLES if can(found[role], "standard.manage", standard)} == {"city"}
    guideline = SubsidyStandard(region=region("23"))
    assert {role for role in ROLES if can(found[role], "standard.manage", guideline)} == {"province"}
