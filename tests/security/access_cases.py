"""The access matrix's specification, part one: the table of pages (PAGES), made of the requests and expected
outcomes per role of access_case.py (Case). The rules of the tokens are in test_access_matrix.py."""

from .access_case import A9, ALL_SIGNED_IN, GET, POST, Case, is_success  # noqa: F401 - re-exported
from .access_cases_skill_upgrade import SKILL_UPGRADE_PAGES
from .access_cases_standards import STANDARD_PAGES
from .access_cases_training import TRAINING_PAGES

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
    "institutions:detail": [
        GET("login 200 200 200 404 403 200 404 200", {"pk": "institution"}),
        GET("login 200 200 404 404 403 404 404 200", {"pk": "institution_city"}, note="市本级: not 北林区's"),
    ],
    "institutions:edit": [
        GET("login 403 200 200 404 403 200 404 403", {"pk": "institution"}),
        POST("login 403 400 400 404 403 400 404 403", {"pk": "institution"}),
    ],
    "institutions:transition": [
        POST(
            "login 403 302 302 404 403 403 403 403",
            {"pk": "institution"},
            {"to_status": "suspended", "effective_date": "2026-11-20", "reason": "越权测试"},
        ),
        POST(
            "login 403 302 404 404 403 403 403 403",
            {"pk": "institution_city"},
            {"to_status": "suspended", "effective_date": "2026-11-20", "reason": "越权测试"},
            note="市本级: the city decides, 北林区 does not see it",
        ),
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
    "institutions:key_areas": [
        GET("login 200 403 403 403 403 403 403 403", note="the province's key areas: no one else's"),
        POST("login 400 403 403 403 403 403 403 403", note="empty form: re-rendered"),
    ],
    "institutions:key_area_import": [
        GET("login 200 403 403 403 403 403 403 403", note="the template"),
        POST("login 400 403 403 403 403 403 403 403", note="no file"),
    ],
    "institutions:key_area_end": [
        GET("login 405 403 403 403 403 403 403 403", {"kind": "=occupation", "pk": "=999999"}),
        POST("login 404 403 403 403 403 403 403 403", {"kind": "=occupation", "pk": "=999999"}),
    ],
    "institutions:import": [
        GET("login 403 200 200 200 403 403 403 403", {"kind": "=institutions"}),
        GET("login 403 200 200 200 403 403 403 403", {"kind": "=programs"}, {"template": "1"}),
        POST("login 403 400 400 400 403 403 403 403", {"kind": "=institutions"}),
    ],
    # --- public pages (no login)
    "public:directory": [GET(A9)],
    "robots": [GET(A9)],
    "public:institution": [
        GET(A9, {"pk": "institution"}),
        GET("404 404 404 404 404 404 404 404 404", {"pk": "institution_applied"}, note="not designated: not public"),
    ],
    "public_notices:list": [GET(A9)],
    "public_notices:ended": [GET(A9)],
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
    **TRAINING_PAGES,
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
    "subsidies:approve_clean": [POST("login 403 302 302 404 403 403 403 403", {"pk": "claim"})],
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
    **STANDARD_PAGES,  # access_cases_standards.py
    **SKILL_UPGRADE_PAGES,  # access_cases_skill_upgrade.py
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
