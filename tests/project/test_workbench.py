"""The 工作台 shows each user's live work (core.work), and the sidebar counts the same: a class application
appears for the county that decides it and leaves when decided; the institution sees its drafts, returned
applications and classes ready for a claim; finance the approved claims to settle; overdue work comes first."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from core import clock
from core.work import TODOS, work_of
from subsidies.models import ClaimStatus
from tests.subsidies.factories import World, approved_claim, completed_class, verified_claim
from tests.training.factories import approve, make_class, ready_class, submit
from training.models import ClassStatus
from training.services import classes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def home(user) -> BeautifulSoup:
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def todo_count(page: BeautifulSoup, key: str) -> int | None:
    card = page.select_one(f'[data-testid="todo-{key}"]')
    return int(card.select_one('[data-testid="todo-count"]').text) if card else None


def badge(page: BeautifulSoup, label: str) -> int:
    link = next(a for a in page.select('[data-testid="sidebar"] a') if label in a.text)
    found = link.select_one('[data-testid="nav-badge"]')
    return int(found.text.split()[-1]) if found else 0


def test_a_submitted_application_waits_on_the_deciding_county_and_leaves_when_decided():
    world = World.make()
    training_class = submit(ready_class(world.program, world.owner), world.owner)
    page = home(world.bureau)
    assert todo_count(page, "class_approvals") == 1
    assert badge(page, "开班审批") == 1
    link = page.select_one('[data-testid="todo-class_approvals"] [data-testid="todo-item"]')
    assert link.text == training_class.name and link["href"] == f"/classes/{training_class.pk}/"

    other_county = World.make(county_code="231281").bureau  # 安达市: not its region
    assert todo_count(home(other_county), "class_approvals") is None

    classes.class_transition(
        actor=world.bureau, training_class=training_class, to_status=ClassStatus.APPROVED, reason="同意"
    )
    page = home(world.bureau)
    assert todo_count(page, "class_approvals") is None  # nothing waits: named among the idle ones
    assert "待审批的开班申请" in page.select_one('[data-testid="todos"]').text
    assert badge(page, "开班审批") == 0


def test_overdue_work_comes_first_and_is_marked():
    world = World.make()
    later = submit(ready_class(world.program, world.owner), world.owner)
    soon = ready_class(world.program, world.owner, first=10, start=clock.today() + timedelta(days=2), name="临近开班")
    submit(soon, world.owner)
    works = work_of(world.bureau, detail=True)
    approvals = next(w for w in works if w.key == "class_approvals")
    assert (approvals.count, approvals.overdue) == (2, 1)
    assert works[0].key == "class_approvals"  # the only to-do with overdue items leads
    assert [title for title, _ in approvals.first] == [soon.name, later.name]  # the nearest start first
    card = home(world.bureau).select_one('[data-testid="todo-class_approvals"]')
    assert "3 天内开班 1" in card.text and "border-danger" in card["class"]


def test_the_institution_sees_its_drafts_and_returned_applications():
    world = World.make()
    make_class(world.program, world.owner, name="草稿班")
    returned = submit(ready_class(world.program, world.owner, first=10, name="退回班"), world.owner)
    classes.class_transition(
        actor=world.bureau, training_class=returned, to_status=ClassStatus.RETURNED, reason="课表不全"
    )
    page = home(world.owner)
    assert todo_count(page, "class_drafts") == 1
    assert todo_count(page, "classes_returned") == 1
    assert todo_count(page, "class_approvals") is None  # not the institution's to decide
    assert page.select_one('[data-testid="todo-class_drafts"] a')["href"] == f"/classes/?status={ClassStatus.DRAFT}"


def test_a_completed_class_without_a_claim_waits_on_the_institution():
    handles = completed_class()
    page = home(handles.owner)
    assert todo_count(page, "classes_to_claim") == 1


def test_finance_sees_the_approved_claims_to_settle():
    handles = completed_class()
    claim, _notice = approved_claim(handles)
    assert claim.status == ClaimStatus.APPROVED
    page = home(handles.finance)
    assert todo_count(page, "payments_to_record") == 1
    assert badge(page, "拨付") == 1
    assert page.select_one('[data-testid="todo-payments_to_record"] [data-testid="todo-item"]')["href"] == (
        f"/claims/{claim.pk}/"
    )


def test_a_user_with_nothing_waiting_is_told_so(make_user):
    page = home(make_user("county", "231281"))  # 安达市, where nothing has happened yet
    assert page.select_one('[data-testid="nothing-waiting"]') is not None


def test_every_todo_names_its_list_and_says_what_to_do():
    assert len(TODOS) >= 15
    for todo in TODOS.values():
        assert todo.hint, todo.key
        assert not todo.overdue or todo.overdue_label, todo.key


def test_approving_a_class_from_the_roster_ready_factory_clears_the_institutions_draft():
    world = World.make()
    training_class = ready_class(world.program, world.owner)
    assert todo_count(home(world.owner), "class_drafts") == 1
    approve(training_class, world.owner, world.bureau)
    assert todo_count(home(world.owner), "class_drafts") is None


def test_the_claim_form_opens_on_the_class_the_workbench_links_to():
    handles = completed_class()
    client = Client()
    client.force_login(handles.owner)
    link = home(handles.owner).select_one('[data-testid="todo-classes_to_claim"] [data-testid="todo-item"]')["href"]
    page = BeautifulSoup(client.get(link).content, "html.parser")
    assert page.select_one("#id_training_class option[selected]")["value"] == str(handles.training_class.pk)
    other = BeautifulSoup(client.get("/claims/new/?class=999999").content, "html.parser")
    assert other.select_one("#id_training_class option[selected]")["value"] == ""  # not the user's: none chosen


def page_of(user, url) -> BeautifulSoup:
    client = Client()
    client.force_login(user)
    return BeautifulSoup(client.get(url).content, "html.parser")


def test_a_finished_class_page_offers_the_claim_waiting_on_it_and_no_longer_once_claimed():
    handles = completed_class()
    url = f"/classes/{handles.training_class.pk}/"
    steps = page_of(handles.owner, url).select('[data-testid="next-step"]')
    assert [(a.text, a["href"]) for a in steps] == [("申请补贴", f"/claims/new/?class={handles.training_class.pk}")]
    assert page_of(handles.bureau, url).select('[data-testid="next-step"]') == []  # the county does not claim
    verified_claim(handles)
    assert page_of(handles.owner, url).select('[data-testid="next-step"]') == []


def test_the_provincial_official_sees_the_indicators_at_risk(province_user):
    card = home(province_user).select_one('[data-testid="at-risk-card"]')
    assert card is not None  # with no plan loaded nothing lags: the card says so
    assert card.select_one('[data-testid="at-risk-empty"]') or card.select_one('[data-testid="at-risk-table"]')


def test_an_institution_sees_no_indicator_panel():
    assert home(World.make().owner).select_one('[data-testid="at-risk-card"]') is None
