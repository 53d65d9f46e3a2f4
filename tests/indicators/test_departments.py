"""Department quotas (绥化 附件1): a class organised by a department (组织部门) counts toward that department's quota
as the quota's indicator counts it (subsidized training: the approved claims' ledger rows), split by training type
where the quota is (市场监督管理局, 总工会: 30 岗位技能提升 + 30 创业)."""

from datetime import date

import pytest

from catalog.models import Department, TrainingType
from indicators.models import DepartmentTarget, Plan
from indicators.selectors.departments import department_progress
from indicators.services.plans import plans_load
from tests.indicators.factories import IndicatorFactory, PlanFactory, region
from tests.subsidies.factories import World, approved_claim, completed_class, level, make_standard
from training.models import TrainingClass

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def test_the_suihua_plan_loads_every_department_quota_and_the_two_splits():
    plans_load()
    targets = DepartmentTarget.objects.filter(indicator__plan__code__startswith="suihua")

    assert sum(t.value for t in targets if t.training_type is None) == 810
    splits = {(t.department, t.training_type.code, t.value) for t in targets if t.training_type}
    assert splits == {
        ("市场监督管理局", "skill_upgrade", 30),
        ("市场监督管理局", "entrepreneurship", 30),
        ("总工会", "skill_upgrade", 30),
        ("总工会", "entrepreneurship", 30),
    }
    quota_names = {t.department for t in targets}
    assert quota_names == set(Department.objects.values_list("name", flat=True))


def department_class(department: str | None, *, people: int, training_type: str = "employment_skills", **kw):
    """A completed class of `people`, organised by `department`, whose claim is approved."""
    kind = TrainingType.objects.get(code=training_type)
    world = World.make(training_type=kind)
    if training_type != "employment_skills":  # completed_class sets the 就业技能培训 standard only
        make_standard("23", skill_level=level("level5"), training_type=kind)
    h = completed_class(world, people=people, **kw)
    if department:
        TrainingClass.objects.filter(pk=h.training_class.pk).update(department=Department.objects.get(name=department))
    approved_claim(h)
    return h


@pytest.fixture
def plan() -> Plan:
    plan = PlanFactory(code="suihua-test", region=region("2312"), start=date(2025, 1, 1), end=date(2025, 12, 31))
    indicator = IndicatorFactory(plan=plan, definition="subsidized_training")
    DepartmentTarget.objects.create(indicator=indicator, department="商务局", value=60)
    DepartmentTarget.objects.create(indicator=indicator, department="市场监督管理局", value=60)
    for code in ("skill_upgrade", "entrepreneurship"):
        DepartmentTarget.objects.create(
            indicator=indicator,
            department="市场监督管理局",
            value=30,
            training_type=TrainingType.objects.get(code=code),
        )
    return plan


def test_department_progress_counts_the_approved_trainings_of_the_departments_classes(plan):
    department_class("商务局", people=3)
    department_class("市场监督管理局", people=2, first=3, training_type="skill_upgrade")
    department_class(None, people=2, first=5)  # organised by no department

    rows = {r["department"]: r for r in department_progress(plan)}

    assert (rows["商务局"]["target"], rows["商务局"]["done"]) == (60, 3)
    assert rows["商务局"]["share"] == pytest.approx(0.05)
    market = rows["市场监督管理局"]
    assert market["done"] == 2
    assert [(p["training_type"], p["target"], p["done"]) for p in market["parts"]] == [
        ("岗位技能提升培训", 30, 2),
        ("创业培训", 30, 0),
    ]


def test_a_department_class_outside_the_plans_region_or_period_does_not_count(plan):
    outside = PlanFactory(code="harbin-test", region=region("2301"), start=date(2025, 1, 1), end=date(2025, 12, 31))
    indicator = IndicatorFactory(plan=outside, definition="subsidized_training")
    DepartmentTarget.objects.create(indicator=indicator, department="商务局", value=10)
    earlier = PlanFactory(code="suihua-2019", region=region("2312"), start=date(2019, 1, 1), end=date(2019, 12, 31))
    DepartmentTarget.objects.create(
        indicator=IndicatorFactory(plan=earlier, definition="subsidized_training"), department="商务局", value=10
    )
    department_class("商务局", people=2)  # 北林区 of 绥化, approved in 2025

    assert [r["done"] for r in department_progress(plan)][:1] == [2]
    assert [r["done"] for r in department_progress(outside)] == [0]
    assert [r["done"] for r in department_progress(earlier)] == [0]


def test_the_city_dashboard_shows_the_department_table(plan, client, city_user):
    department_class("商务局", people=3)
    client.force_login(city_user)

    page = client.get("/dashboard/2312/", {"plan": plan.code, "year": 2025}).content.decode()

    assert 'data-testid="department-quotas"' in page
    assert 'data-department="商务局"' in page and "其中：创业培训" in page
    county_page = client.get("/dashboard/231202/", {"plan": plan.code, "year": 2025}).content.decode()
    assert 'data-testid="department-quotas"' not in county_page  # the quotas are the city's
