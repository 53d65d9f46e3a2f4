"""通过全部无问题的人员: one POST approves every pending line on which the verification found nothing, through the
line workflow, in one transaction, with one audit event; it needs the same permission, claim status and step-up
as approving one line, and running it twice approves nothing more."""

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.test import Client

from accounts.models import AuditEvent
from core.errors import DomainError
from subsidies.models import ClaimStatus, LineStatus, Severity
from subsidies.services import claims, review
from training.models import EnrollmentResult

from .factories import bureau, completed_class, verified_claim

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


@pytest.fixture
def mixed():
    """Six people: 0 failed (blocking NOT_PASSED), 1 and 2 share a phone with a third person (warnings), 3, 4
    and 5 have no finding."""
    from ..trainees.factories import make_id, register
    from ..training.factories import row

    phone = "13912345678"
    register(make_id("231221", date(1975, 5, 5), seq=21), name="赵某某", county_code="231221", phone=phone)
    h = completed_class(
        roster=[row(0), row(1, 手机号码=phone), row(2, 手机号码=phone), row(3), row(4), row(5)],
        outcome=lambda n: EnrollmentResult.FAILED if n == 0 else EnrollmentResult.PASSED,
    )
    claim = verified_claim(h)
    lines = [claim.lines.get(enrollment=e) for e in h.enrollments]
    assert [bool(line.findings.exists()) for line in lines] == [True, True, True, False, False, False]
    return h, claim, lines


def statuses(lines) -> list[str]:
    for line in lines:
        line.refresh_from_db()
    return [line.status for line in lines]


def as_user(user) -> Client:
    client = Client()
    user.refresh_from_db()
    client.force_login(user)
    return client


P, A, R = LineStatus.PENDING, LineStatus.APPROVED, LineStatus.REJECTED


def test_only_pending_lines_without_any_finding_are_approved_in_one_audited_step(mixed):
    h, claim, lines = mixed
    claims.line_decide(actor=h.bureau, line=lines[5], approve=False, reason="本人放弃补贴")  # decided: stays
    before = AuditEvent.objects.count()
    result = review.claim_approve_clean_lines(actor=h.bureau, claim=claim)
    assert (result.approved, result.flagged_pending, result.next_line_id) == (2, 3, lines[0].pk)
    assert statuses(lines) == [P, P, P, A, A, R]
    assert all(line.decided_by == h.bureau for line in lines[3:5])
    event = AuditEvent.objects.get(action="claim.clean_lines_approved")
    assert event.details["count"] == 2 and sorted(event.details["lines"]) == [lines[3].pk, lines[4].pk]
    assert AuditEvent.objects.count() == before + 1
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW  # the review had already started with line 5


def test_the_first_decision_being_the_bulk_one_starts_the_review(mixed):
    h, claim, _lines = mixed
    review.claim_approve_clean_lines(actor=h.bureau, claim=claim)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW and claim.reviewed_by == h.bureau
    assert AuditEvent.objects.filter(action="claim.review_started", target_id=str(claim.pk)).count() == 1


def test_running_it_again_approves_nothing_more_and_writes_nothing(mixed):
    h, claim, lines = mixed
    assert review.claim_approve_clean_lines(actor=h.bureau, claim=claim).approved == 3
    events = AuditEvent.objects.count()
    again = review.claim_approve_clean_lines(actor=h.bureau, claim=claim)
    assert (again.approved, again.flagged_pending) == (0, 3)
    assert AuditEvent.objects.count() == events
    assert statuses(lines) == [P, P, P, A, A, A]


def test_a_warning_accepted_or_not_keeps_a_line_out_of_the_bulk_approval(mixed):
    h, claim, lines = mixed
    warning = lines[1].findings.get(severity=Severity.WARNING)
    warning.accepted_reason = "已电话核实"
    warning.save()
    review.claim_approve_clean_lines(actor=h.bureau, claim=claim)
    assert statuses(lines)[:3] == [P, P, P]


def test_it_is_refused_without_the_permission_and_changes_nothing(mixed):
    h, claim, lines = mixed
    for outsider in (h.owner, bureau("231281"), h.finance):
        with pytest.raises(PermissionDenied):
            review.claim_approve_clean_lines(actor=outsider, claim=claim)
    assert statuses(lines) == [P] * 6
    assert not AuditEvent.objects.filter(action="claim.clean_lines_approved").exists()


def test_it_is_refused_when_the_claim_is_not_open_for_line_decisions(mixed):
    h, claim, lines = mixed
    claims.claim_return(actor=h.bureau, claim=claim, reason="请补充考勤")
    with pytest.raises(DomainError, match="只有核验完成的申请可以审核"):
        review.claim_approve_clean_lines(actor=h.bureau, claim=claim)
    assert statuses(lines) == [P] * 6


# --- the page -----------------------------------------------------------------------------------------------


def test_the_button_shows_for_the_deciding_bureau_while_clean_lines_wait(mixed):
    h, claim, _lines = mixed
    url = f"/claims/{claim.pk}/"
    staff_html = as_user(h.bureau).get(url).content.decode()
    assert 'data-testid="approve-clean"' in staff_html and "通过全部无问题的人员（3 人）" in staff_html
    assert 'data-testid="approve-clean"' not in as_user(h.owner).get(url).content.decode()
    review.claim_approve_clean_lines(actor=h.bureau, claim=claim)
    assert 'data-testid="approve-clean"' not in as_user(h.bureau).get(url).content.decode()


def test_the_page_says_how_many_were_approved_and_what_is_left_and_focuses_the_next_line(mixed):
    h, claim, lines = mixed
    response = as_user(h.bureau).post(f"/claims/{claim.pk}/lines/approve-clean/")
    assert response.status_code == 302
    assert response["Location"] == f"/claims/{claim.pk}/?focus={lines[0].pk}"
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == "已通过 3 名无核验发现的人员。还有 3 人有核验发现，请逐人处理。"
    assert statuses(lines) == [P, P, P, A, A, A]


def test_one_line_decision_says_who_and_moves_to_the_next_pending_line(mixed):
    h, claim, lines = mixed
    staff = as_user(h.bureau)
    response = staff.post(
        f"/claims/{claim.pk}/lines/{lines[0].pk}/decide/", {"decision": "reject", "reason": "考核不合格"}
    )
    name = lines[0].trainee.name_masked
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith(f"已不通过 {name}，核减 {lines[0].amount} 元。还有 5 人待审核，下一位：")
    assert response["Location"].endswith(f"?focus={lines[1].pk}")
    html = staff.get(response["Location"]).content.decode()
    row = html[html.index(f'id="line-{lines[1].pk}"') :]
    assert " autofocus" in row[: row.index("</tr>")]  # the reason box of the next line (it has a warning)


def test_the_bulk_approval_asks_for_the_same_step_up_as_one_line(mixed, settings):
    from ..accounts.test_two_factor import enable

    h, claim, lines = mixed
    settings.TWO_FACTOR_REQUIRED = True
    client = Client()
    h.bureau.refresh_from_db()
    enable(client, h.bureau)
    session = client.session
    session["reauth_at"] = 0  # signed in long ago
    session.save()
    for url in (f"/claims/{claim.pk}/lines/approve-clean/", f"/claims/{claim.pk}/lines/{lines[3].pk}/decide/"):
        response = client.post(url, {"decision": "approve"})
        assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/reauth/"), url
    assert statuses(lines) == [P] * 6
