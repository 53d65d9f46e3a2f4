"""Navigation by role. Later apps add their entries here (one list, read top to bottom)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Role

ALL = tuple(Role)
BUREAU = (Role.PROVINCE, Role.CITY, Role.COUNTY, Role.ADMIN)

# (label, url name, roles that see it)
NAVIGATION = [
    (_("工作台"), "home", ALL),
    (_("培训机构"), "institutions:list", BUREAU),
    (_("本机构"), "institutions:mine", (Role.INSTITUTION,)),
    (_("培训项目目录"), "institutions:programs", (*BUREAU, Role.INSTITUTION)),
    (_("急需紧缺职业"), "institutions:urgent_lists", BUREAU),
    (_("开班审批"), "training:queue", (Role.COUNTY, Role.CITY)),
    (_("培训班"), "training:list", (*BUREAU, Role.INSTITUTION)),
    (_("学员档案"), "trainees:list", (*BUREAU, Role.INSTITUTION)),
    (_("考勤设备"), "training:devices", (Role.INSTITUTION,)),
    (_("双因素认证"), "accounts:two_factor_setup", (Role.INSTITUTION,)),  # optional for institutions
    (_("补贴申请"), "subsidies:list", (Role.INSTITUTION, Role.PROVINCE, Role.ADMIN)),
    (_("补贴审核"), "subsidies:queue", (Role.COUNTY, Role.CITY)),
    (_("抽查"), "subsidies:spot_checks", (Role.COUNTY, Role.CITY)),
    (_("拨付"), "subsidies:payments", (Role.FINANCE,)),
    (_("进度看板"), "indicators:dashboard", BUREAU),
    (_("目标任务"), "indicators:targets", (Role.PROVINCE, Role.CITY)),
    (_("审计日志"), "accounts:audit_list", (*BUREAU, Role.FINANCE)),
    (_("基础数据导入"), "accounts:reference_import", (Role.ADMIN,)),
    (_("API 文档"), "api-docs", (Role.ADMIN,)),
]


def _is_active(path: str, url: str) -> bool:
    return path == url or (url != "/" and path.startswith(url))


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    role = Role.ADMIN if user.is_superuser else user.role
    items = []
    for label, name, roles in NAVIGATION:
        if role in roles:
            url = reverse(name)
            items.append({"label": label, "url": url, "active": _is_active(request.path, url)})
    # Only the most specific matching entry is highlighted (/dashboard/targets/ is not also /dashboard/).
    longest = max((len(i["url"]) for i in items if i["active"]), default=0)
    for item in items:
        item["active"] = item["active"] and len(item["url"]) == longest
    return {"nav_items": items, "user_role_label": Role(role).label if role else ""}
