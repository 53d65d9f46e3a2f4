"""A county reviewer clears a 24-person claim: one click approves the 20 people the verification found nothing
on, then the 4 people with findings are decided one by one, each in place (focus lands on the next one), and
the clicks are counted. The claim is paid by the day, so the amounts differ and each row says why.

The class is played through the services on past dates (tests/subsidies/factories.completed_class, as
test_claim_journey does); the review is done in the browser at 1366×768."""

import time
from datetime import date

import pytest
from playwright.sync_api import expect

from accounts.models import AuditEvent
from subsidies.models import ClaimStatus, LineStatus
from tests.accounts.factories import PASSWORD
from tests.subsidies.factories import AFTERNOON, MORNING, World, completed_class, level, make_standard, verified_claim
from tests.trainees.factories import make_id, register
from tests.training.factories import row
from training.models import EnrollmentResult

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PEOPLE = 24
FAILED = {5, 17}  # blocking: NOT_PASSED
SHARING = {9, 14}  # warning: SHARED_PHONE (with a third person registered elsewhere)
MISSED_AFTERNOON = {3, 11}  # 2 of 3 days paid: 200 元 instead of 300 元, no finding (15/18 h attended)
PHONE = "13977770000"

CONTRAST = """el => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lin = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lum = ([r, g, b]) => [r, g, b].map(lin)
    .reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
  let bg = el, c;
  while (bg && ((c = rgb(getComputedStyle(bg).backgroundColor)).length === 4 && c[3] === 0)) bg = bg.parentElement;
  const back = bg ? rgb(getComputedStyle(bg).backgroundColor) : [255, 255, 255];
  const [l1, l2] = [lum(rgb(getComputedStyle(el).color)), lum(back)];
  return (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
}"""


def build_claim():
    world = World.make(theory_hours=9, practice_hours=9)  # three days of 3 h + 3 h
    make_standard("2312", basis="per_day", amount=100, min_hours_per_day=6, skill_level=level("level5"))
    register(make_id("231221", date(1975, 5, 5), seq=21), name="赵某某", county_code="231221", phone=PHONE)
    roster = [row(n, 手机号码=PHONE) if n in SHARING else row(n) for n in range(PEOPLE)]
    h = completed_class(
        world,
        roster=roster,
        days=[[MORNING, AFTERNOON]] * 3,
        standard=None,
        attend=lambda person, session: not (person in MISSED_AFTERNOON and session == 5),
        outcome=lambda n: EnrollmentResult.FAILED if n in FAILED else EnrollmentResult.PASSED,
        name="2025年第5期养老护理员（五级）培训班",
    )
    claim = verified_claim(h)
    flagged = {line.pk for line in claim.lines.filter(findings__isnull=False).distinct()}
    assert len(flagged) == len(FAILED | SHARING), claim.findings.values_list("rule_code", flat=True)
    return h, claim


def test_a_county_user_reviews_24_people_with_the_bulk_button_then_the_flagged_ones(
    page, live_server, screenshot, reference_data
):
    h, claim = build_claim()
    lines = {e.pk: claim.lines.get(enrollment=e) for e in h.enrollments}
    by_person = [lines[e.pk] for e in h.enrollments]
    page.set_viewport_size({"width": 1366, "height": 768})
    clicks = 0

    def click(locator):
        nonlocal clicks
        clicks += 1
        locator.click()

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(h.bureau.username)
    page.get_by_label("密码").fill(PASSWORD)
    click(page.get_by_role("button", name="登录"))
    started = time.monotonic()
    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    rows = page.get_by_test_id("line-row")
    expect(rows).to_have_count(PEOPLE)

    # why 200 ≠ 300: each row explains its amount; the findings read in words, the code in a tooltip
    expect(page.get_by_test_id("line-amount").nth(3)).to_contain_text("100.00 × 2 天")
    expect(page.get_by_test_id("line-amount").nth(0)).to_contain_text("100.00 × 3 天")
    expect(page.get_by_test_id("line-findings").nth(5)).to_contain_text("考核未合格")
    expect(page.get_by_test_id("line-findings").nth(5)).not_to_contain_text("NOT_PASSED")
    # the controls of a warned row and a blocked row are readable (WCAG AA) and named after their person
    blocked = rows.nth(5)
    for control in (
        blocked.get_by_test_id("reject-line"),
        blocked.locator("strong").first,
        rows.nth(9).locator("strong").first,
    ):
        assert control.evaluate(CONTRAST) >= 4.5, control
    expect(blocked.get_by_role("button", name=f"不通过 {by_person[5].trainee.name_masked}（第 6 人）")).to_be_visible()

    # --- the bulk part: one click for the 20 people without findings ---------------------------------------
    click(page.get_by_test_id("approve-clean"))
    expect(
        page.get_by_role("alert").filter(has_text="已通过 20 名无核验发现的人员。还有 4 人有核验发现，请逐人处理。")
    ).to_be_visible()
    bulk_clicks = clicks

    # --- the flagged people one by one: focus is on the next one after each decision ---------------------
    for n in sorted(FAILED | SHARING):
        line = by_person[n]
        reason = page.locator(f"#id_reason_{line.pk}")
        expect(reason).to_be_focused()
        if n in FAILED:  # the reason is the finding, filled in: Tab to 不通过 and press Enter, no mouse
            expect(reason).to_have_value("考核不合格或未考核，只补贴合格人员")
            page.keyboard.press("Tab")
            expect(page.locator(f"#line-{line.pk}").get_by_test_id("reject-line")).to_be_focused()
            page.keyboard.press("Enter")
        else:
            reason.fill("经电话回访核实：两人为夫妻，共用一部手机。")
            click(page.locator(f"#line-{line.pk}").get_by_test_id("approve-line"))
        expect(page.locator(f"#line-{line.pk}").get_by_test_id("line-status")).not_to_have_text("待审核")
    expect(page.get_by_role("alert").filter(has_text="全部人员已审核")).to_be_visible()
    expect(page.get_by_test_id("approve-clean")).to_have_count(0)
    expect(page.get_by_test_id("send-to-notice")).to_be_visible()
    seconds = time.monotonic() - started
    screenshot("claim_review_after")

    statuses = [line.status for line in claim.lines.order_by("id")]
    assert statuses.count(LineStatus.APPROVED) == PEOPLE - len(FAILED) and statuses.count(LineStatus.REJECTED) == 2
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW
    assert AuditEvent.objects.get(action="claim.clean_lines_approved").details["count"] == 20
    flagged_clicks = clicks - bulk_clicks
    print(
        f"\nfast review of {PEOPLE} people: {clicks} clicks ({bulk_clicks} bulk incl. sign-in, "
        f"{flagged_clicks} for 4 flagged, 2 of them by keyboard), {seconds:.1f} s"
    )
    assert bulk_clicks <= 10 and flagged_clicks <= 2 * len(FAILED | SHARING)
