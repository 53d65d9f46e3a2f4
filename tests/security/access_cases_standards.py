"""The access matrix's rows for the standards pages (补贴标准): the province and the city set their own region's
standards (standard.manage); counties and finance read them; institutions do not see them. Merged into PAGES by
access_cases.py. The world's `standard` is 绥化's (2312) first standard."""

from .access_case import GET, POST

#                               anon  prov  city  cnty  cnty2 fin   inst  inst2 admin
STANDARD_PAGES = {
    "subsidies:standards": [
        GET("login 200 200 200 200 200 403 403 200"),
        GET("login 200 200 200 200 200 403 403 200", query={"export": "xlsx"}),
        GET("login 400 400 400 400 400 403 403 400", query={"region": "x"}, note="a bad filter is a 400"),
    ],
    "subsidies:standard_create": [
        GET("login 200 200 403 403 403 403 403 403"),
        POST("login 400 400 403 403 403 403 403 403", note="empty form: re-rendered"),
    ],
    "subsidies:standard_edit": [
        GET("login 200 200 200 200 200 403 403 200", {"pk": "standard"}, note="绥化's standard: read by all bureaus"),
        POST("login 403 400 403 403 403 403 403 403", {"pk": "standard"}, note="only 绥化 changes its own"),
    ],
    "subsidies:standard_revise": [POST("login 403 400 403 403 403 403 403 403", {"pk": "standard"})],
    "subsidies:standard_retire": [POST("login 403 400 403 403 403 403 403 403", {"pk": "standard"})],
}
