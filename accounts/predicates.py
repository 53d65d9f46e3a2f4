"""The building blocks of every app's permissions.py: who a user is (their role) and what they may reach (their
region or their institution). Composed with & | ~ (django-rules).

Object predicates answer for one object; asked without one (`can(user, "claim.decide")`: may this user decide
claims at all, to show a menu entry or a list page) they are True, and the object question is asked again where
the object is loaded. Services always pass the object."""

import operator
from functools import reduce

import rules

from .models import Role


def role_is(*roles):
    """The user has one of `roles`; a superuser counts as an administrator."""
    name = "role_is_" + "_".join(roles)

    def test(user) -> bool:
        return user.role in roles or (Role.ADMIN in roles and user.is_superuser)

    return rules.predicate(test, name=name)


is_province = role_is(Role.PROVINCE)
is_city = role_is(Role.CITY)
is_county = role_is(Role.COUNTY)
is_finance = role_is(Role.FINANCE)
is_institution = role_is(Role.INSTITUTION)
is_admin = role_is(Role.ADMIN)
is_bureau = is_province | is_city | is_county  # 人社部门 at any level
is_deciding_bureau = is_city | is_county  # decides cases: designation, class openings, claims
is_anyone = is_bureau | is_finance | is_institution | is_admin


def _follow(obj, path: str):
    return reduce(lambda o, attr: getattr(o, attr), path.split("."), obj) if path else obj


def region_within_scope(path: str):
    """The object's region (reached by the dotted `path`; "" for a Region) lies inside the user's region. An
    administrator without a region reaches everything (a superuser given a county acts as that county); anyone
    else without a region reaches nothing."""

    def test(user, obj) -> bool:
        if obj is None:
            return True
        if user.region_id is None:  # the system administrator's scope is everything; anyone else's nothing
            return user.is_system_admin
        region = _follow(obj, path)
        return region is not None and region.code.startswith(user.region.code)

    return rules.predicate(test, name=f"region_within_scope({path})")


def region_is_own(path: str):
    """The object's region is exactly the user's region (a list published by this bureau, not one below it)."""

    def test(user, obj) -> bool:
        return obj is None or (
            user.region_id is not None and _follow(obj, path + "_id" if path else "pk") == user.region_id
        )

    return rules.predicate(test, name=f"region_is_own({path})")


def institution_is_own(path: str):
    """The object belongs to the user's institution (reached by `path`; "" for an Institution)."""

    def test(user, obj) -> bool:
        if obj is None:
            return True
        own = user.institution_id
        return own is not None and (_follow(obj, path + "_id") if path else obj.pk) == own

    return rules.predicate(test, name=f"institution_is_own({path})")


@rules.predicate
def has_region(user) -> bool:
    return user.region_id is not None


def any_of(*predicates):
    return reduce(operator.or_, predicates)
