"""The access matrix's rows for the 技能提升补贴 pages: bureaus and finance of the region read the applications;
the county's window files them; the county or city decides; finance pays; the deciding bureau and finance may
reveal the account (audited). Institutions see none of it. Merged into PAGES by access_cases.py. The world's
`skill_upgrade` is the demo application filed at 北林区's window (subsidies/demo.py)."""

from .access_case import GET, POST

P = {"pk": "skill_upgrade"}

#                               anon  prov  city  cnty  cnty2 fin   inst  inst2 admin
SKILL_UPGRADE_PAGES = {
    "subsidies:skill_upgrade_list": [GET("login 200 200 200 200 200 403 403 200")],
    "subsidies:skill_upgrade_window": [
        GET("login 403 403 200 200 403 403 403 403", note="the county's window only"),
        POST("login 403 403 400 400 403 403 403 403", note="no ID number: re-rendered"),
    ],
    "subsidies:skill_upgrade_detail": [GET("login 200 200 200 404 200 403 403 200", P)],
    "subsidies:skill_upgrade_act": [
        POST("login 403 302! 302! 404 403 403 403 403", P, note="no action: back with the error"),
        POST("login 403 302 302 404 403 403 403 403", P, {"action": "verify"}),
    ],
    "subsidies:skill_upgrade_pay": [
        POST("login 403 403 403 403 302! 403 403 403", P, {"bank_reference": "X1"}, note="filed, not approved"),
    ],
    "subsidies:skill_upgrade_reveal": [
        GET("login 403 405 405 405 405 403 403 403", P, note="method first: nothing shown"),
        POST("login 403 200 200 404 200 403 403 403", P),
    ],
}
