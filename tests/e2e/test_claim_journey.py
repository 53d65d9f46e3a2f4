"""The subsidy claim from the institution's click to the finance bureau's settlement.

The completed class is played through the services on past dates with core.clock.replaying (as
subsidies/demo.py does); the claim itself is made, reviewed, published, read by the public and settled in the
browser. Only the end of the public notice is moved in time, in the test, with the same clock.
"""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from core.clock import replaying as clock
from core.masking import mask_id_number, mask_name
from subsidies.models import ClaimStatus, LineStatus, Payment, PaymentKind, PublicNotice, SubsidyClaim
from subsidies.services import notices, standards
from tests.accounts.factories import PASSWORD
from tests.institutions.factories import DesignatedInstitutionFactory, ProgramFactory
from tests.subsidies.factories import World, completed_class
from tests.training.factories import row
from training.services import attendance

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CLASS_NAME = "2025年第3期营销员（五级）培训班"  # the factory program: the first occupation, 营销员
START = date(2025, 3, 3)  # a Monday: two days of 3 h + 3 h = the program's 12 hours
SHARED_PHONE = "13945670001"  # three trainees give the same mobile: the SHARED_PHONE warning fires on each
PEOPLE = ["张建国", "李秀英", "王晓明", "赵丽娟"]
BANK_REFERENCE = "STL-2025-0031"


def build_completed_class(make_user):
    """Institution, users, a city standard and a completed class with a roster, attendance and results."""
    institution = DesignatedInstitutionFactory(name="北林区惠民职业技能培训学校")
    program = ProgramFactory(institution=institution, theory_hours=6, practice_hours=6)
    owner = make_user("institution", None, institution=institution, username="huimin")
    staff = make_user("county", "231202", username="beilin-review")
    finance = make_user("finance", "2312", username="suihua-finance")
    city = make_user("city", "2312", username="suihua-standards")
    with clock(date(2024, 1, 2)):
        standards.standard_create(
            actor=city,
            region=city.region,
            valid_from=date(2024, 1, 1),
            training_type=program.training_type,
            skill_level=program.skill_level,
            amount=Decimal(1000),
            document="绥政办发〔2024〕（测试）",
        )
        device, _ = attendance.device_issue(actor=owner, institution=institution, name="前台人脸考勤机")
    world = World(institution=institution, program=program, owner=owner, bureau=staff, finance=finance, device=device)
    roster = [row(n, 姓名=name, 手机号码=SHARED_PHONE if n < 3 else f"1384556000{n}") for n, name in enumerate(PEOPLE)]
    return completed_class(world, start=START, roster=roster, standard=None, name=CLASS_NAME)


def signed_in_as(page, sign_in, user):
    sign_in(user.username, PASSWORD)
    expect(page.get_by_role("button", name="退出")).to_be_visible()


def test_institution_claims_county_reviews_and_publishes_public_reads_masked_rows_and_finance_settles(
    page, live_server, sign_in, make_user, reference_data, screenshot
):
    h = build_completed_class(make_user)
    trainees = h.trainees
    assert [t.name for t in trainees] == PEOPLE

    # --- the institution claims for the completed class and submits -------------------------------------
    signed_in_as(page, sign_in, h.owner)
    page.goto(f"{live_server.url}/claims/")
    claimable = page.get_by_test_id("claimable-classes")
    expect(claimable).to_contain_text(CLASS_NAME)
    claimable.get_by_role("button", name="申请补贴").click()
    expect(page).to_have_url(re.compile(r"/claims/\d+/$"))
    expect(page.get_by_test_id("claim-status")).to_have_text("草稿")
    expect(page.get_by_test_id("line-row")).to_have_count(4)
    claim = SubsidyClaim.objects.get(training_class=h.training_class)
    assert claim.requested_amount == Decimal("4000.00")

    page.get_by_test_id("submit-claim").click()  # verification is queued on commit; Celery runs it eagerly
    expect(page.get_by_role("alert").filter(has_text="已提交")).to_be_visible()
    page.reload()
    expect(page.get_by_test_id("claim-status")).to_have_text("已核验")
    line_findings = page.get_by_test_id("line-findings")
    for n in range(3):
        expect(line_findings.nth(n)).to_contain_text("多人共用手机号")  # the label of SHARED_PHONE
        expect(line_findings.nth(n)).to_contain_text("同一手机号被多名学员使用（3 人）")
    expect(line_findings.nth(3)).to_have_text("无")
    page.get_by_role("button", name="退出").click()

    # --- the county reviews: warnings accepted with a written reason, lines approved, notice published ----
    signed_in_as(page, sign_in, h.bureau)
    page.goto(f"{live_server.url}/claims/queue/")
    page.get_by_test_id("review-queue").get_by_role("link", name=CLASS_NAME).click()
    expect(page).to_have_url(f"{live_server.url}/claims/{claim.pk}/")
    expect(page.get_by_test_id("claim-status")).to_have_text("已核验")
    expect(page.get_by_test_id("review-actions")).to_be_visible()
    expect(page.get_by_test_id("send-to-notice")).to_have_count(0)  # nothing reviewed yet

    rows = page.get_by_test_id("line-row")
    rows.nth(0).get_by_test_id("approve-line").click()  # a warned line without a reason is refused
    expect(page.get_by_role("alert").filter(has_text="通过须填写接受理由")).to_be_visible()
    expect(rows.nth(0).get_by_test_id("line-status")).to_have_text("待审核")

    reason = "经电话回访核实：三人为同一家庭成员，共用一部手机，确实参加了培训。"
    for n in range(4):
        form = rows.nth(n).get_by_test_id("line-decide-form")
        if n < 3:
            form.get_by_label("审核意见").fill(reason)
        form.get_by_test_id("approve-line").click()
        expect(rows.nth(n).get_by_test_id("line-status")).to_have_text("通过")
    expect(page.get_by_test_id("claim-status")).to_have_text("审核中")
    for n in range(3):
        expect(page.get_by_test_id("line-findings").nth(n)).to_contain_text(f"已接受：{reason}")
    expect(page.get_by_test_id("approved-total")).to_contain_text("4 人 · 4000.00 元")

    page.get_by_test_id("send-to-notice").click()
    expect(page.get_by_role("alert").filter(has_text="已发布公示")).to_be_visible()
    expect(page.get_by_test_id("claim-status")).to_have_text("公示中")
    notice = PublicNotice.objects.get(claim=claim)
    expect(page.get_by_test_id("claim-notice")).to_contain_text(
        f"公示截止{notice.ends_on.year}年{notice.ends_on.month}月{notice.ends_on.day}日"
    )
    assert claim.findings.filter(rule_code="SHARED_PHONE", accepted_reason=reason).count() == 3
    page.get_by_role("button", name="退出").click()

    # --- anyone reads the notice: masked names and ID numbers only --------------------------------------
    page.goto(f"{live_server.url}/public/notices/{notice.pk}/")
    expect(page.get_by_role("button", name="退出")).to_have_count(0)  # signed out: an anonymous visitor
    expect(page.get_by_text("公示中", exact=True)).to_be_visible()
    expect(page.get_by_test_id("notice-integrity")).to_contain_text("内容完整")
    notice_rows = page.get_by_test_id("notice-rows").locator("tbody tr")
    expect(notice_rows).to_have_count(4)
    body = page.locator("body")
    for n, trainee in enumerate(trainees):
        masked_name, masked_id = mask_name(trainee.name), mask_id_number(trainee.id_number)
        assert masked_name == trainee.name[0] + "*" + trainee.name[-1]
        assert masked_id == f"{trainee.id_number[:6]}***********{trainee.id_number[-1]}"
        expect(notice_rows.nth(n).locator("td")).to_have_text(
            [str(n + 1), h.program.occupation.name, h.program.skill_level.name, masked_name, masked_id, "1000.00"]
        )
        expect(body).not_to_contain_text(trainee.name)
        expect(body).not_to_contain_text(trainee.id_number)
    expect(body).not_to_contain_text(SHARED_PHONE)
    expect(page.get_by_test_id("objection-form")).to_be_visible()
    screenshot("claim_journey_public_notice")

    # --- the notice ends with no objection: the daily approval, played the day after it ends -------------
    with clock(notice.ends_on + timedelta(days=1)):
        notices.claim_approve_after_notice(claim.pk)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED and claim.approved_amount == Decimal("4000.00")
    assert claim.lines.filter(status=LineStatus.APPROVED).count() == 4

    # --- finance records the settlement ------------------------------------------------------------------
    signed_in_as(page, sign_in, h.finance)
    page.goto(f"{live_server.url}/claims/payments/")
    payable = page.get_by_test_id("payable-claims").get_by_role("row").filter(has_text=CLASS_NAME)
    expect(payable).to_contain_text("4000.00")
    payable.get_by_role("link", name="登记清算").click()
    expect(page).to_have_url(f"{live_server.url}/claims/{claim.pk}/settle/")
    expect(page.get_by_test_id("payment-amount")).to_contain_text("4000.00 元")
    form = page.get_by_test_id("payment-form")
    form.get_by_label("银行流水号").fill(BANK_REFERENCE)
    form.get_by_role("button", name="登记").click()
    expect(page).to_have_url(f"{live_server.url}/claims/payments/")
    expect(page.get_by_role("alert").filter(has_text="已登记清算 4000.00 元")).to_be_visible()
    expect(page.get_by_test_id("payable-claims")).to_contain_text("暂无待清算的申请。")
    recorded = page.get_by_test_id("payment-table").get_by_role("row").filter(has_text=BANK_REFERENCE)
    expect(recorded).to_contain_text("清算")
    recorded.get_by_role("link", name=CLASS_NAME).click()
    expect(page.get_by_test_id("claim-status")).to_have_text("已结算")
    expect(page.get_by_test_id("claim-payments")).to_contain_text(BANK_REFERENCE)

    payment = Payment.objects.get(claim=claim)
    assert payment.kind == PaymentKind.SETTLEMENT
    assert payment.amount == Decimal("4000.00") and payment.bank_reference == BANK_REFERENCE
    assert payment.recorded_by == h.finance
    assert SubsidyClaim.objects.get(pk=claim.pk).status == ClaimStatus.SETTLED
    screenshot()
