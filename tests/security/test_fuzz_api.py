"""Property-based fuzzing of the whole API (schemathesis) against the project's own OpenAPI schema.

The schema is read from /api/schema/ (drf-spectacular) and every operation is called in-process through the
WSGI app (config.wsgi.application), signed in with a session cookie (people use sessions only on the API) as the
demo user of each main role: province, county, institution and finance. The check-in endpoint is called with a check-in
device token of the demo institution instead.

The data is the demo data (seed_demo): this package's shared demo world (tests/security/conftest.py `world`,
built once per worker inside an outer transaction rolled back at the end) when there is one, else seeded for
this module the same way. Each request runs in a savepoint that is rolled back after it: every request sees the
same world, and a database error in one request (which would abort the whole transaction on PostgreSQL) cannot
turn the next ones into errors. Requests are made in that transaction, like Django's test client's.

Checks: no 5xx (not_a_server_error), and every documented response matches its schema
(response_schema_conformance). Phases: the schema's explicit examples and the fuzzing phase, MAX_EXAMPLES
Hypothesis examples per operation (positive and negative data). The coverage phase is off: its boundary cases
are not bounded by max_examples (several hundred requests for one POST body). Each role's test prints how many
requests it made per operation (`pytest -rP` shows it).
"""

import time
from collections import defaultdict
from io import StringIO

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core import signals
from django.core.cache import cache
from django.core.management import call_command
from django.db import close_old_connections, transaction
from django.test import Client, TestCase
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.models import User
from config.wsgi import application
from training.services import attendance

MAX_EXAMPLES = 15
# role -> the demo user (accounts/demo.py)
USERS = {"province": "province", "county": "beilin", "institution": "institution", "finance": "finance"}
CHECKIN_PATH = "/api/checkins/"
SCHEMA_URL = "/api/schema/?format=json"
CONFIG = {
    "seed": 20261101,  # the same cases on every run
    "phases": {"coverage": {"enabled": False}},
}

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Django closes the database connection at the start and end of each request (close_old_connections);
    inside the test transaction that would throw the transaction away. Django's test client detaches the
    handler around its requests; the WSGI requests here need the same."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _pytest_9_node_id(request):
    """schemathesis 4.32's lazy-schema runner reads `request.node._nodeid` to label each operation's subtest;
    pytest 9.2 keeps the node id elsewhere. Give it the attribute (it only writes it back)."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@pytest.fixture(scope="module")
def demo_data(request, django_db_setup, django_db_blocker):
    """The demo data: this package's shared demo world if tests/security/conftest.py provides one (`world`),
    otherwise seed_demo for this module, in an outer transaction rolled back when the module ends."""
    try:
        request.getfixturevalue("world")
        yield
        return
    except pytest.FixtureLookupError:
        pass
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                call_command("seed_demo", stdout=StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(params=list(USERS))
def role(request):
    return request.param


@pytest.fixture
def headers(role, demo_data):
    client = Client()
    client.force_login(User.objects.get(username=USERS[role]))
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    csrf = "f" * 32  # a CSRF secret of the client's own, sent as cookie and header as a browser would
    owner = User.objects.get(username=USERS["institution"])
    _, device_token = attendance.device_issue(actor=owner, institution=owner.institution, name="fuzz 考勤机")
    user = {COOKIE_HEADER: f"{django_settings.SESSION_COOKIE_NAME}={session}; csrftoken={csrf}", "X-CSRFToken": csrf}
    return {"user": user, "device": {"Authorization": f"Device {device_token}"}}


# The WSGI test client (werkzeug) drops a Cookie header it did not set itself: the session cookie travels in a
# header of the test's own, which this wrapper turns into the Cookie header Django reads.
COOKIE_HEADER = "X-Test-Cookie"


def _with_session_cookie(app):
    def wrapped(environ, start_response):
        cookie = environ.pop("HTTP_X_TEST_COOKIE", None)
        if cookie:
            environ["HTTP_COOKIE"] = cookie
        return app(environ, start_response)

    return wrapped


@pytest.fixture
def api_schema(headers):
    config = schemathesis.Config.from_dict(CONFIG)
    app = _with_session_cookie(application)
    return schemathesis.openapi.from_wsgi(SCHEMA_URL, app, config=config, headers=headers["user"])


@pytest.fixture
def calls(role):
    """Requests made per operation, printed at the end."""
    made = defaultdict(list)
    yield made
    total = sum(len(v) for v in made.values())
    seconds = sum(sum(v) for v in made.values())
    print(f"\n{role}: {len(made)} operations, {total} requests, {seconds:.1f} s in requests")
    for label, times in sorted(made.items()):
        print(f"  {label}: {len(times)} requests, {sum(times):.2f} s")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_fuzz(case, headers, role, calls):
    auth = headers["device"] if case.operation.path == CHECKIN_PATH else headers["user"]
    cache.clear()  # throttles
    savepoint = transaction.savepoint()
    started = time.perf_counter()
    try:
        case.call_and_validate(headers=auth, checks=[not_a_server_error, response_schema_conformance])
    finally:
        calls[case.operation.label].append(time.perf_counter() - started)
        transaction.savepoint_rollback(savepoint)
        transaction.set_rollback(False)
