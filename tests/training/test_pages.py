"""The training pages, by role and scope: every URL of the app that names class B, for every user."""

from datetime import time

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from core.clock import replaying as clock
from training import urls as training_urls

from . import pages_kit as kit
from .pages_kit import (
    MIXED,
    TARGETED,
    UNTARGETED,
    _first,
    hit,
    messages_of,
    snapshot,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]
world = kit.world  # the fixture


def test_the_scope_tests_cover_every_url_of_the_training_app():
    assert {p.name for p in training_urls.urlpatterns} == {r.name for r in TARGETED} | UNTARGETED


@pytest.mark.parametrize("who", ["inst_a", "anda"])
@pytest.mark.parametrize("row", TARGETED, ids=[r.id for r in TARGETED])
def test_outsiders_cannot_see_or_change_class_b(client, world, who, row):
    c = world.b_class(row.status)
    outsider = getattr(world, who)
    before = snapshot(c)
    assert hit(client, outsider, row, c).status_code == getattr(row, who)
    assert snapshot(c) == before
    assert not AuditEvent.objects.filter(actor=outsider).exclude(action="user.signed_in").exists()


@pytest.mark.parametrize("row", TARGETED, ids=[r.id for r in TARGETED])
def test_the_same_requests_work_for_b_s_owner_or_b_s_county(client, world, row):
    """Control: the refusals above are about scope, not about malformed requests or impossible states."""
    c = world.b_class(row.status)
    before = snapshot(c)
    if row.id == "attendance":  # a manual entry is made once the session has taken place
        with clock(_first(c.sessions).date, time(17, 0)):
            response = hit(client, getattr(world, row.by), row, c, follow=True)
    else:
        response = hit(client, getattr(world, row.by), row, c, follow=True)
    assert response.status_code == 200
    if row.method == "post":
        assert not messages_of(response)
        assert snapshot(c) != before


@pytest.mark.parametrize("row", TARGETED, ids=[r.id for r in TARGETED])
def test_province_user_reads_class_b_but_changes_nothing(client, world, row):
    c = world.b_class(row.status)
    before = snapshot(c)
    assert hit(client, world.province, row, c).status_code == row.province
    assert snapshot(c) == before


@pytest.mark.parametrize(("name", "method", "args", "data"), MIXED, ids=[m[0] for m in MIXED])
def test_own_class_in_the_url_does_not_unlock_b_s_sessions_materials_or_enrollments(
    client, world, name, method, args, data
):
    a, b = world.a_class(), world.b_class()
    before = snapshot(b)
    client.force_login(world.inst_a)
    url = reverse(f"training:{name}", args=args(a, b))
    response = client.get(url) if method == "get" else client.post(url, data(a, b))
    assert response.status_code == 404
    assert snapshot(b) == before
