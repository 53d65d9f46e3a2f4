"""The findings the verification writes: the rule's version, severity, message and inputs; re-verifying
replaces them without duplicates and keeps an accepted warning only while the rule finds the same thing,
never accepts a blocking one; and the verification's query count does not grow with the number of lines."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.clock import replaying as clock
from subsidies import rules
from subsidies.models import ClaimStatus, Finding, Severity
from subsidies.services import claims

from ..institutions.factories import DesignatedInstitutionFactory
from ..trainees.factories import make_id, register
from ..training.factories import row
from .factories import World, completed_class, findings, verified_claim

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def test_a_finding_records_the_rule_version_severity_message_and_inputs():
    h = completed_class(attend=lambda person, session: not (person == 0 and session == 3))
    claim = verified_claim(h)
    (finding,) = findings(claim, "ATTENDANCE_BELOW_THRESHOLD")
    rule = next(r for r in rules.REGISTRY if r.code == "ATTENDANCE_BELOW_THRESHOLD")
    assert (finding.rule_version, finding.severity) == (rule.version, rule.severity) == (1, Severity.BLOCKING)
    assert finding.message.startswith(rule.message) and "75%" in finding.message
    assert finding.inputs["attended_hours"] == 9 and finding.inputs["rate"] == "0.7500"


def shared_phone_class():
    phone = "13912345678"
    return completed_class(
        people=10,
        spacing=1,  # a claim-level CHECK_IN_BURST warning too
        roster=[row(0, 手机号码=phone), row(1, 手机号码=phone), row(2, 手机号码=phone)]
        + [row(n) for n in range(3, 10)],
    )


def test_re_verifying_replaces_the_findings_and_keeps_accepted_warnings():
    h = shared_phone_class()
    claim = verified_claim(h)
    line = claim.lines.get(enrollment=h.enrollments[0])
    claims.line_decide(actor=h.bureau, line=line, approve=True, reason="三人为一家人，共用手机")
    burst = claim.findings.get(rule_code="CHECK_IN_BURST")
    claims.claim_accept_warning(actor=h.bureau, finding=burst, reason="现场核实为排队签到")

    def state():
        return sorted(
            claim.findings.values_list("line_id", "rule_code", "accepted_reason"), key=lambda r: (r[0] or 0, r[1])
        )

    before = state()
    ids_before = set(claim.findings.values_list("id", flat=True))

    claims.claim_verify(claim.pk)
    claims.claim_verify(claim.pk)

    after = state()
    assert after == before  # same findings, no duplicates, acceptances kept
    assert len(after) == len({(a, b) for a, b, _ in after}) == 4  # 3 SHARED_PHONE + 1 CHECK_IN_BURST
    assert not ids_before & set(claim.findings.values_list("id", flat=True))  # replaced, not added to
    kept = claim.findings.get(line=line, rule_code="SHARED_PHONE")
    assert (kept.accepted_reason, kept.accepted_by) == ("三人为一家人，共用手机", h.bureau)
    assert claim.findings.get(rule_code="CHECK_IN_BURST").accepted_by == h.bureau
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW
    assert claim.status_changes.filter(to_status=ClaimStatus.VERIFIED).count() == 1


def test_an_accepted_warning_is_not_carried_over_when_the_rule_now_finds_something_else():
    """claim_verify's contract: accepted warnings stay accepted "when the same rule finds the same thing
    again". Here the phone accepted as shared by three people is now shared by four: the staff's reason
    was about three people and should not silently cover the new fact."""
    h = shared_phone_class()
    claim = verified_claim(h)
    line = claim.lines.get(enrollment=h.enrollments[0])
    claims.line_decide(actor=h.bureau, line=line, approve=True, reason="三人为一家人，共用手机")
    register(make_id("231221", date(1975, 5, 5), seq=21), name="赵某某", county_code="231221", phone="13912345678")
    claims.claim_verify(claim.pk)
    finding = claim.findings.get(line=line, rule_code="SHARED_PHONE")
    assert finding.inputs == {"people_with_this_phone": 4}
    assert finding.accepted_reason == "", "an acceptance of 3 sharers was carried over to a finding of 4"


def test_a_blocking_finding_is_never_accepted_by_re_verification():
    h = completed_class(attend=lambda person, session: not (person == 0 and session == 3))
    claim = verified_claim(h)
    Finding.objects.filter(claim=claim).update(accepted_reason="（篡改）")
    claims.claim_verify(claim.pk)
    assert claim.findings.get(rule_code="ATTENDANCE_BELOW_THRESHOLD").accepted_reason == ""


def submitted_claim(h):
    with clock(h.training_class.end_date + timedelta(days=3)):
        claim = claims.claim_create(actor=h.owner, training_class=h.training_class)
        claims.claim_submit(actor=h.owner, claim=claim)
    return claim


def test_verification_runs_a_fixed_number_of_queries_whatever_the_number_of_lines():
    small = completed_class(people=5)
    large = completed_class(World.make(DesignatedInstitutionFactory()), people=30, first=100, name="大班")
    counts = {}
    for label, h in (("5 lines", small), ("30 lines", large)):
        claim = submitted_claim(h)
        with CaptureQueriesContext(connection) as ctx:
            claims.claim_verify(claim.pk)
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.VERIFIED and claim.lines.count() == int(label.split()[0])
        counts[label] = len(ctx.captured_queries)
    print(f"\nclaim_verify query counts: {counts}")
    assert counts["5 lines"] == counts["30 lines"], counts
