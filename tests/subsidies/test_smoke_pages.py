"""Quick checks of the subsidy pages and API: each page renders for the roles that use it, and refuses (403)
or hides (404) for the others; the review controls follow the findings; a forged line id is 404; the public
notice shows masked rows only and limits objections per address; a double-submitted payment records once.

World: one completed class in 北林区 (231202) played through the services (tests/subsidies/factories.py); the
安达市 (231281) county user is the outsider."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client

from core.clock import replaying as clock
from subsidies.models import ClaimStatus, LineStatus, Objection, Payment, PaymentKind, Severity
from subsidies.services import claims
from training.models import EnrollmentResult

from .factories import World, approved_claim, bureau, completed_class, noticed_claim, province, verified_claim

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def as_user(user) -> Client:
    client = Client()
    user.refresh_from_db()  # the factories may have saved the user again since (a new password hash)
    client.force_login(user)
    return client


def fail_second(person: int):
    return EnrollmentResult.FAILED if person == 1 else EnrollmentResult.PASSED


@pytest.fixture
def verified():
    h = completed_class(people=3, outcome=fail_second)
    return h, verified_claim(h)


def test_claim_pages_render_for_their_roles_and_hide_from_outsiders(verified):
    h, claim = verified
    owner, staff = as_user(h.owner), as_user(h.bureau)
    for url in ("/claims/", f"/claims/{claim.pk}/", "/claims/new/"):
        assert owner.get(url).status_code == 200, url
    for url in ("/claims/", "/claims/queue/", f"/claims/{claim.pk}/", f"/claims/{claim.pk}/follow-ups/"):
        assert staff.get(url).status_code == 200, url
    for url in ("/claims/spot-checks/", "/claims/inspectors/"):
        assert staff.get(url).status_code == 200, url
    reader = as_user(province())
    assert reader.get(f"/claims/{claim.pk}/").status_code == 200
    assert reader.get("/claims/queue/").status_code == 403
    assert as_user(bureau("231281")).get(f"/claims/{claim.pk}/").status_code == 404
    assert as_user(h.finance).get(f"/claims/{claim.pk}/").status_code == 404  # not approved yet
    assert owner.get("/claims/queue/").status_code == 403
    assert Client().get("/claims/").status_code == 302


def test_review_page_has_no_approve_button_for_a_blocked_line_and_masks_people(verified):
    h, claim = verified
    html = as_user(h.bureau).get(f"/claims/{claim.pk}/").content.decode()
    for testid in ("claim-status", "lines-table", "line-findings", "review-actions"):
        assert f'data-testid="{testid}"' in html
    blocked = claim.lines.get(findings__severity=Severity.BLOCKING)
    row = html[html.index(f'id="line-{blocked.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "NOT_PASSED" in row and 'data-testid="approve-line"' not in row
    assert html.count('data-testid="approve-line"') == 2
    for trainee in h.trainees:
        assert trainee.id_number not in html and trainee.name not in html
        assert trainee.id_number_masked in html


def test_line_decisions_through_the_page_and_a_forged_line_is_404(verified):
    h, claim = verified
    other = verified_claim(completed_class(World.make(), people=2, name="另一个班"))
    staff = as_user(h.bureau)
    foreign = other.lines.first()
    assert staff.post(f"/claims/{claim.pk}/lines/{foreign.pk}/decide/", {"decision": "approve"}).status_code == 404
    api = staff.post(f"/api/claims/{claim.pk}/lines/{foreign.pk}/decide/", {"approve": True}, "application/json")
    assert api.status_code == 404
    blocked = claim.lines.get(findings__severity=Severity.BLOCKING)
    staff.post(f"/claims/{claim.pk}/lines/{blocked.pk}/decide/", {"decision": "approve"})
    blocked.refresh_from_db()
    assert blocked.status == LineStatus.PENDING
    for line in claim.lines.exclude(pk=blocked.pk):
        staff.post(f"/claims/{claim.pk}/lines/{line.pk}/decide/", {"decision": "approve"})
    staff.post(f"/claims/{claim.pk}/lines/{blocked.pk}/decide/", {"decision": "reject", "reason": "考核不合格"})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW
    assert 'data-testid="send-to-notice"' in staff.get(f"/claims/{claim.pk}/").content.decode()
    owner_html = as_user(h.owner).get(f"/claims/{claim.pk}/").content.decode()
    assert "核减原因" in owner_html and "考核不合格" in owner_html


def test_public_notice_shows_masked_rows_takes_objections_and_limits_them_per_address():
    cache.clear()
    h = completed_class(people=2)
    claim, notice = noticed_claim(h)
    anonymous = Client()
    with clock(notice.published_at.date()):
        assert f"/public/notices/{notice.pk}/" in anonymous.get("/public/notices/").content.decode()
        html = anonymous.get(f"/public/notices/{notice.pk}/").content.decode()
        for testid in ("notice-rows", "objection-form", "notice-integrity"):
            assert f'data-testid="{testid}"' in html
        for trainee in h.trainees:
            assert trainee.name not in html and trainee.id_number not in html
        data = {"text": "此人未参加培训", "contact_name": "王先生", "contact_phone": "13800001111"}
        data["line"] = notice.content[0]["line"]
        assert anonymous.post(f"/public/notices/{notice.pk}/", data).status_code == 302
        assert Objection.objects.filter(notice=notice, line_id=data["line"]).count() == 1
        assert "13800001111" not in anonymous.get(f"/public/notices/{notice.pk}/").content.decode()
        assert "13800001111" not in as_user(h.bureau).get(f"/claims/{claim.pk}/").content.decode()
        answers = [anonymous.post(f"/public/notices/{notice.pk}/", data).status_code for _ in range(5)]
        assert answers == [302, 302, 302, 302, 429]
        api = anonymous.get("/api/public/notices/").json()
        assert api["count"] == 1 and "contact" not in str(api)
    cache.clear()


def test_a_double_submitted_settlement_records_once():
    h = completed_class(people=2)
    claim, notice = approved_claim(h)
    money = as_user(h.finance)
    with clock(notice.ends_on + timedelta(days=2)):
        assert "payable-claims" in money.get("/claims/payments/").content.decode()
        html = money.get(f"/claims/{claim.pk}/settle/").content.decode()
        assert 'data-testid="payment-form"' in html
        key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', html).group(1)
        for _ in range(2):
            response = money.post(f"/claims/{claim.pk}/settle/", {"bank_reference": "B-1", "idempotency_key": key})
            assert response.status_code == 302
    assert Payment.objects.filter(claim=claim, kind=PaymentKind.SETTLEMENT).count() == 1
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SETTLED


def test_claims_api_is_scoped_and_masked(verified):
    h, claim = verified
    detail = as_user(h.bureau).get(f"/api/claims/{claim.pk}/").json()
    assert len(detail["lines"]) == 3
    assert {line["id_number"] for line in detail["lines"]} == {t.id_number_masked for t in h.trainees}
    assert as_user(bureau("231281")).get(f"/api/claims/{claim.pk}/").status_code == 404
    assert as_user(h.owner).get("/api/standards/").status_code == 403
    assert as_user(h.bureau).get("/api/standards/").status_code == 200


def test_the_claim_api_lists_the_acts_each_user_may_start(verified):
    h, claim = verified
    detail = as_user(h.bureau).get(f"/api/claims/{claim.pk}/").json()
    assert detail["actions"] == ["reverify", "decide_lines", "accept_warning", "return", "reject"]
    assert {tuple(line["actions"]) for line in detail["lines"]} == {("approve", "reject")}
    for reader in (h.owner, province()):
        seen = as_user(reader).get(f"/api/claims/{claim.pk}/").json()
        assert seen["actions"] == [] and all(line["actions"] == [] for line in seen["lines"])
    draft = claims.claim_create(
        actor=h.owner, training_class=completed_class(h.world, first=10, name="第二期").training_class
    )
    assert as_user(h.owner).get(f"/api/claims/{draft.pk}/").json()["actions"] == ["add_material", "submit"]


def test_a_decided_claim_offers_no_line_decisions_in_the_api(verified):
    h, claim = verified
    claims.claim_return(actor=h.bureau, claim=claim, reason="请补充考勤")
    detail = as_user(h.bureau).get(f"/api/claims/{claim.pk}/").json()
    assert detail["actions"] == [] and all(line["actions"] == [] for line in detail["lines"])
    assert as_user(h.owner).get(f"/api/claims/{claim.pk}/").json()["actions"] == ["add_material", "resubmit"]


def test_the_schema_documents_the_actions_as_a_list_of_names():
    from drf_spectacular.generators import SchemaGenerator

    schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    for name in ("ClaimDetail", "ClaimLine"):
        actions = schemas[name]["properties"]["actions"]
        assert actions["type"] == "array" and actions["items"]["type"] == "string", name


def test_the_detail_page_shows_the_buttons_of_the_acts_each_user_may_start(verified):
    h, claim = verified
    staff = as_user(h.bureau).get(f"/claims/{claim.pk}/").content.decode()
    for testid in ("review-actions", "reverify", "return-claim", "reject-claim", "line-decide-form"):
        assert f'data-testid="{testid}"' in staff, testid
    assert 'data-testid="send-to-notice"' not in staff  # only once the review has started
    assert 'data-testid="submit-claim"' not in staff
    owner = as_user(h.owner).get(f"/claims/{claim.pk}/").content.decode()
    for testid in ("review-actions", "line-decide-form", "submit-claim", "material-form", "follow-ups-link"):
        assert f'data-testid="{testid}"' not in owner, testid
    reader = as_user(province()).get(f"/claims/{claim.pk}/").content.decode()
    assert 'data-testid="follow-ups-link"' in reader and 'data-testid="review-actions"' not in reader
    claims.claim_return(actor=h.bureau, claim=claim, reason="请补充考勤")
    owner = as_user(h.owner).get(f"/claims/{claim.pk}/").content.decode()
    for testid in ("submit-claim", "material-form", "claim-decision-reason"):
        assert f'data-testid="{testid}"' in owner, testid
    assert "重新提交" in owner and "请补充考勤" in owner


def test_finance_is_offered_the_settlement_of_an_approved_claim_only():
    h = completed_class(people=2)
    claim, _ = approved_claim(h)
    money = as_user(h.finance).get(f"/claims/{claim.pk}/").content.decode()
    assert f'href="/claims/{claim.pk}/settle/"' in money
    assert f'href="/classes/{h.training_class.pk}/"' not in money  # finance does not open the class pages
    assert f'href="/claims/{claim.pk}/settle/"' not in as_user(h.bureau).get(f"/claims/{claim.pk}/").content.decode()
