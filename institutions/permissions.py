"""The institutions app's named permissions (core.policy)."""

from accounts.predicates import is_admin, is_bureau, is_institution
from core.policy import permission

permission("institution.list", is_bureau | is_admin)
permission("institution.view_own", is_institution)
permission("program.list", is_bureau | is_admin | is_institution)
permission("urgent_list.list", is_bureau | is_admin)
