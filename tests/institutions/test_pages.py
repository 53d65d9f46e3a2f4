"""The institutions pages, by role and scope: every URL of the app aimed at institution B for every user, and the lists
and pages without an institution in the URL."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from institutions import urls as institution_urls
from institutions.models import (
    Institution,
)

from . import pages_kit as kit
from .factories import (
    credit_code,
)
from .pages_kit import (
    MIXED,
    TARGETED,
    TARGETED_IDS,
    UNTARGETED,
    profile_data,
    program_data,
    snapshot,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]
world = kit.world  # the fixture


def test_the_scope_tests_cover_every_url_of_the_institutions_app():
    names = {p.name for p in institution_urls.urlpatterns}
    assert names == {name for name, *_ in TARGETED} | UNTARGETED


@pytest.mark.parametrize("who", ["inst_a", "anda"])
@pytest.mark.parametrize(("name", "method", "args", "data", "inst_a", "anda", "province"), TARGETED, ids=TARGETED_IDS)
def test_outsiders_cannot_see_or_change_institution_b(
    client, world, who, name, method, args, data, inst_a, anda, province
):
    outsider = getattr(world, who)
    client.force_login(outsider)
    before = snapshot(world.b)
    url = reverse(f"institutions:{name}", args=args(world))
    response = client.post(url, data(world)) if method == "post" else client.get(url)
    assert response.status_code == {"inst_a": inst_a, "anda": anda}[who]
    assert snapshot(world.b) == before
    assert not AuditEvent.objects.filter(actor=outsider).exclude(action="user.signed_in").exists()


@pytest.mark.parametrize(("name", "method", "args", "data", "inst_a", "anda", "province"), TARGETED, ids=TARGETED_IDS)
def test_the_same_requests_work_for_b_s_own_county(
    client, world, county_user, name, method, args, data, inst_a, anda, province
):
    """Control: the refusals above are about scope, not about the requests being malformed."""
    client.force_login(county_user)
    before = snapshot(world.b)
    url = reverse(f"institutions:{name}", args=args(world))
    response = client.post(url, data(world), follow=True) if method == "post" else client.get(url)
    assert response.status_code == 200
    if method == "post":
        assert snapshot(world.b) != before
        assert not [m for m in response.context["messages"] if m.level_tag == "error"]


@pytest.mark.parametrize(("name", "who", "args", "expected"), MIXED, ids=[f"{m[0]}-{m[1]}" for m in MIXED])
def test_own_institution_in_the_url_does_not_unlock_b_s_teachers_venues_or_changes(
    client, world, name, who, args, expected
):
    client.force_login(getattr(world, who))
    before = snapshot(world.b)
    data = {"approve": "1", "reason": ""} if name == "change_decide" else {}
    assert client.post(reverse(f"institutions:{name}", args=args(world)), data).status_code == expected
    assert snapshot(world.b) == before


@pytest.mark.parametrize(("name", "method", "args", "data", "inst_a", "anda", "province"), TARGETED, ids=TARGETED_IDS)
def test_province_user_reads_institution_b_but_cannot_change_it(
    client, world, province_user, name, method, args, data, inst_a, anda, province
):
    client.force_login(province_user)
    before = snapshot(world.b)
    url = reverse(f"institutions:{name}", args=args(world))
    response = client.post(url, data(world)) if method == "post" else client.get(url)
    assert response.status_code == province
    assert snapshot(world.b) == before


def test_province_user_sees_b_on_the_list_and_its_detail_without_the_transition_form(client, world, province_user):
    client.force_login(province_user)
    assert world.b.name in client.get("/institutions/").content.decode()
    detail = client.get(f"/institutions/{world.b.pk}/").content.decode()
    assert world.b.name in detail and 'data-testid="transition-form"' not in detail


@pytest.mark.parametrize("name", sorted({name for name, *_ in TARGETED} | UNTARGETED))
def test_anonymous_visitor_is_sent_to_the_login_page(client, world, name):
    pattern = next(p for p in institution_urls.urlpatterns if p.name == name)
    args = {
        0: [],
        1: [world.b.pk],
        2: [world.b.pk, 1],
    }[len(pattern.pattern.converters)]
    if name == "import":
        args = ["institutions"]
    url = reverse(f"institutions:{name}", args=args)
    for response in (client.get(url), client.post(url, {})):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


# --- lists and pages without an institution in the URL -----------------------------------------------


def test_other_county_list_and_search_do_not_contain_b(client, world):
    client.force_login(world.anda)
    page = client.get("/institutions/").content.decode()
    assert world.c.name in page and world.b.name not in page and world.a.name not in page
    search = client.get("/institutions/", {"q": world.b.credit_code}).content.decode()
    assert "没有符合条件的培训机构" in search and world.b.name not in search


@pytest.mark.parametrize("who", ["inst_a", "anda"])
def test_program_list_does_not_contain_b_s_programs(client, world, who):
    client.force_login(getattr(world, who))
    response = client.get("/institutions/programs/")
    assert response.status_code == 200
    assert world.b.name not in response.content.decode()


def test_institution_user_sees_only_its_own_programs(client, world):
    client.force_login(world.inst_a)
    page = client.get("/institutions/programs/").content.decode()
    assert world.a.name in page and world.c.name not in page


@pytest.mark.parametrize(
    "path",
    [
        "/institutions/",
        "/institutions/new/",
        "/institutions/programs/new/",
        "/institutions/urgent-lists/",
        "/institutions/import/institutions/",
        "/institutions/import/programs/",
    ],
)
def test_institution_user_is_refused_bureau_pages(client, world, path):
    client.force_login(world.inst_a)
    assert client.get(path).status_code == 403


def test_my_institution_goes_to_the_user_s_own_institution(client, world):
    client.force_login(world.inst_a)
    response = client.get("/institutions/mine/")
    assert response.status_code == 302 and response["Location"] == f"/institutions/{world.a.pk}/"


def test_other_county_cannot_offer_or_list_a_program_for_b(client, world):
    client.force_login(world.anda)
    form_page = client.get("/institutions/programs/new/", {"institution": world.b.pk})
    assert form_page.status_code == 200 and world.b.name not in form_page.content.decode()
    before = snapshot(world.b)
    response = client.post("/institutions/programs/new/", program_data(world.b))
    assert response.status_code == 400
    assert snapshot(world.b) == before
    assert not AuditEvent.objects.filter(actor=world.anda, action="program.listed").exists()


def test_other_county_cannot_register_an_institution_in_beilin(client, world):
    client.force_login(world.anda)
    response = client.post(
        "/institutions/new/",
        profile_data(world.b, name="越界登记的机构", credit_code=credit_code(880001)),
    )
    assert response.status_code == 400
    assert not Institution.objects.filter(name="越界登记的机构").exists()
