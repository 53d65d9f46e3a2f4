"""The claims services are scoped: every one refuses users outside the claim's scope (another institution,
another county, finance, the province), the institution cannot decide lines nor the bureau submit, and city
staff may decide their counties' claims."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from core.clock import replaying as clock
from subsidies.models import ClaimStatus, LineStatus, Objection, Severity
from subsidies.services import claims, follow_ups, notices, objections

from .factories import FindingFactory, World, bureau, completed_class, noticed_claim, user, verified_claim

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


@pytest.fixture
def scoped():
    """A verified claim with a claim-level warning and follow-ups, plus a claim in public notice with an
    objection: everything a service could be called on."""
    h = completed_class()
    claim = verified_claim(h)
    warning = FindingFactory(claim=claim, rule_code="CHECK_IN_BURST", severity=Severity.WARNING, message="同一考勤设备")
    calls = follow_ups.follow_ups_draw(actor=h.bureau, claim=claim, everyone=True)
    other = completed_class(World.make(), first=20, name="第二期")
    noticed, notice = noticed_claim(other)
    with clock(notice.published_at.date()):
        objection = objections.objection_file(
            notice=notice, text="此人未参加培训", contact_name="李四", contact_phone="13800000000"
        )
    return h, claim, warning, calls, noticed, objection


def services(h, claim, warning, calls, noticed, objection):
    line = claim.lines.first()
    return {
        "claim_create": lambda a: claims.claim_create(actor=a, training_class=h.training_class, kind="living"),
        "claim_submit": lambda a: claims.claim_submit(actor=a, claim=claim),
        "claim_reverify": lambda a: claims.claim_reverify(actor=a, claim=claim),
        "line_decide": lambda a: claims.line_decide(actor=a, line=line, approve=False, reason="不通过"),
        "claim_accept_warning": lambda a: claims.claim_accept_warning(actor=a, finding=warning, reason="接受"),
        "claim_return": lambda a: claims.claim_return(actor=a, claim=claim, reason="退回"),
        "claim_reject": lambda a: claims.claim_reject(actor=a, claim=claim, reason="不予补贴"),
        "claim_send_to_notice": lambda a: notices.claim_send_to_notice(actor=a, claim=claim),
        "objection_resolve": lambda a: objections.objection_resolve(
            actor=a, objection=objection, upheld=True, resolution="成立"
        ),
        "follow_ups_draw": lambda a: follow_ups.follow_ups_draw(actor=a, claim=noticed),
        "follow_up_record": lambda a: follow_ups.follow_up_record(actor=a, follow_up=calls[0], outcome="denies"),
    }


@pytest.mark.parametrize("who", ["another institution", "county 231281", "finance of the city", "province"])
def test_users_outside_the_claims_scope_are_refused_by_every_service(scoped, who):
    h, claim, warning, calls, noticed, objection = scoped
    actor = {
        "another institution": lambda: World.make().owner,
        "county 231281": lambda: bureau("231281"),
        "finance of the city": lambda: h.finance,
        "province": lambda: user("province", "23"),
    }[who]()
    allowed = []
    for name, call in services(h, claim, warning, calls, noticed, objection).items():
        try:
            with transaction.atomic():
                call(actor)
        except PermissionDenied:
            continue
        except Exception as exc:
            allowed.append(f"{name}: {type(exc).__name__}: {exc}")
        else:
            allowed.append(f"{name}: succeeded")
    assert allowed == []
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.VERIFIED and claim.lines.filter(status=LineStatus.PENDING).count() == 3
    assert Objection.objects.get(pk=objection.pk).status == Objection.Status.OPEN


def test_the_institution_cannot_decide_and_the_bureau_cannot_submit(scoped):
    h, claim, *_ = scoped
    with pytest.raises(PermissionDenied):
        claims.line_decide(actor=h.owner, line=claim.lines.first(), approve=True)
    with pytest.raises(PermissionDenied):
        claims.claim_create(actor=h.bureau, training_class=h.training_class, kind="living")
    with pytest.raises(PermissionDenied):
        claims.claim_submit(actor=h.bureau, claim=claim)


def test_city_staff_may_decide_their_counties_claims(scoped):
    _h, claim, *_ = scoped
    city = bureau("2312")
    line = claims.line_decide(actor=city, line=claim.lines.first(), approve=True)
    assert line.status == LineStatus.APPROVED
