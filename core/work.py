"""What waits for a user: the 工作台 and the sidebar's counts. Each app's work.py declares its to-dos with
`todo(...)` — a label, the list where the work is done, the permission that gates it, and the user's waiting
objects (a queryset from the app's selectors) — and its panels with `panel(...)`. The home page and the menu read
them, so neither knows an app."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from .policy import can

SHOWN = 3  # objects listed under a to-do on the 工作台, the oldest first


@dataclass(frozen=True)
class Todo:
    key: str
    label: str
    url_name: str
    permission: str
    items: Callable  # user -> QuerySet of what waits, oldest (most urgent) first
    order: int
    query: str = ""  # the list page's filter, e.g. "status=submitted"
    hint: str = ""  # what to do, one line
    overdue: Callable | None = None  # QuerySet -> its overdue part
    overdue_label: str = ""
    link: Callable | None = None  # object -> its page, for the first few listed
    title: Callable = str  # object -> how it is named there
    action: str = ""  # the button on the object's own page that leads to the work (waiting_on)


@dataclass(frozen=True)
class Panel:
    template: str
    permission: str
    context: Callable  # user -> dict for the template
    order: int


TODOS: dict[str, Todo] = {}
PANELS: list[Panel] = []


def todo(key: str, label, url_name: str, *, permission: str, items: Callable, order: int, **options) -> None:
    TODOS[key] = Todo(key, label, url_name, permission, items, order, **options)


def panel(template: str, *, permission: str, context: Callable, order: int) -> None:
    PANELS.append(Panel(template, permission, context, order))
    PANELS.sort(key=lambda p: p.order)


@dataclass
class Work:
    todo: Todo
    count: int
    overdue: int
    url: str
    first: list  # (label, url) of the first objects

    @property
    def key(self) -> str:
        return self.todo.key


def _work(user, t: Todo, *, detail: bool) -> Work:
    items = t.items(user)
    count = items.count()
    overdue = t.overdue(items).count() if t.overdue and count else 0
    url = reverse(t.url_name) + (f"?{t.query}" if t.query else "")
    first = []
    if detail and count and t.link:
        first = [(t.title(obj), t.link(obj)) for obj in items[:SHOWN]]
    return Work(t, count, overdue, url, first)


def work_of(user, *, detail: bool = False) -> list[Work]:
    """The user's to-dos, most urgent first: those with overdue items, then those with waiting items, then the
    empty ones (kept, so the page says there is nothing to do rather than hiding the queue)."""
    if not user.is_authenticated:
        return []
    works = [
        _work(user, t, detail=detail) for t in sorted(TODOS.values(), key=lambda t: t.order) if can(user, t.permission)
    ]
    return sorted(works, key=lambda w: (w.overdue == 0, w.count == 0, w.todo.order))


def counts_of(request) -> dict[str, int]:
    """The waiting counts of the signed-in user, once per request (the sidebar's badges)."""
    if not hasattr(request, "_work_counts"):
        user = getattr(request, "user", None)
        request._work_counts = {w.key: w.count for w in work_of(user)} if user else {}
    return request._work_counts


def panels_of(user) -> list[tuple[str, dict]]:
    return [(p.template, p.context(user)) for p in PANELS if can(user, p.permission)]


def waiting_on(user, obj) -> list[tuple[str, str]]:
    """(action, url) of the to-dos that wait on `obj`, for buttons on its own page: a finished class's page
    offers 申请补贴 though the claim belongs to a higher app. One query per to-do of the object's model."""
    if not user.is_authenticated:
        return []
    steps = []
    for t in sorted(TODOS.values(), key=lambda t: t.order):
        if not (t.action and t.link and can(user, t.permission)):
            continue
        items = t.items(user)
        if items.model is type(obj) and items.filter(pk=obj.pk).exists():
            steps.append((t.action, t.link(obj)))
    return steps
