"""Workflows declared once. Each app's workflows.py declares, for a model with one status field, every action:
from which statuses, to which status (or none: an act that leaves the status as it is), under which named
permission (core.policy), with which guards. Services call `check` before they act; pages, the API and the tests
ask `available_actions` which buttons to show, which acts to allow and which to enumerate."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .errors import DomainError
from .policy import can

Guard = Callable[[object], str | None]  # the object -> None if the act may go ahead, else why not (Chinese)


@dataclass(frozen=True)
class Transition:
    action: str  # "submit"
    label: str  # "提交", the button's text
    sources: frozenset  # statuses the act starts from
    target: str | None  # the status it ends in; None: the status stays
    permission: str  # a name in core.policy
    guards: tuple[Guard, ...] = ()
    refusal: str = ""  # the message when the status does not allow it, marked with gettext_noop; may name the
    # current status as %(s)s ("当前为“%(s)s”，补贴申请批准后才能清算。")

    def refused_because(self, obj) -> str | None:
        for guard in self.guards:
            problem = guard(obj)
            if problem:
                return problem
        return None


class Workflow:
    def __init__(self, name: str, model, statuses, transitions: list[Transition], field: str = "status"):
        self.name, self.model, self.statuses, self.field = name, model, statuses, field
        self.transitions = {t.action: t for t in transitions}
        if len(self.transitions) != len(transitions):
            raise ValueError(f"{name}: an action is declared twice")
        known = set(statuses.values)
        for t in transitions:
            unknown = (set(t.sources) | ({t.target} if t.target else set())) - known
            if unknown:
                raise ValueError(f"{name}.{t.action}: unknown statuses {unknown}")
        WORKFLOWS[model] = self

    def __getitem__(self, action: str) -> Transition:
        return self.transitions[action]

    def status_of(self, obj) -> str:
        return getattr(obj, self.field)

    def sources(self, action: str) -> frozenset:
        """The statuses from which `action` may start: for the queries of work waiting for it."""
        return self.transitions[action].sources

    def transition_to(self, obj, target: str, among=None) -> Transition | None:
        """The declared transition from `obj`'s status to `target` (pages that post a target status: each
        (status, target) pair is one action), or None; `among` limits it to some actions."""
        status = self.status_of(obj)
        for t in self.transitions.values():
            if t.target == target and status in t.sources and (among is None or t.action in among):
                return t
        return None

    def check(self, user, obj, action: str, *, denied: str = "") -> Transition:
        """The transition, if `user` may do `action` to `obj` now: PermissionDenied without the permission
        (`denied` says why, in the app's words), DomainError (with how to proceed) when the status or a guard
        does not allow it."""
        t = self.transitions[action]
        if user is not None and not can(user, t.permission, obj):
            raise PermissionDenied(denied or _("没有权限：%(a)s。") % {"a": t.label})
        status = self.status_of(obj)
        if status not in t.sources:
            label = self.statuses(status).label
            message = _(t.refusal) if t.refusal else _("当前状态为“%(s)s”，不能%(a)s。")
            raise DomainError(message % {"s": label, "a": t.label} if "%(" in message else message)
        problem = t.refused_because(obj)
        if problem:
            raise DomainError(problem)
        return t

    def available(self, user, obj) -> dict[str, Transition]:
        """The acts `user` may start on `obj` in its status (guards are not run here: a page shows the button and
        the service says what is missing when it is pressed)."""
        status = self.status_of(obj)
        return {a: t for a, t in self.transitions.items() if status in t.sources and can(user, t.permission, obj)}


WORKFLOWS: dict[type, Workflow] = {}


def workflow_of(obj) -> Workflow:
    return WORKFLOWS[type(obj)]


def available_actions(user, obj) -> dict[str, Transition]:
    """Action name → transition, for every act `user` may start on `obj` now."""
    return workflow_of(obj).available(user, obj)
