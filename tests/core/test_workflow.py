"""The workflow machinery (core.workflow) over a small declaration of its own: statuses checked, permission
asked, guards run, available actions derived."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import models

from core.errors import DomainError
from core.policy import POLICY, permission
from core.workflow import Transition, Workflow


class Status(models.TextChoices):
    OPEN = "open", "开放"
    SHUT = "shut", "关闭"


class Thing:
    def __init__(self, status, owner, ready=True):
        self.status, self.owner, self.ready = status, owner, ready


class Person:
    is_authenticated = is_active = True

    def __init__(self, name):
        self.name = name


@pytest.fixture(scope="module")
def workflow():
    permission("test.thing.shut", lambda user, thing: thing is None or thing.owner == user.name)
    permission("test.thing.note", lambda user, thing: True)
    flow = Workflow(
        "thing",
        Thing,
        Status,
        [
            Transition(
                "shut",
                "关闭",
                frozenset({Status.OPEN}),
                Status.SHUT,
                "test.thing.shut",
                guards=(lambda t: None if t.ready else "尚未准备好。",),
            ),
            Transition("note", "备注", frozenset({Status.OPEN, Status.SHUT}), None, "test.thing.note"),
        ],
    )
    yield flow
    for name in ("test.thing.shut", "test.thing.note"):
        POLICY.remove_rule(name)


def test_the_owner_may_shut_an_open_thing_and_sees_both_actions(workflow):
    thing = Thing(Status.OPEN, "王")
    assert workflow.check(Person("王"), thing, "shut").target == Status.SHUT
    assert set(workflow.available(Person("王"), thing)) == {"shut", "note"}


def test_someone_else_is_refused_by_the_permission_and_sees_only_what_they_may_do(workflow):
    thing = Thing(Status.OPEN, "王")
    with pytest.raises(PermissionDenied):
        workflow.check(Person("李"), thing, "shut")
    assert set(workflow.available(Person("李"), thing)) == {"note"}


def test_a_status_outside_the_sources_is_a_domain_error_naming_the_status(workflow):
    with pytest.raises(DomainError, match="关闭"):
        workflow.check(Person("王"), Thing(Status.SHUT, "王"), "shut")
    assert set(workflow.available(Person("王"), Thing(Status.SHUT, "王"))) == {"note"}


def test_a_guard_refuses_with_its_message(workflow):
    with pytest.raises(DomainError, match="尚未准备好"):
        workflow.check(Person("王"), Thing(Status.OPEN, "王", ready=False), "shut")


def test_a_declaration_with_an_unknown_status_or_a_repeated_action_is_refused():
    with pytest.raises(ValueError, match="unknown statuses"):
        Workflow("bad", object, Status, [Transition("x", "x", frozenset({"nowhere"}), None, "p")])
    twice = Transition("x", "x", frozenset({Status.OPEN}), None, "p")
    with pytest.raises(ValueError, match="twice"):
        Workflow("bad", object, Status, [twice, twice])
