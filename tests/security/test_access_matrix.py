"""Access matrix: every URL pattern of the URLconf and every operation of the OpenAPI schema, for every role, against
real objects of the demo world in 北林区 (231202).

The two tables below are the specification. A URL pattern or API operation missing from them fails
`test_every_url_pattern_is_in_the_table` / `test_every_api_operation_is_in_the_table`: a new page or endpoint must
be added here with its expected outcome for each role.

Each row is one request; its expectation is nine tokens, one per role, in this order:

    anonymous  province  city  county  county_other  finance  institution  institution_other  admin

county = 北林区 (231202, where every object of the rows lives); county_other = 安达市 (231281, same city, objects
out of scope); institution = 绥化市公共实训基地 (owns the classes and claims); institution_other = 绥化技师学院.

Tokens: a status code ("200", "403", "404", "405", "400", "401"), "302" (a redirect that is not to the login page),
"login" (a redirect to the login page); "a/b" allows either; a trailing "!" (e.g. "302!") means the request is
answered that way but must change nothing (a page that redirects back with an error message). Writes are sent with
a minimal (often invalid) body; for every request, a role whose expected outcome is not a success (2xx, or a
redirect other than to login), or is marked "!", must not cause any AuditEvent: a refused or out-of-scope request
changes nothing.
"""

import functools
import json
import re
from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from accounts.models import AuditEvent

from .conftest import ROLES

# --------------------------------------------------------------------------------------------------------------
# the tables
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    method: str
    expect: str
    params: dict = field(default_factory=dict)  # URL kwarg -> world id name, or "=literal"
    query: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)  # form data (pages) or JSON body (API); values may name ids ("@name")
    note: str = ""

    def token(self, role: str) -> str:
        tokens = self.expect.split()
        assert len(tokens) == len(ROLES), f"{self}: {len(tokens)} tokens for {len(ROLES)} roles"
        return tokens[ROLES.index(role)]

    def expected(self, role: str) -> set[str]:
        return set(self.token(role).rstrip("!").split("/"))

    def may_write(self, role: str) -> bool:
        """A role may cause an audit event only if its expected outcome is a success and not marked "!"."""
        return not self.token(role).endswith("!") and is_success(self.expected(role))


def GET(expect, params=None, query=None, note=""):
    return Case("get", expect, params or {}, query or {}, {}, note)


def POST(expect, params=None, data=None, note=""):
    return Case("post", expect, params or {}, {}, data or {}, note)


A9 = "200 200 200 200 200 200 200 200 200"  # public
ALL_SIGNED_IN = "login 200 200 200 200 200 200 200 200"

#                               anon  prov  city  cnty  cnty2 fin   inst  inst2 admin
PAGES: dict[str, list[Case]] = {
    "home": [GET(ALL_SIGNED_IN)],
    # --- accounts
    "accounts:login": [
        GET("200 302 302 302 302 302 302 302 302"),
        POST("200 302! 302! 302! 302! 302! 302! 302! 302!", note="empty form: re-rendered for anonymous"),
    ],
    "accounts:logout": [
        GET("405 405 405 405 405 405 405 405 405"),
        POST("login login login login login login login login login", note="signed out, back to the login page"),
    ],
    "accounts:password_change": [GET(ALL_SIGNED_IN), POST(ALL_SIGNED_IN, note="empty form: re-rendered")],
    "accounts:password_change_done": [GET(ALL_SIGNED_IN)],
    "accounts:audit_list": [GET("login 200 200 200 200 200 403 403 200")],
    "accounts:two_factor_setup": [GET(ALL_SIGNED_IN), POST("login 400 400 400 400 400 400 400 400")],
    "accounts:two_factor_device_remove": [
        GET("login 405 405 405 405 405 405 405 405", {"pk": "=999999"}),
        POST("login 404 404 404 404 404 404 404 404", {"pk": "=999999"}, note="only one's own devices"),
    ],
    "accounts:two_factor_verify": [GET(ALL_SIGNED_IN), POST("login 400 400 400 400 400 400 400 400")],
    "accounts:reauth": [GET(ALL_SIGNED_IN), POST("login 400 400 400 400 400 400 400 400")],
    "accounts:reference_import": [
        GET("login 403 403 403 403 403 403 403 200"),
        POST("login 403 403 403 403 403 403 403 400"),
    ],
    "accounts:reference_import_template": [
        GET("403 403 403 403 403 403 403 403 200", {"kind": "=occupation"}, note="function view: 403 even anonymous"),
    ],
    # --- institutions (the directory)
    "institutions:list": [
        GET("login 200 200 200 200 403 403 403 200"),
        GET("login 200 200 200 200 403 403 403 200", query={"export": "xlsx"}),
    ],
    "institutions:create": [
        GET("login 403 200 200 200 403 403 403 403"),
        POST("login 403 400 400 400 403 403 403 403"),
        POST(
            "login 403 302 400 302 403 403 403 403",
            data={
                "name": "越权登记的机构",
                "credit_code": "@new_credit_code",
                "type": "private",
                "county": "@region_anda_pk",
                "address": "安达市测试路1号",
                "contact_person": "王老师",
                "contact_phone": "0455-8999666",
                "license_number": "黑人社民9999号",
                "license_valid_until": "2028-12-31",
                "capacity": "60",
            },
            note="an institution in 安达市: not a choice for 北林区",
        ),
    ],
    "institutions:mine": [GET("login 403 403 403 403 403 302 302 403")],
    "institutions:detail": [GET("login 200 200 200 404 403 200 404 200", {"pk": "institution"})],
    "institutions:edit": [
        GET("login 403 200 200 404 403 200 404 403", {"pk": "institution"}),
        POST("login 403 400 400 404 403 400 404 403", {"pk": "institution"}),
    ],
    "institutions:transition": [
        POST(
            "login 403 302 302 404 403 403 403 403",
            {"pk": "institution"},
            {"to_status": "suspended", "effective_date": "2026-11-20", "reason": "越权测试"},
        )
    ],
    "institutions:inspection_create": [POST("login 403 302! 302! 404 403 403 403 403", {"pk": "institution"})],
    "institutions:teacher_create": [POST("login 403 302! 302! 404 403 302! 404 403", {"pk": "institution"})],
    "institutions:teacher_delete": [
        POST("login 403 302 302 404 403 302 404 403", {"pk": "institution", "teacher_pk": "teacher"}),
        POST(
            "login 403 404 404 404 403 404 404 403",
            {"pk": "institution", "teacher_pk": "teacher_other"},
            note="another institution's teacher through our institution's URL",
        ),
    ],
    "institutions:venue_create": [POST("login 403 302! 302! 404 403 302! 404 403", {"pk": "institution"})],
    "institutions:venue_delete": [
        POST("login 403 302 302 404 403 302 404 403", {"pk": "institution", "venue_pk": "venue"})
    ],
    "institutions:change_decide": [
        POST(
            "login 403 302 302 404 403 403 403 403",
            {"pk": "institution", "request_pk": "change_request"},
            {"approve": "1", "reason": "越权测试"},
        )
    ],
    "institutions:programs": [
        GET("login 200 200 200 200 403 200 200 200"),
        GET("login 200 200 200 200 403 200 200 200", query={"export": "xlsx"}),
    ],
    "institutions:program_create": [
        GET("login 403 200 200 200 403 403 403 403"),
        POST("login 403 400 400 400 403 403 403 403"),
        POST(
            "login 403 302 302 400 403 403 403 403",
            data={
                "institution": "@institution",
                "occupation": "@occupation_pk",
                "skill_level": "@level5_pk",
                "training_type": "@employment_skills_pk",
                "mode": "offline",
                "theory_hours": "40",
                "practice_hours": "80",
                "fee": "1000",
                "listed_on": "2026-11-20",
            },
            note="安达市 naming 北林区's institution: not a choice",
        ),
    ],
    "institutions:program_status": [
        POST(
            "login 403 302 302 404 403 403 403 403",
            {"pk": "program"},
            {"to_status": "delisted", "effective_date": "2026-11-20", "reason": "越权测试"},
        )
    ],
    "institutions:urgent_lists": [
        GET("login 200 200 200 200 403 403 403 200"),
        POST("login 400 400 400 400 403 403 403 403"),
    ],
    "institutions:import": [
        GET("login 403 200 200 200 403 403 403 403", {"kind": "=institutions"}),
        GET("login 403 200 200 200 403 403 403 403", {"kind": "=programs"}, {"template": "1"}),
        POST("login 403 400 400 400 403 403 403 403", {"kind": "=institutions"}),
    ],
    # --- public pages (no login)
    "public:directory": [GET(A9)],
    "public:institution": [
        GET(A9, {"pk": "institution"}),
        GET("404 404 404 404 404 404 404 404 404", {"pk": "institution_applied"}, note="not designated: not public"),
    ],
    "public_notices:list": [GET(A9)],
    "public_notices:spot_checks": [GET(A9)],
    "public_notices:notice": [
        GET(A9, {"pk": "notice"}),
        POST("400 400 400 400 400 400 400 400 400", {"pk": "notice"}, note="empty objection"),
    ],
    # --- trainees (the real-name register)
    "trainees:list": [
        GET("login 200 200 200 200 403 200 200 200"),
        POST("login 302! 302! 302! 302! 403 302! 302! 302!", note="empty search: back to the list"),
    ],
    "trainees:register": [
        GET("login 403 200 200 200 403 403 403 403"),
        POST("login 403 400 400 400 403 403 403 403"),
        POST(
            "login 403 302 400 302 403 403 403 403",
            data={"name": "测试人", "id_number": "@new_id_number", "county": "@region_anda_pk"},
            note="registering a person in 安达市: not a choice for 北林区",
        ),
    ],
    "trainees:export": [
        GET("login 405 405 405 405 403 405 405 405"),
        POST("login 200 200 200 200 403 200 200 200", note="masked export"),
        POST("login 403 200 200 200 403 403 403 403", data={"full": "1"}, note="full export: county/city only"),
    ],
    "trainees:certificate_import": [
        GET("login 403 200 200 200 403 403 403 403"),
        POST("login 403 400 400 400 403 403 403 403"),
    ],
    "trainees:detail": [GET("login 200 200 200 404 403 200 404 200", {"pk": "trainee"})],
    "trainees:reveal": [
        GET("login 403 405 405 405 403 403 403 403", {"pk": "trainee"}, note="method first: nothing shown"),
        POST("login 403 200 200 404 403 403 403 403", {"pk": "trainee"}, {"field": "id_number"}),
    ],
    "trainees:category_create": [POST("login 403 302! 302! 404 403 403 403 403", {"pk": "trainee"})],
    "trainees:certificate_create": [POST("login 403 302! 302! 404 403 403 403 403", {"pk": "trainee"})],
    # --- training (classes)
    "training:list": [GET("login 200 200 200 200 403 200 200 200")],
    "training:queue": [GET("login 403 200 200 200 403 403 403 403")],
    "training:create": [
        GET("login 403 403 403 403 403 200 200 403"),
        POST("login 403 403 403 403 403 400 400 403"),
        POST(
            "login 403 403 403 403 403 400 302 403",
            data={
                "program": "@program_other",
                "name": "越权开班",
                "start_date": "2027-03-01",
                "end_date": "2027-03-31",
                "planned_headcount": "20",
            },
            note="a class on 绥化技师学院's program: not a choice for the public base",
        ),
    ],
    "training:roster_template": [GET("login 200 200 200 200 403 200 200 200")],
    "training:devices": [
        GET("login 403 403 403 403 403 200 200 403"),
        POST("login 403 403 403 403 403 200 200 403", note="empty form: re-rendered, no device"),
    ],
    "training:device_revoke": [POST("login 403 403 403 403 403 302 404 403", {"device_pk": "device"})],
    "training:job": [GET("login 200 200 200 404 403 200 404 200", {"job_pk": "import_job"})],
    "training:detail": [
        GET("login 200 200 200 404 403 200 404 200", {"pk": "class"}),
        GET("login 404 404 404 404 403 200 404 404", {"pk": "class_draft"}, note="a draft is the institution's"),
    ],
    "training:edit": [
        GET("login 403 403 403 403 403 200 404 403", {"pk": "class"}),
        POST("login 403 403 403 403 403 400 404 403", {"pk": "class"}),
    ],
    "training:session_create": [POST("login 403 403 403 403 403 302! 404 403", {"pk": "class"})],
    "training:session_delete": [
        POST("login 403 403 403 403 403 302! 404 403", {"pk": "class", "session_pk": "session"})
    ],
    "training:material_upload": [POST("login 403 403 403 403 403 302! 404 403", {"pk": "class"})],
    "training:material": [
        GET("login 200 200 200 404 403 200 404 200", {"pk": "class", "material_pk": "class_material"})
    ],
    "training:roster_upload": [POST("login 403 403 403 403 403 302! 404 403", {"pk": "class"})],
    "training:transition": [
        POST(
            "login 403 302! 302! 404 403 302! 404 403",
            {"pk": "class"},
            {"to_status": "completed", "reason": "测试"},
            note="only the owner completes a class, and not before its end date",
        )
    ],
    "training:change": [POST("login 403 403 403 403 403 302! 404 403", {"pk": "class"})],
    "training:attendance": [POST("login 403 403 403 403 403 302! 404 403", {"pk": "class"})],
    "training:result": [POST("login 403 403 403 403 403 302! 404 403", {"pk": "class"})],
    # --- subsidies (claims, review, payments, spot checks)
    "subsidies:list": [GET(ALL_SIGNED_IN)],
    "subsidies:create": [
        GET("login 403 403 403 403 403 200 200 403"),
        POST("login 403 403 403 403 403 400 400 403"),
        POST(
            "login 403 403 403 403 403 400 400 403",
            data={"training_class": "@class_completed", "kind": "training"},
            note="the public base's class: already claimed; not a choice for 绥化技师学院",
        ),
    ],
    "subsidies:queue": [GET("login 403 200 200 200 403 403 403 403")],
    "subsidies:detail": [
        GET("login 200 200 200 404 404 200 404 200", {"pk": "claim"}, note="under review: not finance's"),
        GET("login 200 200 200 404 200 200 404 200", {"pk": "claim_settled"}),
    ],
    "subsidies:submit": [POST("login 403 403 403 403 403 302! 404 403", {"pk": "claim"}, note="not a draft")],
    "subsidies:material_upload": [
        POST("login 403 403 403 403 403 302! 404 403", {"pk": "claim"}, {"kind": "claim_form", "reference": "测试"})
    ],
    "subsidies:material": [
        GET("login 200 200 200 404 404 200 404 200", {"pk": "claim", "material_pk": "claim_material"})
    ],
    "subsidies:line_decide": [
        POST(
            "login 403 302 302 404 403 403 403 403",
            {"pk": "claim", "line_pk": "line"},
            {"decision": "reject", "reason": "越权测试"},
        )
    ],
    "subsidies:finding_accept": [
        POST("login 403 302 302 404 403 403 403 403", {"pk": "claim", "finding_pk": "finding"}, {"reason": "测试"})
    ],
    "subsidies:reverify": [POST("login 403 302 302 404 403 403 403 403", {"pk": "claim"})],
    "subsidies:return": [POST("login 403 302 302 404 403 403 403 403", {"pk": "claim"}, {"reason": "越权测试"})],
    "subsidies:reject": [POST("login 403 302 302 404 403 403 403 403", {"pk": "claim"}, {"reason": "越权测试"})],
    "subsidies:send_to_notice": [
        POST("login 403 302! 302! 404 403 403 403 403", {"pk": "claim"}, note="lines still undecided")
    ],
    "subsidies:objection_resolve": [
        POST(
            "login 403 302 302 404 403 403 403 403",
            {"pk": "claim_settled", "objection_pk": "objection"},
            {"decision": "dismissed", "resolution": "越权测试"},
        )
    ],
    "subsidies:follow_ups": [
        GET("login 200 200 200 404 403 403 403 200", {"pk": "claim"}),
        POST(
            "login 403 400 400 404 403 403 403 403",
            {"pk": "claim"},
            {"confidence": "0.95", "margin": "0.05"},
            note="already drawn: refused",
        ),
    ],
    "subsidies:follow_up_record": [
        POST(
            "login 403 302 302 404 403 403 403 403",
            {"pk": "claim", "follow_up_pk": "follow_up"},
            {"outcome": "denies", "notes": "越权测试"},
        )
    ],
    "subsidies:settle": [
        GET("login 403 403 403 403 404 403 403 403", {"pk": "claim"}, note="not approved: outside finance's scope"),
        GET("login 403 403 403 403 200 403 403 403", {"pk": "claim_settled"}),
        POST("login 403 403 403 403 400 403 403 403", {"pk": "claim_settled"}),
    ],
    "subsidies:payments": [GET("login 403 403 403 403 200 403 403 403")],
    "subsidies:advance": [
        GET("login 403 403 403 403 200 403 403 403", {"class_pk": "class"}),
        POST("login 403 403 403 403 400 403 403 403", {"class_pk": "class"}),
    ],
    "subsidies:spot_checks": [
        GET("login 200 200 200 200 403 403 403 200"),
        POST("login 400 400 400 400 403 403 403 400"),
    ],
    "subsidies:spot_check": [GET("login 200 200 200 404 403 403 403 200", {"pk": "spot_check"})],
    "subsidies:visit_record": [
        POST(
            "login 302 302 302 404 403 403 403 403",
            {"visit_pk": "visit"},
            {"result": "fake", "notes": "越权测试", "visited_on": "2026-11-20"},
        )
    ],
    "subsidies:inspectors": [GET("login 200 200 200 200 403 403 403 200")],
    # --- indicators (dashboards, targets, tasks, reports)
    "indicators:dashboard": [
        GET("login 200 200 200 200 403 403 403 200"),
        GET("login 200 200 200 200 403 403 403 200", query={"export": "indicators"}),
    ],
    "indicators:region": [
        GET("login 200 200 200 404 403 403 403 200", {"code": "=231202"}),
        GET("login 200 200 200 404 403 403 403 200", {"code": "=231202"}, {"export": "children"}),
        GET("login 200 200 404 404 403 403 403 200", {"code": "=2312"}, note="a county does not see its city"),
        GET("login 200 404 404 404 403 403 403 200", {"code": "=23"}),
    ],
    "indicators:reported": [
        POST("login 302! 302! 302! 404 403 403 403 403", {"code": "=231202"}, {"plan": "suihua-2019"}),
        POST(
            "login 302! 302! 404 404 403 403 403 403",
            {"code": "=2312"},
            {"plan": "suihua-2019"},
            note="a county reporting for its city",
        ),
    ],
    "indicators:targets": [
        GET("login 200 200 403 403 403 403 403 403"),
        POST("login 302! 302! 403 403 403 403 403 403"),
    ],
    "indicators:target_import": [
        GET("login 200 200 403 403 403 403 403 403"),
        POST("login 400 400 403 403 403 403 403 403"),
    ],
    "indicators:tasks": [GET("login 200 200 200 200 403 403 403 200")],
    "indicators:task_progress": [
        POST(
            "login 404 302! 302! 302! 403 403 403 403",
            {"pk": "key_task"},
            note="a task of 绥化's plan: its counties report on it, the province (other plans) does not",
        )
    ],
    "indicators:reports": [
        GET("login 200 200 200 200 403 403 403 200"),
        POST("login 400 400 400 400 403 403 403 404"),
    ],
    "indicators:report_download": [GET("login 200 200 200 404 403 403 403 200", {"pk": "monthly_report"})],
    # --- API pages that are not operations of the schema
    "api-root": [GET("403 200 200 200 200 200 200 200 200")],
    "api-schema": [GET("403 200 200 200 200 200 200 200 200")],
    "api-docs": [GET("403 200 200 200 200 200 200 200 200")],
}

API_READERS = "403 200 200 200 200 403 200 200 200"  # province, city, county, admin, institution (not finance)
IN_231202 = "403 200 200 200 404 403 200 404 200"  # an object of the demo institution in 北林区
BUREAU_ONLY = "403 200 200 200 200 403 403 403 200"  # province, city, county, admin

#                                 anon  prov  city  cnty  cnty2 fin   inst  inst2 admin
API: dict[str, list[Case]] = {
    "certificates_list": [GET(API_READERS)],
    "certificates_retrieve": [GET(IN_231202, {"id": "certificate"})],
    "checkins_create": [
        POST("401 401 401 401 401 401 401 401 401", note="device token only; a session is not enough"),
    ],
    "claims_list": [GET("403 200 200 200 200 200 200 200 200")],
    "claims_retrieve": [
        GET("403 200 200 200 404 404 200 404 200", {"id": "claim"}),
        GET("403 200 200 200 404 200 200 404 200", {"id": "claim_settled"}),
    ],
    "claims_lines_decide_create": [
        POST("403 403 400 400 404 403 403 403 403", {"id": "claim", "line_id": "line"}),
        POST(
            "403 403 200 200 404 403 403 403 403",
            {"id": "claim", "line_id": "line"},
            {"approve": False, "reason": "越权测试"},
        ),
    ],
    "claims_submit_create": [
        POST("403 403 403 403 403 403 400 404 403", {"id": "claim"}, note="not a draft; another institution: 404")
    ],
    "classes_list": [GET(API_READERS)],
    "classes_retrieve": [
        GET(IN_231202, {"id": "class"}),
        GET("403 404 404 404 404 403 200 404 404", {"id": "class_draft"}),
    ],
    "classes_transition_create": [
        POST("403 400 400 400 404 403 400 404 400", {"id": "class"}),
        POST(
            "403 403 403 403 404 403 400 404 403",
            {"id": "class"},
            {"to_status": "completed", "reason": "越权测试"},
            note="before the end date nobody may complete it",
        ),
    ],
    "dashboard_list": [
        GET(BUREAU_ONLY),
        GET("403 200 200 200 403 403 403 403 200", query={"region": "231202"}),
        GET("403 200 200 403 403 403 403 403 200", query={"region": "2312"}),
    ],
    "enrollments_list": [GET(API_READERS)],
    "enrollments_retrieve": [GET(IN_231202, {"id": "enrollment"})],
    "import_jobs_list": [GET(API_READERS)],
    "import_jobs_retrieve": [GET(IN_231202, {"id": "import_job"})],
    "institutions_list": [GET(API_READERS)],
    "institutions_create": [
        POST("403 403 400 400 400 403 403 403 403"),
        POST(
            "403 403 201 201 400 403 403 403 403",
            data={
                "name": "越权登记的机构",
                "credit_code": "@new_credit_code",
                "type": "private",
                "county": "231202",
                "address": "北林区测试路1号",
                "contact_person": "王老师",
                "contact_phone": "0455-8999666",
                "license_number": "黑人社民9999号",
                "license_valid_until": "2028-12-31",
                "capacity": 60,
            },
            note="安达市 registering in 北林区: not its county",
        ),
    ],
    "institutions_retrieve": [GET(IN_231202, {"id": "institution"})],
    "institutions_transition_create": [
        POST("403 403 400 400 404 403 403 403 403", {"id": "institution"}),
        POST(
            "403 403 200 200 404 403 403 403 403",
            {"id": "institution"},
            {"to_status": "suspended", "effective_date": "2026-11-20", "reason": "越权测试"},
            note="安达市 suspending 北林区's institution",
        ),
    ],
    "monthly_reports_list": [GET(BUREAU_ONLY)],
    "monthly_reports_retrieve": [GET("403 200 200 200 404 403 403 403 200", {"id": "monthly_report"})],
    "occupations_list": [GET("403 200 200 200 200 200 200 200 200")],
    "occupations_retrieve": [GET("403 200 200 200 200 200 200 200 200", {"code": "=4-10-01-05"})],
    "programs_list": [GET(API_READERS)],
    "programs_create": [
        POST("403 403 400 400 400 403 403 403 403"),
        POST(
            "403 403 201 201 400 403 403 403 403",
            data={
                "institution": "@institution",
                "occupation": "4-10-01-06",
                "skill_level": "level5",
                "training_type": "employment_skills",
                "mode": "offline",
                "theory_hours": 40,
                "practice_hours": 80,
                "fee": "1000",
                "listed_on": "2026-11-20",
            },
            note="安达市 listing a program for 北林区's institution",
        ),
        POST(
            "403 403 201 400 201 403 403 403 403",
            data={
                "institution": "@institution_anda",
                "occupation": "4-10-01-05",
                "skill_level": "level5",
                "training_type": "employment_skills",
                "mode": "offline",
                "theory_hours": 40,
                "practice_hours": 80,
                "fee": "1000",
                "listed_on": "2026-11-20",
            },
            note="北林区 listing a program for 安达市's institution",
        ),
        POST(
            "403 403 201 201 400 403 403 403 403",
            data={
                "institution": "@institution_other",
                "occupation": "4-10-01-05",
                "skill_level": "level5",
                "training_type": "employment_skills",
                "mode": "offline",
                "theory_hours": 40,
                "practice_hours": 80,
                "fee": "1000",
                "listed_on": "2026-11-20",
            },
            note="an institution user naming another institution: refused by role",
        ),
    ],
    "programs_retrieve": [GET(IN_231202, {"id": "program"})],
    "programs_status_create": [
        POST("403 403 400 400 404 403 403 403 403", {"id": "program"}),
        POST(
            "403 403 200 200 404 403 403 403 403",
            {"id": "program"},
            {"to_status": "delisted", "effective_date": "2026-11-20", "reason": "越权测试"},
        ),
    ],
    "public_institutions_list": [GET(A9)],
    "public_institutions_retrieve": [
        GET(A9, {"id": "institution"}),
        GET("404 404 404 404 404 404 404 404 404", {"id": "institution_applied"}),
    ],
    "public_notices_list": [GET(A9)],
    "public_notices_retrieve": [GET(A9, {"id": "notice"})],
    "regions_list": [GET("403 200 200 200 200 200 200 200 200")],
    "regions_retrieve": [
        GET("403 200 200 200 404 200 404 404 200", {"code": "=231202"}),
        GET("403 200 200 404 404 200 404 404 200", {"code": "=2312"}),
    ],
    "standards_list": [GET("403 200 200 200 200 200 403 403 200")],
    "standards_retrieve": [
        GET("403 200 200 200 200 200 403 403 200", {"id": "standard"}, note="绥化's standard applies in 安达市 too")
    ],
    "targets_list": [GET(BUREAU_ONLY)],
    "targets_retrieve": [GET("403 200 200 200 404 403 403 403 200", {"id": "target"})],
    "trainees_list": [GET(API_READERS)],
    "trainees_retrieve": [GET(IN_231202, {"id": "trainee"})],
    "trainees_reveal_create": [
        POST("403 403 200 200 404 403 403 403 403", {"id": "trainee"}, {"field": "id_number"}),
        POST("403 403 400 400 404 403 403 403 403", {"id": "trainee"}, {"field": "name"}),
    ],
    "trainees_search_create": [POST(API_READERS)],
    "urgent_lists_list": [GET(BUREAU_ONLY)],
    "urgent_lists_create": [POST("403 400 400 400 400 403 403 403 400")],
    "urgent_lists_retrieve": [GET(BUREAU_ONLY, {"id": "urgent_list"}, note="绥化's list applies in 安达市 too")],
}

# --------------------------------------------------------------------------------------------------------------
# enumeration
# --------------------------------------------------------------------------------------------------------------

SKIPPED_PREFIXES = ("admin/", "i18n/", "static/", "media/", "__debug__/")


def url_patterns() -> list[tuple[str, str]]:
    """(name, route) of every URL pattern, without admin/, i18n/, static and DRF's format-suffix duplicates."""

    def walk(patterns, prefix="", namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(x for x in (namespace, p.namespace) if x)
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if route.startswith(SKIPPED_PREFIXES) or "format" in p.pattern.regex.groupindex:
                    continue
                name = ":".join(x for x in (namespace, p.name) if x) if p.name else f"<unnamed {route}>"
                yield name, route

    return sorted(set(walk(get_resolver().url_patterns)))


@functools.cache
def api_operations() -> dict[str, tuple[str, str]]:
    """operationId -> (method, path) of every operation of the OpenAPI schema."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    ops = {}
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            if method in ("get", "post", "put", "patch", "delete"):
                ops[op["operationId"]] = (method, path)
    return ops


def _schema_url_names() -> set[str]:
    """URL names reached by the schema's paths (their patterns are covered by the API table)."""
    names = set()
    for _, path in api_operations().values():
        match = resolve(re.sub(r"\{[^}]+\}", "1", path))
        names.add(":".join(x for x in (*match.namespaces, match.url_name) if x))
    return names


def test_every_url_pattern_is_in_the_table():
    names = {name for name, _ in url_patterns()}
    required = names - _schema_url_names()
    missing = sorted(required - set(PAGES))
    stale = sorted(set(PAGES) - names)
    assert not missing, f"URL patterns without a row in PAGES (add their expected outcome per role): {missing}"
    assert not stale, f"rows in PAGES for URL names that no longer exist: {stale}"


def test_every_api_operation_is_in_the_table():
    ops = set(api_operations())
    missing = sorted(ops - set(API))
    stale = sorted(set(API) - ops)
    assert not missing, f"API operations without a row in API (add their expected outcome per role): {missing}"
    assert not stale, f"rows in API for operations no longer in the schema: {stale}"


def test_every_api_url_pattern_is_documented_or_in_the_table():
    """An endpoint left out of the schema would escape the API table: it must then be a row of PAGES."""
    api_names = {name for name, route in url_patterns() if route.startswith("api/")}
    assert api_names <= _schema_url_names() | set(PAGES), sorted(api_names - _schema_url_names() - set(PAGES))


# --------------------------------------------------------------------------------------------------------------
# running a cell
# --------------------------------------------------------------------------------------------------------------


def resolve_value(world, value):
    if isinstance(value, str) and value.startswith("="):
        return value[1:]
    if isinstance(value, str):
        return world.ids[value.removeprefix("@")]
    return value


def resolve_body(world, data: dict) -> dict:
    return {k: resolve_value(world, v) if isinstance(v, str) and v.startswith("@") else v for k, v in data.items()}


def page_url(world, name: str, case: Case) -> str:
    kwargs = {k: resolve_value(world, v) for k, v in case.params.items()}
    return reverse(name, kwargs=kwargs)


def api_url(world, op_id: str, case: Case) -> str:
    _, path = api_operations()[op_id]
    return re.sub(r"\{([^}]+)\}", lambda m: str(resolve_value(world, case.params[m.group(1)])), path)


LOGIN_PATH = "/accounts/login/"


def outcome(response) -> str:
    if response.status_code in (301, 302, 303):
        return "login" if response["Location"].split("?")[0].endswith(LOGIN_PATH) else "302"
    return str(response.status_code)


def is_success(tokens: set[str]) -> bool:
    return any(t == "302" or t.startswith("2") for t in tokens)


def request(world, role: str, method: str, url: str, case: Case, *, api: bool, client=None):
    client = client or world.client(role)
    cache.clear()  # rate limits (objections, throttles) are per test, not per run
    if method == "get":
        return client.get(url, case.query)
    body = resolve_body(world, case.data)
    if api:
        return client.generic(method.upper(), url, json.dumps(body), content_type="application/json")
    return client.post(url, body)


def _last_audit() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def check_cell(world, role: str, method: str, url: str, case: Case, *, api: bool):
    last = _last_audit()
    response = request(world, role, method, url, case, api=api)
    got = outcome(response)
    expected = case.expected(role)
    written = list(AuditEvent.objects.filter(pk__gt=last).values_list("action", flat=True))
    assert got in expected, f"{method.upper()} {url} as {role}: got {got}, expected {'/'.join(sorted(expected))}"
    if not case.may_write(role):
        assert not written, f"{method.upper()} {url} as {role} was refused ({got}) but wrote audit events {written}"
    return response


def _cells(table):
    return [
        pytest.param(name, i, role, id=f"{name}#{i}-{role}")
        for name, cases in table.items()
        for i, _ in enumerate(cases)
        for role in ROLES
    ]


PAGE_CELLS = _cells(PAGES)
API_CELLS = _cells(API)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "index", "role"), PAGE_CELLS)
def test_page(world, name, index, role):
    case = PAGES[name][index]
    check_cell(world, role, case.method, page_url(world, name, case), case, api=False)


@pytest.mark.django_db
@pytest.mark.parametrize(("op_id", "index", "role"), API_CELLS)
def test_api(world, op_id, index, role):
    case = API[op_id][index]
    method, _ = api_operations()[op_id]
    assert case.method == method, f"{op_id} is a {method.upper()} operation"
    check_cell(world, role, method, api_url(world, op_id, case), case, api=True)


def _undeclared():
    """(path, method) pairs of the schema's paths for methods the schema does not declare."""
    ops = api_operations()
    declared: dict[str, set[str]] = {}
    for method, path in ops.values():
        declared.setdefault(path, set()).add(method)
    return sorted((path, m) for path, ms in declared.items() for m in ("post", "put", "patch", "delete") if m not in ms)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_undeclared_method(world, role):
    """No hidden write: a method the schema does not list is refused on every path, for every role."""
    params = {
        "id": "institution",
        "code": "=231202",
        "line_id": "line",
    }
    ids_for_path = {
        "/api/claims/": "claim",
        "/api/classes/": "class",
        "/api/certificates/": "certificate",
        "/api/enrollments/": "enrollment",
        "/api/import-jobs/": "import_job",
        "/api/monthly-reports/": "monthly_report",
        "/api/programs/": "program",
        "/api/standards/": "standard",
        "/api/targets/": "target",
        "/api/trainees/": "trainee",
        "/api/urgent-lists/": "urgent_list",
        "/api/public/notices/": "notice",
    }
    problems = []
    client = world.client(role)
    for path, method in _undeclared():
        prefix = next((p for p in ids_for_path if path.startswith(p)), None)
        values = {**params, "id": ids_for_path[prefix] if prefix else "institution"}
        if path.startswith("/api/occupations/"):
            values["code"] = "=4-10-01-05"
        url = re.sub(r"\{([^}]+)\}", lambda m, v=values: str(resolve_value(world, v[m.group(1)])), path)
        last = _last_audit()
        response = request(world, role, method, url, Case(method, ""), api=True, client=client)
        if response.status_code not in (401, 403, 405) or AuditEvent.objects.filter(pk__gt=last).exists():
            problems.append(f"{method.upper()} {url}: {response.status_code}")
    assert not problems, problems


# --------------------------------------------------------------------------------------------------------------
# writes naming a foreign object: nothing changes
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_county_cannot_move_another_countys_institution(world):
    from institutions.models import Institution

    before = Institution.objects.get(pk=world.ids["institution"]).status
    last = _last_audit()
    client = world.client("county_other")
    response = client.post(
        f"/api/institutions/{world.ids['institution']}/transition/",
        {"to_status": "suspended", "effective_date": "2026-11-20", "reason": "越权测试"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert Institution.objects.get(pk=world.ids["institution"]).status == before
    page = client.post(
        reverse("institutions:transition", args=[world.ids["institution"]]),
        {"to_status": "suspended", "effective_date": "2026-11-20", "reason": "越权测试"},
    )
    assert page.status_code == 404
    assert Institution.objects.get(pk=world.ids["institution"]).status == before
    assert not AuditEvent.objects.filter(pk__gt=last).exists()


@pytest.mark.django_db
def test_program_for_a_foreign_institution_is_never_created(world):
    from institutions.models import Program

    body = {
        "occupation": "4-10-01-06",
        "skill_level": "level5",
        "training_type": "employment_skills",
        "mode": "offline",
        "theory_hours": 40,
        "practice_hours": 80,
        "fee": "1000",
        "listed_on": "2026-11-20",
    }
    count = Program.objects.count()
    last = _last_audit()
    for role, institution in [
        ("institution", "institution_other"),
        ("county_other", "institution"),
        ("county", "institution_anda"),
    ]:
        response = world.client(role).post(
            "/api/programs/", {**body, "institution": world.ids[institution]}, content_type="application/json"
        )
        assert response.status_code in (400, 403), (role, response.status_code)
        assert Program.objects.count() == count, role
        assert not AuditEvent.objects.filter(pk__gt=last).exists(), role


@pytest.mark.django_db
def test_institution_cannot_submit_another_institutions_claim(world):
    from subsidies.models import SubsidyClaim

    claim = SubsidyClaim.objects.get(pk=world.ids["claim"])
    status, last = claim.status, _last_audit()
    response = world.client("institution_other").post(f"/api/claims/{claim.pk}/submit/")
    assert response.status_code == 404
    page = world.client("institution_other").post(reverse("subsidies:submit", args=[claim.pk]))
    assert page.status_code == 404
    claim.refresh_from_db()
    assert claim.status == status
    assert not AuditEvent.objects.filter(pk__gt=last).exists()


@pytest.mark.django_db
def test_device_of_another_institution_cannot_check_in_to_our_class(world):
    from training.models import Attendance, ClassSession, Enrollment

    session = ClassSession.objects.get(pk=world.ids["session"])
    enrollment = Enrollment.objects.get(pk=world.ids["enrollment"])
    before = Attendance.objects.filter(session=session).count()
    response = world.client("anonymous").post(
        "/api/checkins/",
        {
            "records": [
                {
                    "record_id": "security-foreign-1",
                    "id_number": enrollment.trainee.id_number,
                    "session": session.pk,
                    "checked_at": "2026-11-20T08:25:00+08:00",
                    "method": "face",
                }
            ]
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Device {world.ids['device_token_other']}",
    )
    assert response.status_code in (200, 400, 403), response.status_code
    if response.status_code == 200:
        assert [r["status"] for r in response.json()] == ["rejected"]
    assert Attendance.objects.filter(session=session).count() == before


def pytest_coverage_numbers() -> dict:
    """The size of the matrix (printed in the terminal summary by conftest)."""
    return {
        "url_patterns": len(url_patterns()),
        "page_rows": sum(len(c) for c in PAGES.values()),
        "api_operations": len(api_operations()),
        "api_rows": sum(len(c) for c in API.values()),
        "roles": len(ROLES),
        "page_cells": len(PAGE_CELLS),
        "api_cells": len(API_CELLS),
        "undeclared_methods": len(_undeclared()),
    }


@pytest.mark.django_db
def test_search_by_id_number_does_not_reach_out_of_scope(world):
    """Searching by a full ID number is scoped: another county or institution learns nothing (not even that the
    person exists)."""
    from trainees.models import Trainee

    trainee = Trainee.objects.get(pk=world.ids["trainee"])
    body = {"id_number": trainee.id_number}
    found = {
        role: [row["id"] for row in world.client(role).post("/api/trainees/search/", body, "application/json").json()]
        for role in ("county", "institution", "county_other", "institution_other")
    }
    assert found == {"county": [trainee.pk], "institution": [trainee.pk], "county_other": [], "institution_other": []}
    for role, visible in [("county", True), ("county_other", False), ("institution_other", False)]:
        page = world.client(role).post(reverse("trainees:list"), body)
        assert page.status_code == 200
        assert (trainee.id_number_masked in page.content.decode()) is visible, role


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "county", "institution"])
def test_every_write_needs_a_csrf_token(world, role):
    """With CSRF checks on (as in a browser), no POST of the tables gets through without the token: pages answer
    403 (or the login redirect), session-authenticated API calls 403; nothing is written."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    if role != "anonymous":
        client.force_login(world.users[role])
    problems = []
    rows = [(name, case, False) for name, cases in PAGES.items() for case in cases if case.method == "post"]
    rows += [(op, case, True) for op, cases in API.items() for case in cases if case.method == "post"]
    for name, case, api in rows:
        url = api_url(world, name, case) if api else page_url(world, name, case)
        last = _last_audit()
        cache.clear()
        body = resolve_body(world, case.data)
        if api:
            response = client.post(url, json.dumps(body), content_type="application/json")
        else:
            response = client.post(url, body)
        allowed = {"403"} | ({"401"} if name == "checkins_create" else set())
        if outcome(response) not in allowed or AuditEvent.objects.filter(pk__gt=last).exists():
            problems.append(f"POST {url} ({name}): {outcome(response)}")
    assert not problems, problems


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "https:evil.example"])
def test_login_never_redirects_off_site(world, target):
    from accounts.demo import DEMO_PASSWORD

    response = world.client("anonymous").post(
        reverse("accounts:login") + "?next=" + target,
        {"username": "beilin", "password": DEMO_PASSWORD, "next": target},
    )
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/") and not location.startswith("//"), location


def _walk_pending_session(world, role, client, *, allowed: frozenset, target: str) -> list[str]:
    """Every page row and API row (and the admin) with a session that has not passed two-factor: only the
    `allowed` URL names may answer; pages redirect to `target`, the API answers 401/403, nothing is written."""
    problems = []
    rows = [(name, case, False) for name, cases in PAGES.items() for case in cases]
    rows += [(op, case, True) for op, cases in API.items() for case in cases]
    rows += [("admin:index", GET("-"), False), ("admin:accounts_user_changelist", GET("-"), False)]
    for name, case, api in rows:
        if name in allowed:
            continue
        url = api_url(world, name, case) if api else page_url(world, name, case)
        last = _last_audit()
        response = request(world, role, case.method, url, case, api=api, client=client)
        if api or url.startswith("/api/"):
            ok = response.status_code in (401, 403)
        else:
            ok = response.status_code == 302 and response["Location"].startswith(target)
        written = AuditEvent.objects.filter(pk__gt=last).exists()
        if not ok or written:
            problems.append(f"{case.method.upper()} {url} ({name}): {outcome(response)}{' + audit' if written else ''}")
    return problems


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["province", "county", "finance", "admin", "institution"])
def test_with_two_factor_enforced_a_session_without_otp_reaches_nothing(world, role, settings):
    """Production enforces TOTP for bureau staff, finance and administrators: a user of those roles without an
    authenticator reaches only the first setup and sign-out; every other page (public ones included) redirects
    to the setup and every API call is 403. Institution users are not required to use it."""
    from accounts import twofactor

    settings.TWO_FACTOR_REQUIRED = True
    client = world.client(role)
    if role != "institution":
        problems = _walk_pending_session(
            world, role, client, allowed=twofactor.PENDING_WITHOUT_DEVICE, target="/accounts/2fa/setup/"
        )
        assert not problems, problems
        return
    problems = []
    for name, cases in PAGES.items():
        for case in cases:
            if name == "accounts:logout":
                continue  # would end the session the loop walks with
            url = page_url(world, name, case)
            response = request(world, role, case.method, url, case, api=False, client=client)
            reauth = response.status_code == 302 and response["Location"].startswith(reverse("accounts:reauth"))
            if outcome(response) not in case.expected(role) and not (case.method == "post" and reauth):
                problems.append(f"{case.method.upper()} {url} ({name}): {outcome(response)}")
    assert not problems, problems


@pytest.mark.django_db
@pytest.mark.parametrize("two_factor_required", [True, False])
@pytest.mark.parametrize("role", ["province", "city", "county", "finance", "admin", "institution"])
def test_a_password_alone_reaches_only_verify_and_sign_out(world, role, two_factor_required, settings):
    """The probe's attack: a user with a confirmed authenticator signs in with the password only. That session
    may open the verification page and sign out, nothing else: not the authenticator setup (which used to hand
    out a fresh secret and verify the session), not the public pages, no API. An institution user who turned
    two-factor on is asked for it too, whether or not two-factor is enforced."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts import twofactor

    settings.TWO_FACTOR_REQUIRED = two_factor_required
    TOTPDevice.objects.create(user=world.users[role], name="phone", confirmed=True)
    client = world.client(role)  # force_login: the password step only
    problems = _walk_pending_session(
        world, role, client, allowed=twofactor.PENDING_WITH_DEVICE, target="/accounts/2fa/verify/"
    )
    assert TOTPDevice.objects.filter(user=world.users[role]).count() == 1, "a second authenticator was enrolled"
    assert not problems, problems
