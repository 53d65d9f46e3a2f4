"""Department quotas (绥化 2019, seed 004, 附件1): each department's quota of an indicator and its progress, counted
from the classes that department organised (TrainingClass.department) exactly as the indicator counts.

A ledger row names no class: a claim's row is found by its source_ref (subsidies: claim-<claim>-line-<line>), so
the rows of the department classes' approved claim lines are the department's. Only classes in the plan's region
count, over the plan's whole period (the quotas have no year). Reads only the department classes' lines: the
dashboard never scans the ledger for this."""

from collections import Counter

from django.db.models import Q

from catalog.models import Department
from subsidies.models import ClaimLine
from trainees.models import RecordSource

from ..definitions import DEFINITIONS, FACTS
from ..models import DepartmentTarget, Plan


def _counted(definition: str, plan: Plan) -> tuple[Counter, Counter]:
    """({department id: n}, {(department id, training type code): n}) of the ledger rows `definition` counts that
    came from claims of department classes in the plan's region and count in the plan's period."""
    lines = ClaimLine.objects.filter(claim__training_class__department__isnull=False)
    if plan.region_id:
        lines = lines.filter(claim__training_class__county__code__startswith=plan.region.code)
    department_of = {
        f"claim-{claim}-line-{line}": department
        for line, claim, department in lines.values_list("pk", "claim_id", "claim__training_class__department_id")
    }
    totals, by_type = Counter(), Counter()
    condition = DEFINITIONS[definition].sources.get("ledger")
    if not department_of or condition is None:
        return totals, by_type
    facts = FACTS["ledger"]()
    rows = (
        facts.queryset.annotate(counted=facts.month)
        .filter(condition, Q(source=RecordSource.CLAIM, source_ref__in=list(department_of)))
        .filter(counted__range=(plan.start.replace(day=1), plan.end))
        .values_list("source_ref", "training_type__code")
    )
    for ref, training_type in rows:
        totals[department_of[ref]] += 1
        by_type[(department_of[ref], training_type)] += 1
    return totals, by_type


def department_progress(plan: Plan) -> list[dict]:
    """One row per department with a quota in `plan`, in the quota table's order: the department, its indicator,
    quota and done, and the parts of the quota by training type (市场监督管理局, 总工会) with theirs."""
    targets = list(
        DepartmentTarget.objects.filter(indicator__plan=plan)
        .select_related("indicator", "training_type")
        .order_by("pk")
    )
    if not targets:
        return []
    departments = {d.name: d for d in Department.objects.all()}
    counts = {d: _counted(d, plan) for d in {t.indicator.definition for t in targets if t.indicator.definition}}
    rows, by_name = [], {}
    for t in targets:
        department = departments.get(t.department)
        totals = counts.get(t.indicator.definition, (Counter(), Counter()))[0]
        pk = department.pk if department else None
        if t.training_type_id is None:
            row = {
                "department": t.department,
                "indicator": t.indicator,
                "target": t.value,
                "done": totals.get(pk, 0),
                "share": totals.get(pk, 0) / t.value if t.value else None,
                "parts": [],
            }
            by_name[(t.indicator_id, t.department)] = row
            rows.append(row)
    for t in targets:
        row = by_name.get((t.indicator_id, t.department))
        if t.training_type_id is not None and row is not None:
            department = departments.get(t.department)
            by_type = counts.get(t.indicator.definition, (Counter(), Counter()))[1]
            done = by_type.get((department.pk if department else None, t.training_type.code), 0)
            row["parts"].append(
                {"training_type": t.training_type.name, "target": t.value, "done": done, "share": done / t.value}
            )
    return rows
