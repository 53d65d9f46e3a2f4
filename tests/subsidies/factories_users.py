"""Users of the subsidies tests by role and region (the county or city bureau, finance, the province) and an
institution's own user, each made once per username; re-exported by tests/subsidies/factories.py."""

from accounts.models import Role, User
from catalog.models import Region
from institutions.models import Institution

from ..accounts.factories import UserFactory


def user(role: str, region_code: str | None = None, username: str | None = None, **kw) -> User:
    """A user of `role` (made once per username)."""
    region = Region.objects.get(code=region_code) if region_code else None
    return UserFactory(role=role, region=region, username=username or f"sub-{role}-{region_code}", **kw)


def bureau(region_code: str = "231202") -> User:
    return user(Role.COUNTY if len(region_code) == 6 else Role.CITY, region_code)


def finance(region_code: str = "2312") -> User:
    return user(Role.FINANCE, region_code)


def province() -> User:
    return user(Role.PROVINCE, "23")


def institution_user(institution: Institution) -> User:
    return UserFactory(role=Role.INSTITUTION, institution=institution, username=f"sub-inst-{institution.pk}")
