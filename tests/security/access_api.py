"""The access matrix's specification, part two: every operation of the OpenAPI schema (API)."""

from .access_cases import A9, GET, POST, Case

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
        GET("403 200 200 404 404 403 404 404 200", {"id": "class_city"}, note="市本级: the city's, not 北林区's"),
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
    "institutions_retrieve": [
        GET(IN_231202, {"id": "institution"}),
        GET("403 200 200 404 404 403 404 404 200", {"id": "institution_city"}, note="市本级: not 北林区's"),
    ],
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
