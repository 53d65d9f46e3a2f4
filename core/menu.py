"""Navigation: each app's menu.py adds its own entries (`entry(...)`) to one of the sidebar's task groups, each
behind a permission of the policy, so no app knows another's URLs. An entry may carry the count of a to-do
(core.work) as its badge. Entries show in `order`, groups in GROUPS' order."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .policy import can
from .work import counts_of

GROUPS = {
    "": "",  # the 工作台, above every group
    "directories": _("目录管理"),
    "classes": _("培训班"),
    "subsidies": _("补贴"),
    "supervision": _("监管"),
    "analysis": _("统计分析"),
    "system": _("系统"),
}


@dataclass(frozen=True)
class Entry:
    label: str
    url_name: str
    permission: str
    order: int
    group: str
    badge: str  # the key of a core.work to-do whose count shows beside the label


ENTRIES: list[Entry] = []


def entry(label, url_name: str, *, permission: str, order: int, group: str = "system", badge: str = "") -> None:
    assert group in GROUPS, f"{url_name}: unknown menu group {group!r}"
    ENTRIES.append(Entry(label, url_name, permission, order, group, badge))
    ENTRIES.sort(key=lambda e: e.order)


def _is_active(path: str, url: str) -> bool:
    return path == url or (url != "/" and path.startswith(url))


def _items(request) -> list[dict]:
    user = request.user
    counts = counts_of(request) if any(e.badge for e in ENTRIES) else {}
    items = []
    for e in ENTRIES:
        if can(user, e.permission):
            url = reverse(e.url_name)
            item = {"label": e.label, "url": url, "group": e.group, "badge": counts.get(e.badge, 0)}
            items.append(item | {"active": _is_active(request.path, url)})
    # Only the most specific matching entry is highlighted (/dashboard/targets/ is not also /dashboard/).
    longest = max((len(i["url"]) for i in items if i["active"]), default=0)
    for item in items:
        item["active"] = item["active"] and len(item["url"]) == longest
    return items


def navigation(request) -> dict:
    """Context processor: the entries the signed-in user may open, grouped by task, the current one highlighted,
    and the breadcrumb trail to it (group › entry)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_groups": [], "nav_trail": []}
    items = _items(request)
    groups = [
        {"key": key, "label": label, "items": members}
        for key, label in GROUPS.items()
        if (members := [i for i in items if i["group"] == key])
    ]
    active = next((i for i in items if i["active"]), None)
    trail = [] if active is None or active["url"] == "/" else [GROUPS[active["group"]], active]
    return {"nav_items": items, "nav_groups": groups, "nav_trail": trail}
