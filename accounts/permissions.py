"""The accounts app's named permissions (core.policy)."""

from core.policy import permission

from .predicates import is_admin, is_anyone, is_bureau, is_finance, is_institution

permission("home.view", is_anyone)
permission("audit.view", is_bureau | is_finance | is_admin)  # within their scope (accounts.selectors)
permission("reference_data.import", is_admin)
permission("api_docs.in_menu", is_admin)  # the docs are open to every signed-in user; the menu shows them to admins
permission("reference_data.view", is_anyone)  # regions (within scope) and occupations, over the API
# Everyone who decides or pays must sign in with a second factor; institutions may, and enrol from the menu.
permission("two_factor.required", is_bureau | is_finance | is_admin)
permission("two_factor.enrol_from_menu", is_institution)
