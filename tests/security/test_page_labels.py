"""Every form control on the pages each role works on has a name a screen reader can say (a <label for>, a
wrapping label, aria-label or aria-labelledby), and no id appears twice on a page (a label would point at the
wrong control). The pages: the 工作台, everything its sidebar and to-dos link to, and the first object linked from
each of those lists, in the demo world."""

from collections import Counter

import pytest
from bs4 import BeautifulSoup

from .conftest import ROLES

pytestmark = pytest.mark.django_db

SIGNED_IN = [r for r in ROLES if r != "anonymous"]
UNLABELLED = ("hidden", "submit", "button", "reset", "image")


def soup(client, url) -> BeautifulSoup | None:
    response = client.get(url)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return None
    return BeautifulSoup(response.content, "html.parser")


def pages_of(client) -> dict[str, BeautifulSoup]:
    home = soup(client, "/")
    lists = {a["href"] for a in home.select('[data-testid="sidebar"] a, [data-testid="todos"] a')}
    pages = {"/": home}
    for url in sorted(lists):
        page = soup(client, url)
        if page is None:
            continue
        pages[url] = page
        first = page.select_one("main table a[href^='/']")
        if first and first["href"] not in pages and (detail := soup(client, first["href"])) is not None:
            pages[first["href"]] = detail
    return pages


def unnamed_controls(page: BeautifulSoup) -> list[str]:
    labelled = {label.get("for") for label in page.select("label[for]")}
    missing = []
    for control in page.select("input, select, textarea"):
        if control.get("type", "text") in UNLABELLED:
            continue
        named = control.get("aria-label") or control.get("aria-labelledby") or control.find_parent("label")
        if not named and control.get("id") not in labelled:
            missing.append(control.get("id") or control.get("name"))
    return missing


@pytest.mark.parametrize("role", SIGNED_IN)
def test_every_control_has_a_name_and_every_id_is_unique(world, role):
    problems = []
    for url, page in pages_of(world.client(role)).items():
        if missing := unnamed_controls(page):
            problems.append(f"{url}: unlabelled {missing}")
        twice = [i for i, n in Counter(e["id"] for e in page.select("[id]")).items() if n > 1]
        if twice:
            problems.append(f"{url}: duplicate ids {twice}")
    assert not problems, "\n".join(problems)
