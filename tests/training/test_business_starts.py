"""创业后续服务: after an entrepreneurship class ends, its institution or its county records who started a business,
within FOLLOW_UP_MONTHS of the end; the class and claim pages show how many did. Scope as the class page: other
counties and institutions get 404, the province and finance cannot record."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import AuditEvent
from core.clock import replaying as clock
from core.errors import DomainError
from training.business_starts import FOLLOW_UP_MONTHS, business_start_record, follow_up_until, months_after
from training.models import BusinessStartFollowUp, ClassStatus

from ..institutions.factories import credit_code
from ..subsidies.entrepreneurship_kit import entrepreneurship_class, stage
from ..subsidies.factories import approved_claim, bureau, completed_class, province

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def record(h, n=0, *, actor=None, on=None, **kw):
    fields = {"started_on": h.training_class.end_date + timedelta(days=20), "business_name": "绥化市北林区春燕小吃店"}
    fields |= {"evidence": "营业执照（副本）已核验", **kw}
    with clock(on or h.training_class.end_date + timedelta(days=30)):
        return business_start_record(actor=actor or h.owner, enrollment=h.enrollments[n], **fields)


def test_the_owner_records_a_business_start_linked_to_the_persons_stage_record():
    h = entrepreneurship_class("syb")
    claim, notice = approved_claim(h)
    code = credit_code(7)
    follow_up = record(h, credit_code=code.lower(), on=notice.ends_on + timedelta(days=3))
    assert follow_up.trainee == h.trainees[0] and follow_up.training_class == h.training_class
    assert follow_up.credit_code == code
    assert follow_up.record.entrepreneurship_stage == stage("syb")
    assert follow_up.record.source_ref.startswith(f"claim-{claim.pk}-")
    assert AuditEvent.objects.filter(action="business_start.recorded", actor=h.owner).count() == 1


def test_the_county_may_record_and_before_the_claim_the_stage_record_is_empty():
    h = entrepreneurship_class("gyb")
    follow_up = record(h, actor=h.bureau)
    assert follow_up.recorded_by == h.bureau and follow_up.record is None


@pytest.mark.parametrize("who", ["another county", "province"])
def test_outside_the_class_no_one_else_records(who):
    h = entrepreneurship_class("syb")
    actor = {"another county": bureau("231281"), "province": province()}[who]
    with pytest.raises(PermissionDenied):
        record(h, actor=actor)
    assert not BusinessStartFollowUp.objects.exists()


def test_only_an_entrepreneurship_class_records_a_business_start():
    h = completed_class()
    with pytest.raises(DomainError, match="创业培训班"):
        record(h)


def test_not_before_the_class_has_ended():
    h = entrepreneurship_class("syb", until=ClassStatus.IN_TRAINING)
    with pytest.raises(DomainError, match="结业后"):
        record(h, on=h.training_class.end_date)


def test_the_period_is_n_months_after_the_class_ends():
    h = entrepreneurship_class("syb")
    until = follow_up_until(h.training_class)
    assert until == months_after(h.training_class.end_date, FOLLOW_UP_MONTHS) == date(2025, 9, 4)
    record(h, 0, on=until)  # the last day still counts
    with pytest.raises(DomainError, match="登记期限"):
        record(h, 1, on=until + timedelta(days=1))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"started_on": date(2025, 5, 1)}, "不能晚于今天"),  # recorded on 2025-04-03
        ({"credit_code": "91231200MA1234567X"}, "统一社会信用代码"),
        ({"business_name": "  "}, "名称"),
        ({"evidence": ""}, "证明材料"),
    ],
)
def test_a_wrong_entry_is_refused(change, message):
    h = entrepreneurship_class("syb")
    with pytest.raises(DomainError, match=message):
        record(h, **change)
    assert not BusinessStartFollowUp.objects.exists()


def test_one_business_start_per_person_and_class():
    h = entrepreneurship_class("syb")
    record(h)
    with pytest.raises(DomainError, match="已登记"):
        record(h, business_name="另一家店")
    assert BusinessStartFollowUp.objects.count() == 1


def test_months_after_keeps_the_day_or_takes_the_months_last():
    assert months_after(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert months_after(date(2025, 12, 15), 1) == date(2026, 1, 15)


# --- pages --------------------------------------------------------------------------------------------------


def test_the_page_records_and_the_class_and_claim_pages_show_the_status(client):
    h = entrepreneurship_class("syb")
    url = reverse("training:business_starts", args=[h.training_class.pk])
    client.force_login(h.owner)
    with clock(h.training_class.end_date + timedelta(days=30)):
        page = client.get(url)
        assert page.status_code == 200 and "已创业 0 / 3 人" in page.content.decode()
        data = {
            "enrollment": h.enrollments[1].pk,
            "started_on": "2025-03-20",
            "business_name": "安达市立军农机修理部",
            "credit_code": "",
            "evidence": "个体工商户营业执照",
        }
        response = client.post(url, data, follow=True)
        assert response.status_code == 200 and "安达市立军农机修理部" in response.content.decode()
        assert BusinessStartFollowUp.objects.get().enrollment == h.enrollments[1]
        detail = client.get(reverse("training:detail", args=[h.training_class.pk])).content.decode()
        assert "已创业 1 / 3 人" in detail
    claim, _notice = approved_claim(h)
    client.force_login(h.bureau)
    claim_page = client.get(reverse("subsidies:detail", args=[claim.pk])).content.decode()
    assert "已登记创业 1 人" in claim_page


def test_the_page_refuses_another_county_and_a_bad_entry_is_a_message(client):
    h = entrepreneurship_class("syb")
    url = reverse("training:business_starts", args=[h.training_class.pk])
    client.force_login(bureau("231281"))
    assert client.get(url).status_code == 404
    client.force_login(h.owner)
    with clock(h.training_class.end_date + timedelta(days=30)):
        data = {"enrollment": h.enrollments[0].pk, "started_on": "2025-03-20", "business_name": "店", "evidence": ""}
        response = client.post(url, data, follow=True)
    assert response.status_code == 200 and not BusinessStartFollowUp.objects.exists()
