"""Navigation: each app's menu.py adds its own entries (`entry(...)`), each behind a permission of the policy, so
no app knows another's URLs. Entries show in `order`, top to bottom."""

from dataclasses import dataclass

from django.urls import reverse

from .policy import can


@dataclass(frozen=True)
class Entry:
    label: str
    url_name: str
    permission: str
    order: int


ENTRIES: list[Entry] = []


def entry(label, url_name: str, *, permission: str, order: int) -> None:
    ENTRIES.append(Entry(label, url_name, permission, order))
    ENTRIES.sort(key=lambda e: e.order)


def _is_active(path: str, url: str) -> bool:
    return path == url or (url != "/" and path.startswith(url))


def navigation(request) -> dict:
    """Context processor: the entries the signed-in user may open, the most specific match highlighted."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for e in ENTRIES:
        if can(user, e.permission):
            url = reverse(e.url_name)
            items.append({"label": e.label, "url": url, "active": _is_active(request.path, url)})
    # Only the most specific matching entry is highlighted (/dashboard/targets/ is not also /dashboard/).
    longest = max((len(i["url"]) for i in items if i["active"]), default=0)
    for item in items:
        item["active"] = item["active"] and len(item["url"]) == longest
    return {"nav_items": items}
