"""The subsidies app's named permissions (core.policy)."""

from accounts.predicates import (
    is_admin,
    is_city,
    is_county,
    is_deciding_bureau,
    is_finance,
    is_institution,
    is_province,
)
from core.policy import permission

# The menu shows the claim list to those who do not work from the review queue.
permission("claim.menu_list", is_institution | is_province | is_admin)
permission("claim.decide", is_deciding_bureau)
permission("spot_check.menu", is_county | is_city)
permission("payment.record", is_finance)
