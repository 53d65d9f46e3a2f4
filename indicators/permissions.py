"""The indicators app's named permissions (core.policy)."""

from accounts.predicates import is_admin, is_bureau, is_city, is_province
from core.policy import permission

permission("dashboard.view", is_bureau | is_admin)
permission("target.allocate", is_province | is_city)
