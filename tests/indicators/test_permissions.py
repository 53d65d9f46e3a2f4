"""The indicators app's permissions (indicators/permissions.py): for each role, what it may do at all (the table),
and for each object permission, which objects (regions, key tasks, monthly reports) it reaches.

The pages and the API that ask these permissions are checked role by role in tests/security/test_access_matrix.py;
here the policy itself, and the one place where two copies disagreed (the administrator and the monthly report)."""

import pytest
from django.core.exceptions import PermissionDenied

from core.policy import can, names
from indicators.models import MonthlyReport, Plan
from indicators.selectors.plans import plans_of, region_visible
from indicators.services.plans import plans_load
from indicators.services.reports import monthly_report_request
from tests.indicators.factories import KeyTaskFactory, PlanFactory, region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

APP_PREFIXES = ("dashboard.", "target.", "task.", "report.", "indicator.")
ROLES = ["province", "city", "county", "finance", "institution", "admin"]

#                                  prov city cnty fin inst admin
MAY_AT_ALL = {
    "dashboard.view":                 "1    1    1    0   0    1",
    "dashboard.view_region":          "1    1    1    0   0    1",
    "dashboard.view_national":        "0    0    0    0   0    1",
    "target.view":                    "1    1    1    0   0    1",
    "task.view":                      "1    1    1    0   0    1",
    "report.view":                    "1    1    1    0   0    1",
    "target.allocate":                "1    1    0    0   0    0",
    "indicator.report_value":         "1    1    1    0   0    0",
    "indicator.report_national_value": "0   0    0    0   0    1",
    "task.report":                    "1    1    1    0   0    0",
    "task.complete":                  "1    1    1    0   0    0",
    "report.build":                   "1    1    1    0   0    0",
}  # fmt: skip


@pytest.fixture
def users(make_user):
    return {
        "province": make_user("province", "23"),
        "city": make_user("city", "2312"),
        "county": make_user("county", "231202"),
        "finance": make_user("finance", "2312"),
        "institution": make_user("institution"),
        "admin": make_user("admin"),
    }


def test_the_table_lists_every_permission_of_the_app():
    assert {n for n in names() if n.startswith(APP_PREFIXES)} == set(MAY_AT_ALL)


@pytest.mark.parametrize("name", MAY_AT_ALL)
def test_what_each_role_may_do_at_all(users, name):
    expected = dict(zip(ROLES, (token == "1" for token in MAY_AT_ALL[name].split()), strict=True))
    assert {role: can(user, name) for role, user in users.items()} == expected


def test_a_superuser_is_an_administrator_here_too(make_user):
    root = make_user("county", is_superuser=True)  # no region
    assert can(root, "dashboard.view_national") and can(root, "indicator.report_national_value")
    assert not can(root, "report.build") and not can(root, "target.allocate")


# --- objects ---------------------------------------------------------------------------------------------------


def reach(user, name, objects) -> dict:
    return {key: can(user, name, obj) for key, obj in objects.items()}


def regions(*codes):
    return {code: region(code) for code in codes}


def test_a_region_is_visible_inside_the_users_region_and_the_nation_to_the_administrator_only(users):
    some = regions("23", "2312", "231202", "231281", "2301", "22")
    assert reach(users["city"], "dashboard.view_region", some) == {
        "23": False, "2312": True, "231202": True, "231281": True, "2301": False, "22": False,
    }  # fmt: skip
    assert reach(users["county"], "dashboard.view_region", some) == {
        "23": False, "2312": False, "231202": True, "231281": False, "2301": False, "22": False,
    }  # fmt: skip
    assert all(reach(users["admin"], "dashboard.view_region", some).values())
    assert not any(reach(users["finance"], "dashboard.view_region", some).values())
    assert [region_visible(u, None) for u in users.values()] == [False, False, False, False, False, True]


def test_the_administrator_works_with_every_plan_the_others_with_the_plans_of_their_region(users):
    national, harbin, beilin = (PlanFactory(region=r) for r in (None, region("2301"), region("231202")))
    assert set(plans_of(users["admin"])) == {national, harbin, beilin}
    assert set(plans_of(users["county"])) == set(plans_of(users["city"])) | {beilin} == {national, beilin}
    assert set(plans_of(users["province"])) == {national}  # 231202's plan is not the province's to work with


def test_a_monthly_report_is_read_inside_the_users_region(users):
    beilin, anda = MonthlyReport(region=region("231202")), MonthlyReport(region=region("231281"))
    assert (can(users["county"], "report.view", beilin), can(users["county"], "report.view", anda)) == (True, False)
    assert can(users["city"], "report.view", anda) and can(users["admin"], "report.view", anda)


def test_targets_are_allocated_into_the_users_own_region_only(users):
    some = regions("23", "2312", "2301", "231202")
    assert reach(users["province"], "target.allocate", some) == {
        "23": True, "2312": False, "2301": False, "231202": False,
    }  # fmt: skip
    assert reach(users["city"], "target.allocate", some) == {
        "23": False, "2312": True, "2301": False, "231202": False,
    }  # fmt: skip


def test_values_are_reported_for_regions_in_scope_and_national_ones_by_the_administrator(users):
    some = regions("2312", "231202", "231281")
    assert reach(users["county"], "indicator.report_value", some) == {"2312": False, "231202": True, "231281": False}
    assert all(reach(users["city"], "indicator.report_value", some).values())
    assert not any(reach(users["admin"], "indicator.report_value", some).values())


def test_a_key_task_is_reported_on_along_its_plans_region_and_completed_by_that_region(make_user):
    suihua_task = KeyTaskFactory(plan=PlanFactory(region=region("2312")))
    national_task = KeyTaskFactory(plan=PlanFactory(region=None))
    who = {
        "province 23": make_user("province", "23"),
        "province 22": make_user("province", "22"),
        "city 2312": make_user("city", "2312"),
        "city 2301": make_user("city", "2301"),
        "county 231202": make_user("county", "231202"),
    }
    assert {k: can(u, "task.report", suihua_task) for k, u in who.items()} == {
        "province 23": True, "province 22": False, "city 2312": True, "city 2301": False, "county 231202": True,
    }  # fmt: skip
    assert {k: can(u, "task.complete", suihua_task) for k, u in who.items()} == {
        "province 23": False, "province 22": False, "city 2312": True, "city 2301": False, "county 231202": False,
    }  # fmt: skip
    assert all(can(u, "task.report", national_task) for u in who.values())
    assert not any(can(u, "task.complete", national_task) for u in who.values())


def test_a_report_is_built_for_a_region_in_scope_by_a_bureau_user_with_a_region(users, make_user):
    some = regions("2312", "231202", "2301")
    assert reach(users["city"], "report.build", some) == {"2312": True, "231202": True, "2301": False}
    assert not any(reach(make_user("city"), "report.build", some).values())  # a bureau account without a region


# --- the disagreement, resolved ----------------------------------------------------------------------------------


def test_the_administrator_reads_every_monthly_report_but_requests_none(client, admin_user, city_user):
    """REPORT_ROLES let the administrator request a report of any region in the service while the reports page
    answered the same request with a 404: report.build now decides both, and keeps the administrator out."""
    plans_load()
    plan = Plan.objects.get(code="suihua-2019")
    with pytest.raises(PermissionDenied):
        monthly_report_request(actor=admin_user, region=region("2312"), plan=plan, month=plan.start)

    client.force_login(admin_user)
    page = client.get("/dashboard/reports/")
    assert page.status_code == 200 and not page.context["may_generate"]
    assert client.post("/dashboard/reports/", {"plan": "suihua-2019", "month": "2019-10"}).status_code == 404

    client.force_login(city_user)
    assert client.get("/dashboard/reports/").context["may_generate"]
