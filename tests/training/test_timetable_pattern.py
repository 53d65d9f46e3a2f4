"""Timetable entry by pattern: the expansion (weekdays, several periods, the range clipped to the class), the hours,
every conflict refused, one audit event, who may use it; and the draft-class page's ids and labels."""

from datetime import date, time, timedelta
from html.parser import HTMLParser

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import AuditEvent
from core.errors import DomainError
from training.models import ClassSession
from training.services import classes
from training.services.timetable import Draft, parse_periods, pattern_expand, timetable_generate, timetable_preview

from ..institutions.factories import TeacherFactory, VenueFactory
from .factories import World, institution_user, listed_program, ready_class, today

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

P = [(time(8, 30), time(11, 30), None), (time(13, 30), time(17, 0), 3)]  # 4 h (180 min / 45) and 3 h as given


def next_monday(after: date) -> date:
    return after + timedelta(days=(7 - after.weekday()) % 7)


@pytest.fixture
def w():
    w = World()
    w.start = next_monday(today() + timedelta(days=14))
    w.c = classes.class_create(
        actor=w.owner,
        program=w.program,
        name="2026年第3期养老护理员培训班",
        start_date=w.start,
        end_date=w.start + timedelta(days=11),  # Monday to the Friday of the next week
        planned_headcount=20,
    )
    return w


def expand(w, **kw):
    args = {"start": w.start - timedelta(days=7), "end": w.start + timedelta(days=20), "weekdays": {0, 2, 4}}
    args.update({"periods": P, **kw})
    return pattern_expand(training_class=w.c, **args)


def test_the_pattern_gives_every_chosen_weekday_and_period_within_the_class_dates_only(w):
    drafts, skipped = expand(w)
    days = [w.start + timedelta(days=n) for n in (0, 2, 4, 7, 9, 11)]  # Mon, Wed, Fri of the two class weeks
    assert [(d.date, d.start_time, d.end_time) for d in drafts] == [
        (day, start, end) for day in days for start, end, _ in P
    ]
    assert skipped == 3 + 3  # the Mon/Wed/Fri of the week before and of the week after the class
    assert [d.hours for d in drafts[:2]] == [4, 3]
    plan = timetable_preview(actor=w.owner, training_class=w.c, drafts=drafts, skipped_days=skipped)
    assert (plan.hours, plan.total_hours, plan.standard_hours, plan.conflict_count) == (42, 42, 30, 0)


def test_periods_are_read_one_a_line_with_their_hours_and_a_bad_line_says_how_to_write_it():
    assert parse_periods("08:30-11:30\n\n13:30～17:00 3\n 8点半-9:10 ") == [
        (time(8, 30), time(11, 30), None),
        (time(13, 30), time(17, 0), 3),
        (time(8, 30), time(9, 10), None),
    ]
    with pytest.raises(DomainError, match="第 2 个时段「上午」无法识别，请按“08:30-11:30”填写"):
        parse_periods("08:30-11:30\n上午")
    with pytest.raises(DomainError, match="结束时间不晚于开始时间"):
        parse_periods("11:30-08:30")
    with pytest.raises(DomainError, match="请至少勾选一个星期几"):
        pattern_expand(training_class=None, start=date(2026, 3, 2), end=date(2026, 3, 6), weekdays=set(), periods=P)


def test_confirming_creates_every_session_in_one_go_with_one_audit_event(w):
    drafts, _ = expand(w, weekdays={0, 1, 2, 3, 4}, periods=[(time(8, 0), time(11, 0), 3)])
    sessions = timetable_generate(actor=w.owner, training_class=w.c, drafts=drafts)
    assert len(sessions) == ClassSession.objects.filter(training_class=w.c).count() == 10
    assert classes.total_hours(w.c) == 30
    events = AuditEvent.objects.filter(action="class.timetable_generated", target_id=str(w.c.pk))
    assert [(e.details["count"], e.details["hours"], e.details["source"]) for e in events] == [(10, 30, "pattern")]


def refused(w, drafts, match):
    with pytest.raises(DomainError, match=match) as caught:
        timetable_generate(actor=w.owner, training_class=w.c, drafts=drafts)
    assert "请调整日期范围、星期、时段、教师或场地" in caught.value.message
    assert not ClassSession.objects.filter(training_class=w.c, start_time=time(18, 0)).exists()
    assert not AuditEvent.objects.filter(action="class.timetable_generated").exists()


def evening(day, **kw):
    return Draft(day, time(18, 0), time(21, 0), hours=kw.pop("hours", 3), **kw)


def test_a_session_outside_the_class_dates_is_refused(w):
    refused(w, [evening(w.start), evening(w.c.end_date + timedelta(days=1))], "不在培训日期")


def test_a_session_overlapping_one_of_the_class_is_refused(w):
    classes.session_add(
        actor=w.owner,
        training_class=w.c,
        date=w.start,
        start_time=time(19, 0),
        end_time=time(20, 0),
        kind="theory",
        hours=1,
    )
    refused(w, [evening(w.start)], "与本班已有课程")


def test_periods_overlapping_each_other_are_refused(w):
    drafts, _ = expand(w, periods=[(time(18, 0), time(21, 0), None), (time(20, 0), time(21, 30), None)])
    refused(w, drafts, "与本次生成的")


def test_too_few_minutes_for_the_hours_is_refused(w):
    refused(w, [evening(w.start, hours=5)], "5 课时至少需要 200 分钟")


@pytest.mark.parametrize("resource", ["teacher", "venue"])
def test_a_teacher_or_venue_booked_in_another_class_of_the_institution_at_that_time_is_refused(w, resource):
    made = (TeacherFactory if resource == "teacher" else VenueFactory)(institution=w.institution)
    other = classes.class_create(
        actor=w.owner,
        program=w.program,
        name="2026年第4期养老护理员培训班",
        start_date=w.start,
        end_date=w.c.end_date,
        planned_headcount=20,
    )
    classes.session_add(
        actor=w.owner,
        training_class=other,
        date=w.start,
        start_time=time(17, 0),
        end_time=time(19, 0),
        kind="theory",
        hours=2,
        **{resource: made},
    )
    later = evening(w.start + timedelta(days=1), **{resource: made})  # another day: no clash
    timetable_preview(actor=w.owner, training_class=w.c, drafts=[later])
    assert not later.conflicts
    word = "此时已在「2026年第4期" if resource == "teacher" else "此时已被「2026年第4期"
    refused(w, [evening(w.start, **{resource: made})], word)
    free = evening(
        w.start, **{resource: (TeacherFactory if resource == "teacher" else VenueFactory)(institution=w.institution)}
    )
    timetable_preview(actor=w.owner, training_class=w.c, drafts=[free])
    assert not free.conflicts


def test_another_institutions_teacher_is_refused(w):
    stranger = TeacherFactory()
    with pytest.raises(PermissionDenied):
        timetable_generate(actor=w.owner, training_class=w.c, drafts=[evening(w.start, teacher=stranger)])


def test_only_the_owner_and_only_while_the_class_may_be_edited(w):
    other_owner = institution_user(listed_program().institution)
    for actor in (other_owner, w.bureau):
        with pytest.raises(PermissionDenied):
            timetable_generate(actor=actor, training_class=w.c, drafts=[evening(w.start)])
    ready = ready_class(w.program, w.owner, name="待审批的班")
    classes.class_transition(actor=w.owner, training_class=ready, to_status="submitted")
    with pytest.raises(DomainError, match="不能直接修改"):
        timetable_generate(actor=w.owner, training_class=ready, drafts=[evening(ready.start_date)])


# --- the pages ------------------------------------------------------------------------------------------------


def test_the_page_previews_then_confirms(client, w):
    client.force_login(w.owner)
    url = reverse("training:timetable_pattern", args=[w.c.pk])
    page = client.get(url).content.decode()
    assert f'value="{w.start.isoformat()}"' in page and f'value="{w.c.end_date.isoformat()}"' in page
    data = {
        "start": w.start.isoformat(),
        "end": w.c.end_date.isoformat(),
        "weekdays": ["0", "2"],
        "periods": "08:30-11:30\r\n13:30-17:00 3",
        "kind": "theory",
        "content": "老年人生活照料",
    }
    response = client.post(url, data)
    html = response.content.decode()
    assert "<td>周一</td>" in html and "<td>周三</td>" in html and "<td>老年人生活照料</td>" in html
    assert response.status_code == 200 and html.count("<tr>") - html.count("<tr><th") >= 8
    assert "将生成 8 节课，共 28 课时" in html and "项目标准课时 30" in html
    assert not ClassSession.objects.filter(training_class=w.c).exists()  # a preview creates nothing
    plan = response.context["confirm_form"].initial["plan"]
    response = client.post(
        reverse("training:timetable_confirm", args=[w.c.pk]), {"plan": plan, "source": "pattern"}, follow=True
    )
    assert "已生成 8 节课。" in response.content.decode()
    assert ClassSession.objects.filter(training_class=w.c).count() == 8
    assert set(ClassSession.objects.filter(training_class=w.c).values_list("content", flat=True)) == {"老年人生活照料"}
    again = client.post(reverse("training:timetable_confirm", args=[w.c.pk]), {"plan": plan, "source": "pattern"})
    assert again.status_code == 302 and ClassSession.objects.filter(training_class=w.c).count() == 8  # overlaps now
    tampered = client.post(
        reverse("training:timetable_confirm", args=[w.c.pk]), {"plan": plan + "x", "source": "pattern"}
    )
    assert tampered.status_code == 302
    assert AuditEvent.objects.filter(action="class.timetable_generated").count() == 1


def test_the_page_marks_conflicts_and_disables_the_confirmation(client, w):
    client.force_login(w.owner)
    data = {"start": w.start.isoformat(), "end": w.start.isoformat(), "weekdays": ["0"], "kind": "theory"}
    response = client.post(reverse("training:timetable_pattern", args=[w.c.pk]), {**data, "periods": "08:00-10:00 5"})
    html = response.content.decode()
    assert 'data-conflict="1"' in html and "至少需要 200 分钟" in html and "disabled" in html
    bad = client.post(reverse("training:timetable_pattern", args=[w.c.pk]), {**data, "periods": "早上"})
    assert bad.status_code == 400 and "无法识别，请按“08:30-11:30”填写" in bad.content.decode()


def test_other_institutions_and_bureaus_cannot_open_the_page(client, w):
    url = reverse("training:timetable_pattern", args=[w.c.pk])
    client.force_login(institution_user(listed_program().institution))
    assert client.get(url).status_code == 404
    client.force_login(w.bureau)
    assert client.get(url).status_code == 403


class Controls(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.labelled, self.controls, self.empty_headers, self._label, self._th = [], set(), [], 0, 0, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "label":
            self._label += 1
            if a.get("for"):
                self.labelled.add(a["for"])
        if tag == "th":
            self._th = ""
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit", "button"):
            self.controls.append((a, self._label > 0))

    def handle_endtag(self, tag):
        if tag == "label":
            self._label -= 1
        if tag == "th":
            self.empty_headers += not self._th.strip()
            self._th = None

    def handle_data(self, data):
        if self._th is not None:
            self._th += data


def test_the_draft_class_page_has_unique_ids_a_label_for_every_control_and_no_empty_header(client, w):
    c = ready_class(w.program, w.owner, name="草稿班")
    client.force_login(w.owner)
    html = client.get(reverse("training:detail", args=[c.pk])).content.decode()
    page = Controls()
    page.feed(html)
    assert len(page.ids) == len(set(page.ids)), sorted({i for i in page.ids if page.ids.count(i) > 1})
    assert {"id_material_kind", "id_material_file", "id_session_kind"} <= set(page.ids)
    unlabelled = [
        a for a, wrapped in page.controls if not (wrapped or a.get("aria-label") or a.get("id") in page.labelled)
    ]
    assert page.controls and not unlabelled
    assert page.empty_headers == 0
    assert 'class="text-nowrap">' in html and "table-responsive" in html
