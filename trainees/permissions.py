"""The trainees app's named permissions (core.policy)."""

from accounts.predicates import is_admin, is_bureau, is_institution
from core.policy import permission

permission("trainee.list", is_bureau | is_admin | is_institution)
