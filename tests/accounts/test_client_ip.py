"""The client address of the audit log, throttles, lockouts and the objection limit (issue 12, item 7):
forwarding headers are believed only from a configured proxy."""

import pytest

from accounts.middleware import client_ip
from accounts.models import AuditEvent

pytestmark = pytest.mark.django_db


def ip(rf, remote, **headers):
    return client_ip(rf.get("/", REMOTE_ADDR=remote, **headers))


def test_headers_from_an_untrusted_peer_are_ignored(rf, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    assert ip(rf, "203.0.113.7", HTTP_X_FORWARDED_FOR="1.2.3.4", HTTP_X_REAL_IP="1.2.3.4") == "203.0.113.7"


def test_behind_a_trusted_proxy_the_right_most_untrusted_hop_is_the_client(rf, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    # The client sent "1.2.3.4" itself; the proxy appended the address it saw.
    assert ip(rf, "10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.20") == "198.51.100.20"
    assert ip(rf, "10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.20, 10.0.0.5") == "198.51.100.20"
    assert ip(rf, "10.0.0.1", HTTP_X_REAL_IP="198.51.100.21") == "198.51.100.21"
    assert ip(rf, "10.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip") == "10.0.0.1"


def test_the_audit_log_records_the_address_the_policy_gives_not_a_header_the_client_chose(county_user, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    from django.test import RequestFactory

    from accounts.middleware import RequestContextMiddleware
    from accounts.services import audit_log

    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="5.6.7.8, 198.51.100.9")
    RequestContextMiddleware(lambda r: audit_log(actor=county_user, action="user.signed_in"))(request)
    assert AuditEvent.objects.latest("pk").ip == "198.51.100.9"
    spoofed = RequestFactory().get("/", REMOTE_ADDR="203.0.113.50", HTTP_X_REAL_IP="5.6.7.8")
    RequestContextMiddleware(lambda r: audit_log(actor=county_user, action="user.signed_in"))(spoofed)
    assert AuditEvent.objects.latest("pk").ip == "203.0.113.50"
