"""PostgreSQL lost during a request, for real: a claim submission (subsidies.services.claims.claim_submit, one
transaction of several writes) through the live server, whose database session is terminated with
pg_terminate_backend from a second connection after its first writes (the submission time, the status change,
the new status) and before the audit event. The user gets the 503 page (JSON under /api/), the error is logged,
none of the request's writes is in the database, and the next request works on a new connection.

Also: PostgreSQL unreachable when a request starts (the session and user are loaded by middleware, before any
view).
"""

import logging
import re

import psycopg
import pytest
import requests
from django.db import connection
from django.test import Client

from accounts.models import AuditEvent
from config.middleware import API_MESSAGE
from core.clock import replaying as clock
from subsidies.models import ClaimStatus
from subsidies.services import claims
from tests.realworkers import free_port

from ..subsidies.factories import claim_day, completed_class

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]

TIMEOUT = 30


def admin_connection() -> psycopg.Connection:
    """A second connection to the test database, of the test's own."""
    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"], port=s["PORT"] or 5432, user=s["USER"], password=s["PASSWORD"] or None, dbname=s["NAME"]
    )


def terminate(pid: int) -> None:
    with admin_connection() as admin:
        (done,) = admin.execute("SELECT pg_terminate_backend(%s, 10000)", [pid]).fetchone()  # waits until gone
    assert done, f"backend {pid} was not terminated"


class KillAfterFirstWrites:
    """Wraps the audit_log of the claim service: on its first call, inside claim_submit's transaction after three
    writes, the session of the request is terminated from a second connection; the call then writes on it."""

    def __init__(self, original):
        self.original, self.killed = original, []

    def __call__(self, **kwargs):
        if not self.killed:
            with connection.cursor() as cursor:  # the request's own connection (the live server's thread)
                cursor.execute("SELECT pg_backend_pid()")
                (pid,) = cursor.fetchone()
            terminate(pid)
            self.killed.append(pid)
        return self.original(**kwargs)


@pytest.fixture
def draft_claim():
    h = completed_class()
    with clock(claim_day(h)):
        claim = claims.claim_create(actor=h.owner, training_class=h.training_class)
    return h, claim


def signed_in(client, user) -> requests.Session:
    """A browser-like session on the live server with the user's session cookie."""
    client.force_login(user)
    session = requests.Session()
    session.cookies.set("sessionid", client.cookies["sessionid"].value)
    return session


def writes_of_the_submission(claim) -> tuple:
    claim.refresh_from_db()
    return (
        claim.status,
        claim.submitted_at,
        sorted(claim.status_changes.values_list("to_status", flat=True)),
        AuditEvent.objects.filter(target_id=str(claim.pk), action__startswith="claim.")
        .exclude(action="claim.created")
        .count(),
    )


NOTHING_WRITTEN = (ClaimStatus.DRAFT, None, [ClaimStatus.DRAFT], 0)


def test_a_page_whose_database_session_is_killed_mid_transaction_shows_the_503_page_and_saves_nothing(
    live_server, client, draft_claim, monkeypatch, caplog
):
    h, claim = draft_claim
    browser = signed_in(client, h.owner)
    page = browser.get(f"{live_server.url}/claims/{claim.pk}/", timeout=TIMEOUT)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    hook = KillAfterFirstWrites(claims.audit_log)
    monkeypatch.setattr(claims, "audit_log", hook)

    with caplog.at_level(logging.ERROR, logger="config.middleware"):
        response = browser.post(
            f"{live_server.url}/claims/{claim.pk}/submit/",
            data={"csrfmiddlewaretoken": token},
            headers={"Referer": page.url},
            allow_redirects=False,
            timeout=TIMEOUT,
        )

    assert hook.killed, "the hook did not run"
    assert response.status_code == 503, response.text[:500]
    assert response.headers["Content-Type"].startswith("text/html")
    assert "系统暂时无法连接数据库" in response.text and "没有保存" in response.text
    assert response.headers["Retry-After"] == "30"
    assert f"POST /claims/{claim.pk}/submit/ answered 503" in caplog.text
    assert writes_of_the_submission(claim) == NOTHING_WRITTEN

    # The next request works: Django dropped the broken connection and opens a new one.
    monkeypatch.setattr(claims, "audit_log", hook.original)
    response = browser.post(
        f"{live_server.url}/claims/{claim.pk}/submit/",
        data={"csrfmiddlewaretoken": token},
        headers={"Referer": page.url},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert response.status_code == 302, response.text[:500]
    status, submitted_at, changes, audited = writes_of_the_submission(claim)
    assert status == ClaimStatus.VERIFIED and submitted_at is not None  # tasks run inline in the tests
    assert changes == sorted([ClaimStatus.DRAFT, ClaimStatus.SUBMITTED, ClaimStatus.VERIFYING, ClaimStatus.VERIFIED])
    assert audited == 3  # submitted, verification queued, verified


def test_an_api_call_whose_database_session_is_killed_mid_transaction_gets_a_json_503_and_saves_nothing(
    live_server, client, draft_claim, monkeypatch, caplog
):
    h, claim = draft_claim
    browser = signed_in(client, h.owner)
    browser.get(f"{live_server.url}/api/claims/{claim.pk}/", timeout=TIMEOUT).raise_for_status()
    hook = KillAfterFirstWrites(claims.audit_log)
    monkeypatch.setattr(claims, "audit_log", hook)
    headers = {"X-CSRFToken": browser.cookies.get("csrftoken", ""), "Referer": f"{live_server.url}/"}
    if not headers["X-CSRFToken"]:  # the API page sets no CSRF cookie: take one from a form page
        page = browser.get(f"{live_server.url}/claims/{claim.pk}/", timeout=TIMEOUT)
        headers["X-CSRFToken"] = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)

    with caplog.at_level(logging.ERROR, logger="config.middleware"):
        response = browser.post(f"{live_server.url}/api/claims/{claim.pk}/submit/", headers=headers, timeout=TIMEOUT)

    assert hook.killed
    assert response.status_code == 503, response.text[:500]
    assert response.json() == {"detail": API_MESSAGE, "code": "database_unavailable"}
    assert f"POST /api/claims/{claim.pk}/submit/ answered 503" in caplog.text
    assert writes_of_the_submission(claim) == NOTHING_WRITTEN

    monkeypatch.setattr(claims, "audit_log", hook.original)
    response = browser.post(f"{live_server.url}/api/claims/{claim.pk}/submit/", headers=headers, timeout=TIMEOUT)
    assert response.status_code == 200, response.text[:500]
    assert writes_of_the_submission(claim)[0] == ClaimStatus.VERIFIED


def test_a_request_while_postgresql_is_unreachable_gets_the_503_page_and_the_next_one_works(draft_claim, caplog):
    """The session and the user are loaded by middleware, before any view: the refused connection is turned
    into a 500 by Django there, and into the 503 page by config.middleware."""
    h, claim = draft_claim
    client = Client(raise_request_exception=False)  # answer as a server does, not re-raise in the test
    client.force_login(h.owner)
    settings_dict, port = connection.settings_dict, connection.settings_dict["PORT"]
    connection.close()
    settings_dict["PORT"] = str(free_port())  # nothing listens there: every connection is refused
    try:
        with caplog.at_level(logging.ERROR, logger="config.middleware"):
            response = client.get(f"/claims/{claim.pk}/")
            api = client.get(f"/api/claims/{claim.pk}/")
    finally:
        connection.close()
        settings_dict["PORT"] = port

    assert response.status_code == 503 and "系统暂时无法连接数据库" in response.content.decode()
    assert response["X-Content-Type-Options"] == "nosniff"  # the headers set on the way out are kept
    assert api.status_code == 503 and api.json()["code"] == "database_unavailable"
    assert caplog.text.count("answered 503 (OperationalError") == 2
    assert client.get(f"/claims/{claim.pk}/").status_code == 200
