"""The training app's named permissions (core.policy)."""

from accounts.predicates import is_admin, is_bureau, is_deciding_bureau, is_institution
from core.policy import permission

permission("class.decide", is_deciding_bureau)
permission("class.list", is_bureau | is_admin | is_institution)
permission("device.manage", is_institution)
