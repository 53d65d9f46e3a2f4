"""Locust users for bench/load_dashboard.py: province, city and county officials and an institution user, each
with a signed-in (and, for the bureaus, TOTP-verified) session made by the bench. Not meant to be run alone:
the bench writes the sessions and targets to the JSON file named by LOAD_DASHBOARD_SESSIONS.

Every request is one the user may make (their own region, a region below it, an institution in their scope).
Redirects are not followed and anything but a 2xx is a failure: a 302 to the sign-in or two-factor page, a 403
or a 404 would all mean the test measured the wrong thing.
"""

import itertools
import json
import os
import random
from pathlib import Path

from locust import FastHttpUser, between, task

SPEC = json.loads(Path(os.environ["LOAD_DASHBOARD_SESSIONS"]).read_text(encoding="utf-8"))
PLAN = f"plan={SPEC['plan']}&year={SPEC['year']}"
WAIT = [float(x) for x in os.environ.get("LOAD_DASHBOARD_WAIT", "1,3").split(",")]
_next = {role: itertools.count() for role in SPEC["sessions"]}


class Official(FastHttpUser):
    """Each user type lists its pages as (weight, url, name); every task picks one of them by weight."""

    abstract = True
    role = ""
    pages: list[tuple[int, str, str]] = []
    wait_time = between(*WAIT)

    def on_start(self):
        pool = SPEC["sessions"][self.role]
        key = pool[next(_next[self.role]) % len(pool)]
        # X-Forwarded-Proto: the production settings trust it from the TLS-terminating proxy, as nginx sends it.
        self.headers = {"Cookie": f"sessionid={key}", "X-Forwarded-Proto": "https"}

    @task
    def visit(self):
        _, url, name = random.choices(self.pages, weights=[w for w, _, _ in self.pages])[0]
        self.page(url.format(**{**SPEC, "plan": PLAN}), name)

    def page(self, url: str, name: str) -> None:
        with self.client.get(
            url, name=name, headers=self.headers, allow_redirects=False, catch_response=True
        ) as response:
            if not 200 <= response.status_code < 300:
                response.failure(f"HTTP {response.status_code}")
            else:
                response.success()


DASHBOARD, CITY, COUNTY = "dashboard: province 23", "drill-down: city 2312", "drill-down: county 231202"
API, INSTITUTION = "dashboard data API", "drill-down: institution"
LISTS = [("/institutions/", "list: institutions"), ("/classes/", "list: classes"), ("/claims/", "list: claims")]


class ProvinceOfficial(Official):
    role, weight = "province", 2
    pages = [
        (4, "/dashboard/?{plan}", DASHBOARD),
        (2, "/api/dashboard/?region=23&{plan}", API),
        (2, "/dashboard/2312/?{plan}", CITY),
        (1, "/dashboard/231202/?{plan}", COUNTY),
        *[(1, url, name) for url, name in LISTS],
    ]


class CityOfficial(Official):
    role, weight = "city", 3
    pages = [
        (4, "/dashboard/?{plan}", CITY),
        (1, "/api/dashboard/?region=2312&{plan}", API),
        (3, "/dashboard/231202/?{plan}", COUNTY),
        (1, "/institutions/{county_institution}/", INSTITUTION),
        *[(2, url, name) for url, name in LISTS],
    ]


class CountyOfficial(Official):
    role, weight = "county", 4
    pages = [
        (4, "/dashboard/?{plan}", COUNTY),
        (1, "/api/dashboard/?region=231202&{plan}", API),
        (2, "/institutions/{county_institution}/", INSTITUTION),
        (2, "/institutions/", "list: institutions"),
        (3, "/classes/", "list: classes"),
        (3, "/claims/", "list: claims"),
    ]


class InstitutionUser(Official):
    role, weight = "institution", 3
    pages = [
        (2, "/institutions/{own_institution}/", INSTITUTION),
        (3, "/classes/", "list: classes"),
        (3, "/claims/", "list: claims"),
    ]
