"""The indicators app's named permissions (core.policy): who reads the dashboards, key tasks and monthly reports,
who allocates targets, enters reported values, reports on key tasks and builds a monthly report.

Objects: a Region for the dashboard, reported values, target allocation and the monthly report (the region whose
figures are read, entered, allocated into or reported); a KeyTask for task progress; a MonthlyReport for reading
one. Asked without an object, a permission says whether the user may do it at all (menu, page, list).

The national figures (no region) have permissions of their own: "no object" means "at all", not "national".

The system administrator reads everything (every region, every plan, every report) and enters the national
reported values, but does not act for a bureau: no target allocation, no key-task report and no monthly report
built on demand (the monthly reports of every province and city are built by the scheduled task)."""

import rules

from accounts.predicates import (
    has_region,
    is_admin,
    is_bureau,
    is_city,
    is_province,
    region_is_own,
    region_within_scope,
)
from core.policy import permission

reads_indicators = is_bureau | is_admin  # 人社部门 at every level, and the administrator


@rules.predicate
def plan_concerns_own_region(user, task) -> bool:
    """The task's plan is national, or made for the user's region, a region above it or one below it."""
    if task is None:
        return True
    plan_region = task.plan.region
    if plan_region is None:
        return True
    own = user.region
    return own is not None and (plan_region.code.startswith(own.code) or own.code.startswith(plan_region.code))


# --- reading -------------------------------------------------------------------------------------------------------
permission("dashboard.view", reads_indicators)
permission("dashboard.view_region", reads_indicators & region_within_scope(""))  # obj: the Region shown
permission("dashboard.view_national", is_admin)  # the national page, and every plan whatever its region
permission("target.view", reads_indicators)  # the targets API (scoped by region)
permission("task.view", reads_indicators)
permission("report.view", reads_indicators & region_within_scope("region"))  # obj: a MonthlyReport

# --- acting for a bureau -------------------------------------------------------------------------------------------
# obj: the region allocated into (the children's parent; a city itself for 市本级)
permission("target.allocate", (is_province | is_city) & has_region & region_is_own(""))
permission("indicator.report_value", is_bureau & region_within_scope(""))  # obj: the Region reported for
permission("indicator.report_national_value", is_admin)
permission("task.report", is_bureau & plan_concerns_own_region)  # obj: a KeyTask
permission("task.complete", is_bureau & region_is_own("plan.region"))  # obj: a KeyTask: its plan's own region
permission("report.build", is_bureau & has_region & region_within_scope(""))  # obj: the Region reported on
