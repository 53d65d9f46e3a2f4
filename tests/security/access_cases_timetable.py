"""The access matrix's rows for the training timetable entered by pattern or from Excel (training.views_timetable),
added to access_cases.PAGES when that module loads (it imports this one last). Tokens: see test_access_matrix.py.

"class" is in training (its timetable can no longer be edited: back to the class, nothing changed); "class_draft"
is the institution's draft (the forms are shown; an empty post is re-rendered or sent back)."""

from .access_cases import GET, PAGES, POST

#               anon  prov  city  cnty  cnty2 fin   inst  inst2 admin
PAGES.update(
    {
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
)
