"""Plans (loaded from the seeds), targets and their allocation down the region tree, reported values, key-task
progress: the writes of the indicators app besides the roll-up and the monthly report."""

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from catalog.models import Region, TrainingType
from core.errors import DomainError
from core.policy import can, require

from ..models import DepartmentTarget, Indicator, KeyTask, Plan, ReportedValue, Target, TaskProgress

PLANS_FILE = Path(__file__).resolve().parent.parent / "data" / "plans.json"


def plans_load(path: Path = PLANS_FILE) -> int:
    """Load the plans of the seeds. Idempotent, and it brings a plan loaded earlier up to the file: its
    indicators' descriptions (name, unit, kind, source, definition, attribute, comparator, parent, order) are
    updated and the indicators and key tasks it lacks added, with their targets; the targets of indicators it
    had are left as they are (the province may have allocated or corrected them). Returns how many plans were
    new."""
    data = json.loads(path.read_text(encoding="utf-8"))
    regions = {r.code: r for r in Region.objects.filter(level__in=["province", "city"])}
    regions.update({r.code: r for r in Region.objects.filter(code__in=_county_codes(data))})
    loaded = 0
    for spec in data["plans"]:
        with transaction.atomic():
            loaded += _load_plan(spec, regions)
    return loaded


def _load_department_targets(spec, indicators) -> None:
    """The department quotas the file lists and the database lacks (a quota entered since stays as it is)."""
    types = {t.code: t for t in TrainingType.objects.all()}
    for d in spec.get("department_targets", []):
        if d["indicator"] in indicators:
            DepartmentTarget.objects.get_or_create(
                indicator=indicators[d["indicator"]],
                department=d["department"],
                training_type=types[d["training_type"]] if d.get("training_type") else None,
                defaults={"value": d["value"]},
            )


def _county_codes(data) -> set[str]:
    return {t["region"] for p in data["plans"] for i in p["indicators"] for t in i["targets"] if len(t["region"]) == 6}


def _indicator_fields(item: dict, order: int) -> dict:
    return {
        "name": item["name"],
        "unit": item.get("unit", "人次"),
        "kind": item["kind"],
        "source": item["source"],
        "definition": item.get("definition") or "",
        "attribute": item.get("attribute", ""),
        "comparator": item.get("comparator") or Indicator.Comparator.AT_LEAST,
        "sort_order": order,
    }


def _load_plan(spec, regions) -> int:
    """Create or bring up to date one plan; 1 if it was new."""
    plan, new = Plan.objects.update_or_create(
        code=spec["code"],
        defaults={
            "name": spec["name"],
            "document": spec.get("document", ""),
            "region": regions.get(spec["region"]),
            "start": spec["start"],
            "end": spec["end"],
        },
    )
    existing = {i.code: i for i in plan.indicators.all()}
    created = {}
    for order, item in enumerate(spec["indicators"]):
        fields = {**_indicator_fields(item, order), "parent": created.get(item.get("parent"))}
        indicator = existing.get(item["code"])
        if indicator is None:
            indicator = created[item["code"]] = Indicator.objects.create(plan=plan, code=item["code"], **fields)
            _create_targets(indicator, item["targets"], regions)
            continue
        created[item["code"]] = indicator
        if any(getattr(indicator, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(indicator, k, v)
            indicator.save()
    _load_department_targets(spec, created)
    tasks = {t.number: t for t in plan.tasks.all()}
    KeyTask.objects.bulk_create(
        [
            KeyTask(
                plan=plan,
                number=t["number"],
                title=t["title"][:300],
                responsible=t.get("responsible", "")[:300],
                deadline=t.get("deadline"),
            )
            for t in spec.get("tasks", [])
            if t["number"] not in tasks
        ]
    )
    for t in spec.get("tasks", []):  # a deadline the file gained (the plan's words, read later)
        task = tasks.get(t["number"])
        if task is not None and task.deadline is None and t.get("deadline"):
            task.deadline = t["deadline"]
            task.save(update_fields=["deadline"])
    return int(new)


def _create_targets(indicator: Indicator, targets: list[dict], regions) -> None:
    for t in targets:
        Target.objects.create(
            indicator=indicator,
            region=regions.get(t["region"]),
            year=t.get("year"),
            value=t["value"],
            stretch=t.get("stretch"),
            city_own=t.get("city_own", False),
        )


@transaction.atomic
def target_set(
    *,
    actor: User,
    indicator: Indicator,
    region: Region,
    value: int,
    year: int | None = None,
    city_own: bool = False,
    stretch: int | None = None,
) -> Target:
    """A province allocates to its cities, a city to its counties and to 市本级 (itself)."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise DomainError(_("目标应为不小于 0 的整数。"), field="value")
    if stretch is not None and (not isinstance(stretch, int) or stretch < value):
        raise DomainError(_("力争目标应为不小于目标的整数。"), field="stretch")
    parent = region if city_own else region.parent
    if parent is None or not can(actor, "target.allocate", parent):
        raise PermissionDenied(_("只能向本级区划的下级（或市本级）分解目标。"))
    if city_own and region.level != Region.Level.CITY:
        raise DomainError(_("只有地市可以设置市本级目标。"))
    plan = indicator.plan
    if year is not None and not plan.start.year <= year <= plan.end.year:
        raise DomainError(
            _("年度 %(y)s 不在计划期 %(s)s–%(e)s 内。") % {"y": year, "s": plan.start.year, "e": plan.end.year},
            field="year",
        )
    if indicator.kind == Indicator.Kind.YEARLY and year is None:
        raise DomainError(_("年度指标须填写年度。"), field="year")
    target, _created = Target.objects.update_or_create(
        indicator=indicator,
        region=region,
        year=year,
        city_own=city_own,
        defaults={"value": value, "stretch": stretch},
    )
    audit_log(
        actor=actor,
        action="target.set",
        target=target,
        region=region,
        details={"indicator": indicator.code, "year": year, "value": value, "city_own": city_own},
    )
    return target


@transaction.atomic
def reported_value_set(
    *, actor: User, indicator: Indicator, region: Region | None, period, value: int, evidence: str
) -> ReportedValue:
    if indicator.definition or indicator.source == Indicator.Source.COMPUTED:
        raise DomainError(_("该指标由系统统计，不能填报。"))
    if region is None:
        require(actor, "indicator.report_national_value", message=_("全国数据由系统管理员填报。"))
    else:
        require(actor, "indicator.report_value", region, _("只能填报本级或下级区划的数据。"))
    if value < 0:
        raise DomainError(_("数值不能为负。"), field="value")
    if not (evidence or "").strip():
        raise DomainError(_("请填写依据（文件、名单等）。"), field="evidence")
    reported, _created = ReportedValue.objects.update_or_create(
        indicator=indicator,
        region=region,
        period=period.replace(day=1),
        defaults={"value": value, "evidence": evidence.strip(), "reported_by": actor},
    )
    audit_log(
        actor=actor,
        action="indicator.reported",
        target=indicator,
        region=region,
        details={"period": str(period), "value": value},
    )
    return reported


@transaction.atomic
def task_progress_report(*, actor: User, task: KeyTask, note: str, completed: bool = False) -> TaskProgress:
    require(actor, "task.report", message=_("只有人社部门可以报告重点任务进展。"))
    require(actor, "task.report", task, _("该任务不属于您所在地区的计划。"))
    if completed:
        require(actor, "task.complete", task, _("只有计划制定单位可以确认任务完成；请提交进展情况。"))
    if not (note or "").strip():
        raise DomainError(_("请填写进展情况。"), field="note")
    progress = TaskProgress.objects.create(task=task, note=note.strip(), completed=completed, reported_by=actor)
    if completed and not task.done:
        task.done = True
        task.save(update_fields=["done"])
    audit_log(actor=actor, action="task.progress_reported", target=task.plan, details={"task": task.number})
    return progress
