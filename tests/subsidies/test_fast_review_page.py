"""The claim page for a fast review: each line's amount explained by the figures it was computed from, the lines
filtered by finding (validated GET parameters), every finding in words (the code only in a tooltip), and review
controls named after the person of their row."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from subsidies.models import Basis, SubsidyStandard
from subsidies.rules import REGISTRY, rule_label
from subsidies.selectors import claim_review_lines
from subsidies.services.review import amount_breakdown
from subsidies.services.standards import line_amount
from training.models import EnrollmentResult

from .factories import completed_class, level, make_standard, verified_claim

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

BY_DAY = {date(2025, 3, 3): 6, date(2025, 3, 4): 3, date(2025, 3, 5): 8}


def as_user(user) -> Client:
    client = Client()
    user.refresh_from_db()
    client.force_login(user)
    return client


def rows(html: str) -> dict[int, str]:
    return {int(m.group(1)): m.group(0) for m in re.finditer(r'<tr id="line-(\d+)".*?</tr>', html, re.S)}


# --- the amount of each line, explained ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("basis", "rate", "minimum", "quantity"),
    [
        (Basis.PER_PERSON, "1000", 0, 1),
        (Basis.PER_HOUR, "12.5", 0, 12),  # the program's 12 standard hours
        (Basis.PER_HOUR, "0.125", 0, 12),
        (Basis.PER_DAY, "100", 6, 2),  # days of 6, 3 and 8 hours: 2 reach the minimum
        (Basis.PER_DAY, "100", 3, 3),
    ],
)
def test_the_breakdowns_figures_multiply_to_the_line_amount_for_each_basis(basis, rate, minimum, quantity):
    standard = SubsidyStandard(basis=basis, amount=Decimal(rate), min_hours_per_day=minimum)
    b = amount_breakdown(standard, standard_hours=12, hours_by_day=BY_DAY)
    assert b.amount == line_amount(standard, standard_hours=12, hours_by_day=BY_DAY)
    assert b.quantity == quantity and b.rate == Decimal(rate)
    assert b.product == b.amount
    assert f"× {quantity} {b.unit} = {b.amount} 元" in b.formula


def test_a_per_day_breakdown_says_which_days_were_not_paid():
    standard = SubsidyStandard(basis=Basis.PER_DAY, amount=Decimal(100), min_hours_per_day=6)
    b = amount_breakdown(standard, standard_hours=12, hours_by_day=BY_DAY)
    assert (b.days_attended, b.quantity, b.days_short) == (3, 2, 1)
    assert b.quantity_note == "出勤 3 天，其中 2 天达到每天最少 6 课时；1 天不足，不计补贴"


@pytest.fixture
def per_day():
    """100 元 a day (at least 6 hours), two days: person 0 misses an afternoon (paid 1 day), the others 2."""
    make_standard(
        "2312",
        basis="per_day",
        amount=100,
        min_hours_per_day=6,
        skill_level=level("level5"),
        document="绥人社发〔2025〕1号",
    )
    h = completed_class(attend=lambda person, session: (person, session) != (0, 3))
    return h, verified_claim(h)


def test_the_page_explains_why_two_lines_are_paid_differently(per_day):
    h, claim = per_day
    lines = claim_review_lines(claim)
    assert [line.amount for line in lines] == [Decimal("100.00"), Decimal("200.00"), Decimal("200.00")]
    for line in lines:  # the page's figures are the ones the stored amount was computed from
        assert line.breakdown.product == line.breakdown.amount == line.amount and not line.amount_differs
    html = as_user(h.bureau).get(f"/claims/{claim.pk}/").content.decode()
    first, second = rows(html)[lines[0].pk], rows(html)[lines[1].pk]
    assert "100.00 元/天 × 1 天 = 100.00 元" in first and "1 天不足，不计补贴" in first
    assert "100.00 元/天 × 2 天 = 200.00 元" in second
    assert "绥人社发〔2025〕1号" in first and "按天" in first


# --- filters ------------------------------------------------------------------------------------------------


@pytest.fixture
def mixed():
    """Person 1 failed (blocking NOT_PASSED); persons 0 and 2 are clean."""
    h = completed_class(outcome=lambda n: EnrollmentResult.FAILED if n == 1 else EnrollmentResult.PASSED)
    claim = verified_claim(h)
    return h, claim, [claim.lines.get(enrollment=e) for e in h.enrollments]


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("", [0, 1, 2]),
        ("?flag=clean", [0, 2]),
        ("?flag=blocking", [1]),
        ("?flag=warning", []),
        ("?rule=NOT_PASSED", [1]),
        ("?rule=SHARED_PHONE", []),
        ("?flag=clean&rule=NOT_PASSED", []),
    ],
)
def test_the_lines_table_filters_by_finding(mixed, query, shown):
    h, claim, lines = mixed
    response = as_user(h.bureau).get(f"/claims/{claim.pk}/{query}")
    assert response.status_code == 200
    assert sorted(rows(response.content.decode())) == [lines[n].pk for n in shown]


def test_an_invalid_filter_is_refused_with_a_message_and_shows_every_line(mixed):
    h, claim, _lines = mixed
    response = as_user(h.bureau).get(f"/claims/{claim.pk}/?flag=bogus&rule=DROP")
    assert response.status_code == 400
    html = response.content.decode()
    assert "查询条件有误" in html and len(rows(html)) == 3


def test_the_filter_controls_are_labelled_and_show_their_counts(mixed):
    h, claim, _lines = mixed
    html = as_user(h.bureau).get(f"/claims/{claim.pk}/").content.decode()
    assert '<label class="form-label small mb-0" for="id_flag">核验发现</label>' in html
    assert '<label class="form-label small mb-0" for="id_rule">发现类型</label>' in html
    assert "无问题（2）" in html and "有阻断（1）" in html and ">考核未合格</option>" in html


# --- words, not codes; named controls ------------------------------------------------------------------------


def test_every_rule_the_engine_can_emit_has_a_chinese_label():
    assert REGISTRY
    for r in REGISTRY:
        label = rule_label(r.code)
        assert label and label != r.code and re.search(r"[\u4e00-\u9fff]", label), r.code
    assert len({str(r.label) for r in REGISTRY}) == len(REGISTRY)  # no two rules read the same


def test_findings_show_their_label_and_keep_the_code_in_a_tooltip(mixed):
    h, claim, lines = mixed
    html = as_user(h.bureau).get(f"/claims/{claim.pk}/").content.decode()
    row = rows(html)[lines[1].pk]
    assert 'title="规则 NOT_PASSED"' in row and ">考核未合格</strong>" in row
    assert re.sub(r'<[^>]*>|title="[^"]*"', "", row).count("NOT_PASSED") == 0  # not in the visible text
    assert "<code>" not in html


def test_each_review_control_is_named_after_the_person_of_its_row(mixed):
    h, claim, lines = mixed
    html = as_user(h.bureau).get(f"/claims/{claim.pk}/").content.decode()
    names = re.findall(r'aria-label="((?:通过|不通过) [^"]+)"', html)
    assert len(names) == len(set(names)) == 5  # 3 × 不通过, 2 × 通过 (no approval of the blocked line)
    for n, line in enumerate(lines, 1):  # masked names can repeat (张*伟 twice): the row number tells them apart
        assert f'aria-label="不通过 {line.trainee.name_masked}（第 {n} 人）"' in rows(html)[line.pk]
