"""The subsidies app's named permissions (core.policy): who may do what to claims, notices, payments, spot checks
and phone follow-ups. Each is a predicate over the user and, asked with an object, its scope: a claim's county
(a bureau's region must contain it) or its institution (an institution's own claims only).

Asked without an object, an object predicate is True: `can(user, "claim.decide")` is "may this user decide
claims at all" (a menu entry, a page); services and detail pages ask again with the object."""

import rules

from accounts.predicates import (
    has_region,
    institution_is_own,
    is_admin,
    is_bureau,
    is_city,
    is_county,
    is_deciding_bureau,
    is_finance,
    is_institution,
    is_province,
    region_is_own,
    region_within_scope,
)
from core.policy import permission

is_owner = is_institution & institution_is_own("institution")  # a claim's (or a class's) own institution
in_county = region_within_scope("county")  # the claim's (or the class's) county lies in the user's region

# --- claims -------------------------------------------------------------------------------------------------

permission("claim.view", is_owner | ((is_bureau | is_finance | is_admin) & in_county))
# A draft is the institution's own business until it is submitted.
permission("claim.view_drafts", is_institution)
# Finance sees a claim from its approval on (what it pays); everyone else from its submission.
permission("claim.view_before_approval", is_institution | is_bureau | is_admin)
# The menu shows the claim list to those who do not work from the review queue.
permission("claim.menu_list", is_institution | is_province | is_admin)
# The class pages are linked from a claim for those who may open them (finance may not).
permission("claim.open_class", is_institution | is_bureau | is_admin)

permission("claim.create", is_owner)  # asked with the training class
permission("claim.submit", is_owner)
permission("claim.add_material", is_owner)

# Deciding: the county or city whose region holds the claim (never the administrator, who runs the system).
permission("claim.decide", is_deciding_bureau & in_county)
permission("claim_line.decide", is_deciding_bureau & region_within_scope("claim.county"))
# The steps the system takes, or that follow from another act (the verification task, the first line decision
# starting the review, approval after the notice): no user starts them, so no page or API offers them. Services
# check these transitions with user=None.
permission("claim.system", rules.always_deny)

# --- public notice and objections ---------------------------------------------------------------------------

permission("objection.view", (is_bureau | is_admin) & in_county)  # asked with the claim
permission("objection.resolve", is_deciding_bureau & region_within_scope("notice.claim.county"))

# --- phone follow-ups ---------------------------------------------------------------------------------------

permission("follow_up.view", (is_deciding_bureau | is_province | is_admin) & in_county)  # asked with the claim
permission("follow_up.draw", is_deciding_bureau & in_county)  # asked with the claim
permission("follow_up.record", is_deciding_bureau & region_within_scope("claim.county"))  # with the follow-up
# The full phone number to call (each reveal is audited by trainees:reveal): those who make the calls.
permission("follow_up.reveal_phone", is_deciding_bureau)

# --- payments -----------------------------------------------------------------------------------------------

# Finance of a region holding the class (an advance) or the claim (a settlement).
permission("payment.record", is_finance & in_county)

# --- standards ----------------------------------------------------------------------------------------------

permission("standard.view", is_bureau | is_finance | is_admin)
# The standards page: each city sets its own standards under the provincial guideline (DOMAIN.md, seed 000 §25),
# the province its guideline; counties apply them and read them (standard.view). Asked with the standard.
permission("standard.manage", (is_province | is_city) & region_is_own("region"))

# --- double-random spot checks ------------------------------------------------------------------------------

permission("spot_check.menu", is_county | is_city)
permission("spot_check.view", is_bureau | is_admin)
permission("spot_check.draw", is_bureau & has_region & region_is_own(""))  # asked with the region drawn in
permission("spot_check.record_visit", is_bureau & region_within_scope("training_class.county"))  # with the visit

# --- 技能提升补贴 (paid to the person; filed by bureau staff at the window) ------------------------------------

permission("skill_upgrade.view", (is_bureau | is_finance | is_admin) & in_county)
permission("skill_upgrade.file", is_county)  # the window (窗口代办) is the county's
permission("skill_upgrade.decide", is_deciding_bureau & in_county)
permission("skill_upgrade.pay", is_finance & in_county)
# The full bank account (each reveal audited): the deciding bureau and the finance that pays into it.
permission("skill_upgrade.reveal_account", (is_deciding_bureau | is_finance) & in_county)
