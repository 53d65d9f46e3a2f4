"""The permission policy (core.policy): names are declared once, an unknown name is an error, an inactive or
anonymous user may do nothing, and a superuser gets no more than the predicates give."""

import pytest
from django.contrib.auth.models import AnonymousUser

from core.policy import POLICY, can, names, permission
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_app_declares_its_permissions_at_startup():
    assert {"home.view", "claim.decide", "class.decide", "dashboard.view"} <= set(names())


def test_a_permission_is_declared_only_once():
    with pytest.raises(KeyError):
        permission("home.view", lambda user: True)


def test_asking_for_an_undeclared_permission_is_an_error_not_a_no():
    with pytest.raises(KeyError, match="declare it"):
        can(UserFactory(role="county"), "claim.decidee")


def test_anonymous_and_inactive_users_may_do_nothing():
    assert not can(AnonymousUser(), "home.view")
    assert not can(UserFactory(role="county", is_active=False), "home.view")


def test_a_superuser_is_an_administrator_and_no_more():
    admin = UserFactory(role="county", is_superuser=True, region=None)
    assert can(admin, "reference_data.import")
    assert "payment.record" in POLICY and not can(UserFactory(role="admin", is_superuser=True), "payment.record")
