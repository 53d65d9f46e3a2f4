"""The access matrix's page rows of the training app (classes, timetable, roster, attendance), kept apart so that
access_cases.py stays short; the tokens are read as there (anon prov city cnty cnty2 fin inst inst2 admin)."""

from .access_case import GET, POST

#                               anon  prov  city  cnty  cnty2 fin   inst  inst2 admin
TRAINING_PAGES = {
    # --- training (classes)
    "training:list": [GET("login 200 200 200 200 403 200 200 200")],
    "training:queue": [GET("login 403 200 200 200 403 403 403 403")],
    "training:first_year": [GET("login 403 200 200 200 403 403 403 403")],
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
        GET("login 200 200 404 404 403 404 404 200", {"pk": "class_city"}, note="市本级: the city's, not 北林区's"),
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
    # 创业后续服务: read as the class page; recorded by the owner or the county (a vocational class: refused, back)
    "training:business_starts": [
        GET("login 200 200 200 404 403 200 404 200", {"pk": "class"}),
        POST(
            "login 403 302! 302! 404 403 302! 404 403",
            {"pk": "class"},
            note="not an entrepreneurship class: nothing recorded",
        ),
    ],
    # the timetable by pattern or from Excel: "class" is in training (its timetable can no longer be edited:
    # back to the class, nothing changed); "class_draft" is the institution's draft
    "training:timetable_template": [GET("login 403 403 403 403 403 200 200 403")],
    "training:timetable_pattern": [
        GET("login 403 403 403 403 403 302! 404 403", {"pk": "class"}, note="in training: back, cannot be edited"),
        GET("login 403 403 403 403 403 200 404 403", {"pk": "class_draft"}),
        POST("login 403 403 403 403 403 400 404 403", {"pk": "class_draft"}, note="empty pattern: re-rendered"),
    ],
    "training:timetable_import": [
        POST("login 403 403 403 403 403 302! 404 403", {"pk": "class"}),
        POST("login 403 403 403 403 403 400 404 403", {"pk": "class_draft"}, note="no file: re-rendered"),
    ],
    "training:timetable_confirm": [
        POST("login 403 403 403 403 403 302! 404 403", {"pk": "class"}),
        POST("login 403 403 403 403 403 302! 404 403", {"pk": "class_draft"}, note="no plan: back, nothing made"),
    ],
}
