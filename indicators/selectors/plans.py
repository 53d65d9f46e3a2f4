"""Which plans and regions a user works with, the plan a page opens on, and the key tasks of a plan."""

from datetime import date

from django.db.models import Prefetch, Q

from accounts.models import User
from catalog.models import Region
from core import clock
from core.policy import can

from ..models import KeyTask, Plan, Target, TaskProgress


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


def plans_with_targets(plans, region: Region | None) -> set[int]:
    """Ids of those of `plans` that have a target for `region` (None: a national target)."""
    qs = Target.objects.filter(indicator__plan__in=list(plans))
    qs = qs.filter(region=region) if region is not None else qs.filter(region__isnull=True)
    return set(qs.values_list("indicator__plan_id", flat=True).distinct())


def plan_for_region(plans, region: Region | None, today: date) -> Plan | None:
    """The plan a dashboard opens on when none is asked for: a province (and the national page) the newest
    current plan (plan_default), as it allocates them; a city or county the newest current plan that has a target
    for it, else the newest plan that has one (a plan without any only when no plan has one)."""
    plans = list(plans)
    if region is None or region.level == Region.Level.PROVINCE:
        return plan_default(plans, today)
    with_targets = plans_with_targets(plans, region)
    return plan_default([p for p in plans if p.pk in with_targets] or plans, today)


def year_for_region(plan: Plan, region: Region | None, today: date) -> int:
    """The year a dashboard opens on: this year within the plan's years, unless the region has targets only for
    other years (yearly indicators) — then the latest of those up to it, else the earliest after it."""
    year = year_default(plan, today)
    qs = Target.objects.filter(indicator__plan=plan)
    qs = qs.filter(region=region) if region is not None else qs.filter(region__isnull=True)
    years = set(qs.values_list("year", flat=True))
    if not years or None in years or year in years:
        return year
    before = [y for y in years if y <= year]
    return max(before) if before else min(years)


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
