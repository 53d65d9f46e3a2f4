"""Which plans and regions a user works with, the plan a page opens on, and the key tasks of a plan."""

from datetime import date

from django.db.models import Prefetch, Q

from accounts.models import User
from catalog.models import Region
from core import clock
from core.policy import can

from ..models import KeyTask, Plan, TaskProgress


def region_visible(user: User, region: Region | None) -> bool:
    """May `user` read the figures of `region` (None: the national figures)?"""
    if region is None:
        return can(user, "dashboard.view_national")
    return can(user, "dashboard.view_region", region)


def plans_for(region: Region | None):
    """Plans that apply to a region: its own, those of the regions above it, and national plans."""
    codes = [region.code[:n] for n in (2, 4, 6) if region and n <= len(region.code)]
    return Plan.objects.filter(Q(region__code__in=codes) | Q(region__isnull=True)).order_by("-end", "code")


def plans_of(user: User):
    """Plans a user works with: those that apply to their region (who reads the national figures: every plan)."""
    return Plan.objects.all() if can(user, "dashboard.view_national") else plans_for(user.region)


def plan_default(plans, today: date) -> Plan | None:
    """The plan whose period contains today (the one ending last), else the latest one."""
    plans = list(plans)
    current = [p for p in plans if p.start <= today <= p.end]
    pool = current or plans
    return max(pool, key=lambda p: (p.end, p.start), default=None)


def plan_years(plan: Plan) -> list[int]:
    return list(range(plan.start.year, plan.end.year + 1))


def year_default(plan: Plan, today: date) -> int:
    """This year, within the plan's years."""
    return min(max(today.year, plan.start.year), plan.end.year)


def overdue_tasks(plan: Plan, today: date | None = None):
    return plan.tasks.filter(done=False, deadline__lt=today or clock.today())


def key_task_list(*, plan: Plan, show: str, today: date) -> list[tuple[KeyTask, bool]]:
    """The plan's tasks (`show`: all, open or overdue) with their progress reports, each with whether it is
    overdue."""
    qs = plan.tasks.prefetch_related(
        Prefetch("progress_reports", queryset=TaskProgress.objects.select_related("reported_by"))
    )
    if show == "open":
        qs = qs.filter(done=False)
    elif show == "overdue":
        qs = qs.filter(done=False, deadline__lt=today)
    return [(task, task.is_overdue(today)) for task in qs]
