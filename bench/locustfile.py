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
from pathlib import Path

from locust import FastHttpUser, between, task

SPEC = json.loads(Path(os.environ["LOAD_DASHBOARD_SESSIONS"]).read_text(encoding="utf-8"))
PLAN = f"plan={SPEC['plan']}&year={SPEC['year']}"
WAIT = [float(x) for x in os.environ.get("LOAD_DASHBOARD_WAIT", "1,3").split(",")]
_next = {role: itertools.count() for role in SPEC["sessions"]}


class Official(FastHttpUser):
    abstract = True
    role = ""
    wait_time = between(*WAIT)

    def on_start(self):
        pool = SPEC["sessions"][self.role]
        key = pool[next(_next[self.role]) % len(pool)]
        # X-Forwarded-Proto: the production settings trust it from the TLS-terminating proxy, as nginx sends it.
        self.headers = {"Cookie": f"sessionid={key}", "X-Forwarded-Proto": "https"}

    def page(self, url: str, name: str) -> None:
        with self.client.get(
            url, name=name, headers=self.headers, allow_redirects=False, catch_response=True
        ) as response:
            if not 200 <= response.status_code < 300:
                response.failure(f"HTTP {response.status_code}")
            else:
                response.success()


class ProvinceOfficial(Official):
    role = "province"
    weight = 2

    @task(4)
    def dashboard(self):
        self.page(f"/dashboard/?{PLAN}", "dashboard: province 23")

    @task(2)
    def data(self):
        self.page(f"/api/dashboard/?region=23&{PLAN}", "dashboard data API")

    @task(2)
    def city(self):
        self.page(f"/dashboard/2312/?{PLAN}", "drill-down: city 2312")

    @task(1)
    def county(self):
        self.page(f"/dashboard/231202/?{PLAN}", "drill-down: county 231202")

    @task(1)
    def institutions(self):
        self.page("/institutions/", "list: institutions")

    @task(1)
    def classes(self):
        self.page("/classes/", "list: classes")

    @task(1)
    def claims(self):
        self.page("/claims/", "list: claims")


class CityOfficial(Official):
    role = "city"
    weight = 3

    @task(4)
    def dashboard(self):
        self.page(f"/dashboard/?{PLAN}", "drill-down: city 2312")

    @task(1)
    def data(self):
        self.page(f"/api/dashboard/?region=2312&{PLAN}", "dashboard data API")

    @task(3)
    def county(self):
        self.page(f"/dashboard/231202/?{PLAN}", "drill-down: county 231202")

    @task(1)
    def institution(self):
        self.page(f"/institutions/{SPEC['county_institution']}/", "drill-down: institution")

    @task(2)
    def institutions(self):
        self.page("/institutions/", "list: institutions")

    @task(2)
    def classes(self):
        self.page("/classes/", "list: classes")

    @task(2)
    def claims(self):
        self.page("/claims/", "list: claims")


class CountyOfficial(Official):
    role = "county"
    weight = 4

    @task(4)
    def dashboard(self):
        self.page(f"/dashboard/?{PLAN}", "drill-down: county 231202")

    @task(1)
    def data(self):
        self.page(f"/api/dashboard/?region=231202&{PLAN}", "dashboard data API")

    @task(2)
    def institution(self):
        self.page(f"/institutions/{SPEC['county_institution']}/", "drill-down: institution")

    @task(2)
    def institutions(self):
        self.page("/institutions/", "list: institutions")

    @task(3)
    def classes(self):
        self.page("/classes/", "list: classes")

    @task(3)
    def claims(self):
        self.page("/claims/", "list: claims")


class InstitutionUser(Official):
    role = "institution"
    weight = 3

    @task(2)
    def institution(self):
        self.page(f"/institutions/{SPEC['own_institution']}/", "drill-down: institution")

    @task(3)
    def classes(self):
        self.page("/classes/", "list: classes")

    @task(3)
    def claims(self):
        self.page("/claims/", "list: claims")
