"""Every link of the 工作台 and the sidebar opens for the user it is shown to (no dead end, no 403 behind a
count), in the demo world, for every signed-in role."""

import pytest
from bs4 import BeautifulSoup

from .conftest import ROLES

pytestmark = pytest.mark.django_db

SIGNED_IN = [r for r in ROLES if r != "anonymous"]


@pytest.mark.parametrize("role", SIGNED_IN)
def test_every_link_of_the_workbench_and_the_sidebar_opens(world, role):
    client = world.client(role)
    page = BeautifulSoup(client.get("/").content, "html.parser")
    links = {a["href"] for a in page.select('[data-testid="todos"] a, [data-testid="sidebar"] a')}
    assert links, role
    for href in sorted(links):
        assert client.get(href, follow=True).status_code == 200, (role, href)


@pytest.mark.parametrize("role", SIGNED_IN)
def test_the_sidebar_badges_are_the_workbench_counts(world, role):
    page = BeautifulSoup(world.client(role).get("/").content, "html.parser")
    counts = {
        card.select_one("h3 a")["href"]: int(card.select_one('[data-testid="todo-count"]').text)
        for card in page.select('[data-testid^="todo-"].card')
    }
    for link in page.select('[data-testid="sidebar"] a'):
        found = link.select_one('[data-testid="nav-badge"]')
        if found:
            shown = int(found.text.split()[-1])
            assert shown in counts.values() and shown > 0, (role, link["href"])


def test_the_demo_county_has_work_waiting(world):
    page = BeautifulSoup(world.client("county").get("/").content, "html.parser")
    assert page.select('[data-testid="todo-count"]'), "the demo county's 工作台 shows no work"
