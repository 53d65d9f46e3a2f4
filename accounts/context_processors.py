"""Navigation by role. Later apps add their entries here (one list, read top to bottom)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Role

ALL = tuple(Role)
BUREAU = (Role.PROVINCE, Role.CITY, Role.COUNTY, Role.ADMIN)

# (label, url name, roles that see it)
NAVIGATION = [
    (_("工作台"), "home", ALL),
    (_("审计日志"), "accounts:audit_list", (*BUREAU, Role.FINANCE)),
    (_("基础数据导入"), "accounts:reference_import", (Role.ADMIN,)),
    (_("API 文档"), "api-docs", (Role.ADMIN,)),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    role = Role.ADMIN if user.is_superuser else user.role
    items = [
        {"label": label, "url": reverse(name), "active": request.path == reverse(name)}
        for label, name, roles in NAVIGATION
        if role in roles
    ]
    return {"nav_items": items, "user_role_label": Role(role).label if role else ""}
