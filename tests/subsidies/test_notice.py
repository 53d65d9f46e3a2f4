"""Public notice (公示): N working days on the Chinese calendar, masked content with a tamper-evident hash,
objections that hold the approval, and the daily task that approves the claims whose notice ended."""

import json
from datetime import date, timedelta

import pytest

from core.clock import replaying as clock
from core.errors import DomainError
from core.masking import mask_name
from subsidies import tasks
from subsidies.models import ClaimStatus, LineStatus, Objection, PublicNotice
from subsidies.services import notices, objections
from trainees.models import TrainingRecord
from training.models import EnrollmentResult

from .factories import RegionSettingFactory, World, approved_claim, completed_class, noticed_claim, region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def file(notice, text="该学员培训期间在外地务工，未参加培训。", line=None, on=None, **kw):
    kw.setdefault("contact_name", "李四")
    kw.setdefault("contact_phone", "13800001111")
    with clock(on or notice.published_at.date() + timedelta(days=1)):
        return objections.objection_file(notice=notice, text=text, line=line, **kw)


# --- the period ---------------------------------------------------------------------------------------------


def test_five_working_days_across_the_national_day_holiday():
    """Sent on Friday 2025-09-26: Sunday 9-28 is a 调休 working day, 10-1…10-8 are holidays, so the fifth
    working day is 10-10."""
    h = completed_class(start=date(2025, 9, 15))
    claim, notice = noticed_claim(h, on=date(2025, 9, 26))
    assert notice.ends_on == date(2025, 10, 10)
    assert claim.status == ClaimStatus.PUBLIC_NOTICE


def test_the_number_of_working_days_is_a_regional_setting():
    RegionSettingFactory(region=region("2312"), notice_working_days=7)
    h = completed_class(start=date(2025, 9, 15))
    _, notice = noticed_claim(h, on=date(2025, 9, 26))
    assert notice.ends_on == date(2025, 10, 13)  # 10-11 (Saturday) is a 调休 working day


def test_an_ordinary_week():
    h = completed_class()  # 2025-03-03/04
    _, notice = noticed_claim(h, on=date(2025, 3, 14))  # a Friday
    assert notice.ends_on == date(2025, 3, 21)


# --- the content --------------------------------------------------------------------------------------------


def test_the_content_is_masked_and_lists_only_approved_lines():
    h = completed_class(people=4, outcome=lambda n: EnrollmentResult.FAILED if n == 3 else EnrollmentResult.PASSED)
    claim, notice = noticed_claim(h)
    published = json.dumps(notice.content, ensure_ascii=False)
    approved = list(claim.lines.filter(status=LineStatus.APPROVED).order_by("id").select_related("trainee"))
    assert [row["line"] for row in notice.content] == [line.pk for line in approved] and len(approved) == 3
    for trainee in h.trainees:
        assert trainee.id_number not in published
        assert trainee.name not in published
        assert trainee.phone not in published
    for row, line in zip(notice.content, approved, strict=True):
        assert row["name"] == mask_name(line.trainee.name) and "*" in row["name"]
        assert row["id_number"] == line.trainee.id_number_masked
        assert row["id_number"][:6] == line.trainee.id_number[:6] and row["id_number"][6:14] == "*" * 8
        assert row["amount"] == "1000.00" and row["institution"] == h.institution.name
    assert h.trainees[3].id_number_masked not in published  # the failed person is not published


def test_an_edit_of_the_published_content_is_detected():
    h = completed_class()
    _, notice = noticed_claim(h)
    assert notices.notice_is_intact(notice)
    content = notice.content
    content[0]["amount"] = "9000.00"
    PublicNotice.objects.filter(pk=notice.pk).update(content=content)
    notice.refresh_from_db()
    assert not notices.notice_is_intact(notice)


# --- objections ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kw", "message"),
    [
        ("", {}, "请填写异议内容"),
        ("   \n ", {}, "请填写异议内容"),
        ("假" * 10_000, {}, "不能超过 2000 字"),
        ("假" * 2001, {}, "不能超过 2000 字"),
        ("此人未参训", {"contact_name": ""}, "联系人"),
        ("此人未参训", {"contact_phone": " "}, "联系人"),
    ],
)
def test_an_objection_without_text_or_contact_or_too_long_is_refused(text, kw, message):
    h = completed_class()
    _, notice = noticed_claim(h)
    with pytest.raises(DomainError, match=message):
        file(notice, text=text, **kw)
    assert not Objection.objects.exists()


def test_an_objection_of_2000_characters_is_accepted_and_its_phone_kept_private():
    h = completed_class()
    _, notice = noticed_claim(h)
    objection = file(notice, text="假" * 2000)
    assert objection.status == Objection.Status.OPEN and len(objection.text) == 2000
    assert Objection.objects.get(pk=objection.pk).contact_phone == "13800001111"
    assert "13800001111" not in json.dumps(notice.content)


def test_objections_are_refused_after_the_notice_ends_or_for_a_line_of_another_claim():
    h = completed_class()
    _claim, notice = noticed_claim(h)
    other = completed_class(World.make(), first=10)
    other_claim, _ = noticed_claim(other)
    with pytest.raises(DomainError, match="不在本次公示中"):
        file(notice, line=other_claim.lines.first())
    file(notice, on=notice.ends_on)  # the last day still counts
    with pytest.raises(DomainError, match="公示期已结束"):
        file(notice, on=notice.ends_on + timedelta(days=1))


def test_an_open_objection_holds_the_approval_until_it_is_resolved():
    h = completed_class()
    claim, notice = noticed_claim(h)
    objection = file(notice)
    after = notice.ends_on + timedelta(days=1)
    assert claim.pk not in notices.notices_due(after)
    with clock(after):
        notices.claim_approve_after_notice(claim.pk)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PUBLIC_NOTICE and not TrainingRecord.objects.exists()
    with pytest.raises(DomainError, match="请填写处理意见"):
        objections.objection_resolve(actor=h.bureau, objection=objection, upheld=False, resolution=" ")
    objections.objection_resolve(actor=h.bureau, objection=objection, upheld=False, resolution="经核实，该学员全程参训")
    with pytest.raises(DomainError, match="已处理"):
        objections.objection_resolve(actor=h.bureau, objection=objection, upheld=True, resolution="再次处理")
    assert notices.notices_due(notice.ends_on) == []  # not before the end
    assert notices.notices_due(after) == [claim.pk]
    with clock(after):
        notices.claim_approve_after_notice(claim.pk)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    assert TrainingRecord.objects.count() == 3


def test_an_upheld_objection_rejects_its_line_and_the_rest_is_approved():
    h = completed_class()
    claim, notice = noticed_claim(h)
    target = claim.lines.get(enrollment=h.enrollments[1])
    objection = file(notice, line=target)
    objections.objection_resolve(actor=h.bureau, objection=objection, upheld=True, resolution="经电话核实，本人未参训")
    target.refresh_from_db()
    assert target.status == LineStatus.REJECTED
    assert target.decision_reason.startswith("公示异议成立") and "本人未参训" in target.decision_reason
    with clock(notice.ends_on + timedelta(days=1)):
        notices.claim_approve_after_notice(claim.pk)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    assert set(TrainingRecord.objects.values_list("trainee_id", flat=True)) == {
        h.trainees[0].pk,
        h.trainees[2].pk,
    }
    assert claim.approved_amount == 2000


def test_an_upheld_objection_against_the_whole_claim_rejects_it():
    h = completed_class()
    claim, notice = noticed_claim(h)
    objection = file(notice, text="该班为虚假培训，学员均未到场。")
    objections.objection_resolve(actor=h.bureau, objection=objection, upheld=True, resolution="现场核实为虚假培训")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED
    assert set(claim.lines.values_list("status", flat=True)) == {LineStatus.REJECTED}
    assert notices.notices_due(notice.ends_on + timedelta(days=1)) == []
    with clock(notice.ends_on + timedelta(days=1)):
        notices.claim_approve_after_notice(claim.pk)
        tasks.close_due_notices()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED and not TrainingRecord.objects.exists()


def test_close_due_notices_approves_only_the_claims_whose_notice_ended_without_open_objections():
    w = World.make()
    due = completed_class(w, first=0, name="到期")
    held = completed_class(w, first=10, name="有异议")
    running = completed_class(w, first=20, name="公示中")
    due_claim, notice = noticed_claim(due, on=date(2025, 3, 14))  # ends 3-21
    held_claim, held_notice = noticed_claim(held, on=date(2025, 3, 14))
    file(held_notice)
    running_claim, running_notice = noticed_claim(running, on=date(2025, 3, 20))  # ends 3-27
    assert (notice.ends_on, running_notice.ends_on) == (date(2025, 3, 21), date(2025, 3, 27))

    with clock(date(2025, 3, 24)):
        assert tasks.close_due_notices() == 1
        assert tasks.close_due_notices() == 0  # idempotent
    statuses = {c.pk: c.status for c in (due_claim, held_claim, running_claim) if not c.refresh_from_db()}
    assert statuses == {
        due_claim.pk: ClaimStatus.APPROVED,
        held_claim.pk: ClaimStatus.PUBLIC_NOTICE,
        running_claim.pk: ClaimStatus.PUBLIC_NOTICE,
    }
    assert set(TrainingRecord.objects.values_list("trainee_id", flat=True)) == {t.pk for t in due.trainees}


def test_the_helper_plays_a_claim_to_approval():
    h = completed_class()
    claim, notice = approved_claim(h)
    assert claim.status == ClaimStatus.APPROVED and notice.closed_at is not None
    assert list(claim.status_changes.values_list("to_status", flat=True)) == [
        "draft",
        "submitted",
        "verifying",
        "verified",
        "under_review",
        "public_notice",
        "approved",
    ]
