"""The verification rules that catch training that did not happen, each with a case where it finds something
and a case where it does not, built through the services: a denial on the phone follow-up (blocking), and the
fraud signals (warnings): one phone for three people, a burst of check-ins on one device, a class clustered at
the age edges, everyone passing with attendance at the threshold."""

from datetime import date
from decimal import Decimal

import pytest

from subsidies.models import Severity
from subsidies.services import claims, follow_ups
from training.models import EnrollmentResult

from ..trainees.factories import make_id, register
from ..training.factories import row
from .factories import codes, completed_class, findings, verified_claim
from .rule_kit import county_setting, covers, line_codes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


# --- phone follow-up ----------------------------------------------------------------------------------------


@covers("PHONE_FOLLOW_UP_DENIED")
def test_a_denial_on_the_phone_is_found_and_a_confirmation_is_not():
    h = completed_class()
    claim = verified_claim(h)
    calls = follow_ups.follow_ups_draw(actor=h.bureau, claim=claim, everyone=True)
    by_line = {c.line.enrollment_id: c for c in calls}
    follow_ups.follow_up_record(actor=h.bureau, follow_up=by_line[h.enrollments[0].pk], outcome="denies")
    follow_ups.follow_up_record(actor=h.bureau, follow_up=by_line[h.enrollments[1].pk], outcome="confirms")
    claims.claim_verify(claim.pk)
    assert "PHONE_FOLLOW_UP_DENIED" in line_codes(claim, h, 0)
    assert "PHONE_FOLLOW_UP_DENIED" not in line_codes(claim, h, 1) | line_codes(claim, h, 2)
    assert findings(claim, "PHONE_FOLLOW_UP_DENIED")[0].severity == Severity.BLOCKING


# --- fraud signals (warnings) -------------------------------------------------------------------------------


@covers("SHARED_PHONE")
def test_three_people_with_one_phone_are_found_counting_the_whole_register():
    phone = "13912345678"
    # two on this class share the phone with a third person registered elsewhere; person 2 has their own
    register(make_id("231221", date(1975, 5, 5), seq=21), name="赵某某", county_code="231221", phone=phone)
    h = completed_class(roster=[row(0, 手机号码=phone), row(1, 手机号码=phone), row(2)])
    claim = verified_claim(h)
    assert "SHARED_PHONE" in line_codes(claim, h, 0) & line_codes(claim, h, 1)
    assert "SHARED_PHONE" not in line_codes(claim, h, 2)
    assert {f.inputs["people_with_this_phone"] for f in findings(claim, "SHARED_PHONE")} == {3}
    assert all(f.severity == Severity.WARNING for f in findings(claim, "SHARED_PHONE"))


def test_two_people_with_one_phone_are_not_found():
    phone = "13912345678"
    h = completed_class(roster=[row(0, 手机号码=phone), row(1, 手机号码=phone), row(2)])
    assert "SHARED_PHONE" not in codes(verified_claim(h))


@covers("CHECK_IN_BURST")
def test_ten_check_ins_within_seconds_on_one_device_are_found():
    h = completed_class(people=10, spacing=1)
    claim = verified_claim(h)
    burst = findings(claim, "CHECK_IN_BURST")
    assert len(burst) == 1 and burst[0].line_id is None
    assert burst[0].inputs["bursts"][0]["count"] == 10
    assert burst[0].inputs["bursts"][0]["device"] == h.world.device.pk


@pytest.mark.parametrize(("people", "spacing"), [(10, 17), (10, 2), (9, 1)])
def test_check_ins_spread_out_or_fewer_than_ten_are_not_a_burst(people, spacing):
    h = completed_class(people=people, spacing=spacing)
    assert "CHECK_IN_BURST" not in codes(verified_claim(h))


def edge_roster(young: int, old: int, total: int = 10) -> list[list]:
    """`young` people aged 17 and `old` aged 61 on 2025-03-03, the rest from the ordinary pool."""
    data = [row(n, 身份证号码=make_id("231202", date(2007, 6, 1), seq=100 + n)) for n in range(young)]
    data += [row(20 + n, 身份证号码=make_id("231202", date(1963, 6, 1), seq=200 + n)) for n in range(old)]
    data += [row(40 + n) for n in range(total - young - old)]
    return data


@covers("AGE_CLUSTER")
def test_half_the_class_at_the_age_edges_is_found():
    h = completed_class(roster=edge_roster(young=3, old=2))
    claim = verified_claim(h)
    (finding,) = findings(claim, "AGE_CLUSTER")
    assert finding.inputs == {"at_edges": 5, "lines": 10}
    assert "AGE_UNDER_16" not in codes(claim)


@pytest.mark.parametrize(("young", "old", "total"), [(2, 2, 10), (3, 2, 5)])
def test_fewer_than_half_at_the_edges_or_fewer_than_ten_people_is_not_found(young, old, total):
    h = completed_class(roster=edge_roster(young=young, old=old, total=total))
    assert "AGE_CLUSTER" not in codes(verified_claim(h))


@covers("PASS_RATE_VS_ATTENDANCE")
def test_everyone_passing_with_attendance_at_the_threshold_is_found():
    county_setting(attendance_threshold=Decimal("0.75"))
    h = completed_class(attend=lambda person, session: session != 3)  # everyone 9/12 = 75 %
    claim = verified_claim(h)
    (finding,) = findings(claim, "PASS_RATE_VS_ATTENDANCE")
    assert finding.inputs == {"median_attendance": 0.75, "threshold": "0.75"}
    assert "ATTENDANCE_BELOW_THRESHOLD" not in codes(claim)


@pytest.mark.parametrize("variant", ["someone failed", "full attendance"])
def test_a_failure_or_full_attendance_is_not_found(variant):
    county_setting(attendance_threshold=Decimal("0.75"))
    if variant == "someone failed":
        h = completed_class(
            attend=lambda person, session: session != 3,
            outcome=lambda n: EnrollmentResult.FAILED if n == 2 else EnrollmentResult.PASSED,
        )
    else:
        h = completed_class()
    assert "PASS_RATE_VS_ATTENDANCE" not in codes(verified_claim(h))
