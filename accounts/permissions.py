"""The accounts app's named permissions (core.policy)."""

from core.policy import permission

from .predicates import is_admin, is_anyone, is_bureau, is_finance, is_institution

permission("home.view", is_anyone)
permission("audit.view", is_bureau | is_finance | is_admin)  # within their scope (accounts.selectors)
permission("reference_data.import", is_admin)
permission("api_docs.view", is_admin)
# Everyone who decides or pays must sign in with a second factor; institutions may, and enrol from the menu.
permission("two_factor.required", is_bureau | is_finance | is_admin)
permission("two_factor.enrol_from_menu", is_institution)
