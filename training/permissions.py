"""The training app's named permissions (core.policy).

The objects are a TrainingClass (its county and its institution), a Program for opening a class on it, and a
CheckInDevice (its institution)."""

import rules

from accounts.predicates import (
    institution_is_own,
    is_admin,
    is_bureau,
    is_deciding_bureau,
    is_institution,
    region_within_scope,
)
from core.policy import permission

from .models import ClassStatus


@rules.predicate
def submitted_at_least_once(user, training_class) -> bool:
    """A draft is the institution's own business until it is submitted (asked without a class: True)."""
    return training_class is None or training_class.status != ClassStatus.DRAFT


owns_class = is_institution & institution_is_own("institution")
decides_class = is_deciding_bureau & region_within_scope("county")

permission("class.list", is_bureau | is_admin | is_institution)
permission(
    "class.view", ((is_bureau | is_admin) & region_within_scope("county") & submitted_at_least_once) | owns_class
)
permission("class.view_drafts", is_institution)  # the institution's own drafts (the lists are scoped)
permission("class.create", owns_class)  # object: the Program the class is opened on
# The owning institution: timetable, materials, roster, attendance, results, and its steps of the workflow.
permission("class.manage_own", owns_class)
# County or city staff whose region holds the class: approve, return, reject, close.
permission("class.decide", decides_class)
# The page that posts a step of the workflow: whoever may take one (the workflow says which).
permission("class.transition", owns_class | decides_class)
permission("device.manage", owns_class)  # object: a CheckInDevice
# 创业后续服务: the owning institution or the county (city) staff whose region holds the class record a business start.
permission("class.follow_up", owns_class | decides_class)
