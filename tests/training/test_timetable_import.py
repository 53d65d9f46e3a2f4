"""Timetable import from Excel: the template, real workbooks (tidy and messy), errors naming row and column, the same
preview and confirmation as the pattern, and who may use it."""

import io
from datetime import datetime, time, timedelta

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent
from training.models import ClassSession
from training.services import classes
from training.services.timetable import COLUMNS, timetable_read

from ..institutions.factories import TeacherFactory, VenueFactory
from .factories import XLSX, World, institution_user, listed_program, ready_class, today

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


@pytest.fixture
def w():
    w = World()
    w.start = today() + timedelta(days=14)
    w.c = classes.class_create(
        actor=w.owner,
        program=w.program,
        name="2026年第5期养老护理员培训班",
        start_date=w.start,
        end_date=w.start + timedelta(days=9),
        planned_headcount=20,
    )
    w.teacher = TeacherFactory(institution=w.institution, name="王老师")
    w.venue = VenueFactory(institution=w.institution, name="一号实训室")
    return w


def workbook(rows, headers=COLUMNS) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(list(headers))
    for r in rows:
        ws.append(list(r))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, w, data, name="课程表.xlsx"):
    client.force_login(w.owner)
    file = SimpleUploadedFile(name, data, content_type=XLSX)
    return client.post(reverse("training:timetable_import", args=[w.c.pk]), {"file": file})


def test_the_template_has_the_columns_as_text_with_comments_and_an_example_row(client, w):
    client.force_login(w.owner)
    response = client.get(reverse("training:timetable_template"))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert (
        [c.value for c in ws[1]]
        == COLUMNS
        == ["日期", "开始时间", "结束时间", "类型", "课时", "授课教师", "上课地点", "课程内容"]
    )
    assert all(c.comment and c.comment.text for c in ws[1])
    assert [c.value for c in ws[2]][:3] == ["2026-03-02", "08:30", "11:30"]
    assert all(c.number_format == "@" for c in ws[2])
    assert ws.column_dimensions["B"].number_format == "@"


def test_a_tidy_workbook_is_previewed_then_confirmed_with_one_audit_event(client, w):
    day = w.start.isoformat()
    data = workbook(
        [
            [day, "08:30", "11:30", "理论", "3", "王老师", "一号实训室", " 老年人生活照料 "],
            [day, "13:30", "17:00", "实操", None, None, None],
        ]
    )
    response = upload(client, w, data)
    html = response.content.decode()
    assert response.status_code == 200 and "将生成 2 节课，共 7 课时" in html  # 3 given + 210 min / 45 = 4
    assert "<td>老年人生活照料</td>" in html  # 课程内容 shown in the preview, trimmed
    assert not ClassSession.objects.filter(training_class=w.c).exists()
    plan = response.context["confirm_form"].initial["plan"]
    client.post(reverse("training:timetable_confirm", args=[w.c.pk]), {"plan": plan, "source": "import"})
    got = list(
        ClassSession.objects.filter(training_class=w.c).values_list("start_time", "kind", "hours", "teacher", "venue")
    )
    assert got == [(time(8, 30), "theory", 3, w.teacher.pk, w.venue.pk), (time(13, 30), "practice", 4, None, None)]
    contents = list(ClassSession.objects.filter(training_class=w.c).values_list("content", flat=True))
    assert contents == ["老年人生活照料", ""]
    page = client.get(reverse("training:detail", args=[w.c.pk])).content.decode()
    assert "<th>课程内容</th>" in page and "<td>老年人生活照料</td>" in page
    events = AuditEvent.objects.filter(action="class.timetable_generated", target_id=str(w.c.pk))
    assert [(e.details["count"], e.details["source"]) for e in events] == [(2, "import")]


def test_a_messy_workbook_with_time_and_date_cells_and_loose_text_is_read(w):
    d1, d2 = w.start, w.start + timedelta(days=1)
    rows = [
        [datetime.combine(d1, time()), time(8, 30), time(11, 30), None, 3, None, None],  # date and time cells
        [f"{d2.year}/{d2.month}/{d2.day}", "8:30", "11:30", None, None, None, None],  # text
        [f"{d2.year}年{d2.month}月{d2.day}日", "13.30", "16点半", "实操", 3.0, None, None],
    ]
    drafts, errors = timetable_read(training_class=w.c, data=workbook(rows), filename="课程表.xlsx")
    assert errors == []
    assert [(d.row, d.date, d.start_time, d.end_time, d.kind, d.hours) for d in drafts] == [
        (2, d1, time(8, 30), time(11, 30), "theory", 3),
        (3, d2, time(8, 30), time(11, 30), "theory", 4),
        (4, d2, time(13, 30), time(16, 30), "practice", 3),
    ]


def test_errors_name_the_row_and_the_column_and_say_how_to_fix_them(client, w):
    day = w.start.isoformat()
    rows = [
        [day, "08:30", "11:30", None, None, None, None],
        ["明天", "上午", "11:30", None, None, None, None],
        [day, "14:00", "13:00", "讲座", "-1", "李老师", "操场"],
    ]
    _, errors = timetable_read(training_class=w.c, data=workbook(rows), filename="课程表.xlsx")
    assert errors == [
        "第 3 行 日期「明天」无法识别，请填写如 2026-03-05。",
        "第 3 行 开始时间「上午」无法识别，请填写如 08:30。",
        "第 4 行 结束时间「13:00」不晚于开始时间，请填写下课时间。",
        "第 4 行 类型「讲座」不正确，请填写“理论”或“实操”。",
        "第 4 行 课时「-1」不是正整数，请填写如 3，或留空按每 45 分钟 1 课时计算。",
        "第 4 行 授课教师「李老师」不在本机构师资名单中，请改为名单中的名称，或先在机构信息中登记。",
        "第 4 行 上课地点「操场」不在本机构场地名单中，请改为名单中的名称，或先在机构信息中登记。",
    ]
    response = upload(client, w, workbook(rows))
    assert response.status_code == 400 and "第 3 行 开始时间「上午」无法识别" in response.content.decode()
    assert response.context["confirm_form"] is None


def test_a_teacher_of_another_institution_is_not_found_by_name(w):
    TeacherFactory(name="外校老师")
    rows = [[w.start.isoformat(), "08:30", "11:30", None, None, "外校老师", None]]
    _, errors = timetable_read(training_class=w.c, data=workbook(rows), filename="课程表.xlsx")
    assert errors and "不在本机构师资名单中" in errors[0]


def test_a_sheet_without_the_columns_or_rows_or_not_xlsx_is_refused(client, w):
    _, errors = timetable_read(training_class=w.c, data=workbook([["x"]], ["日子"]), filename="a.xlsx")
    assert errors == ["表头缺少列：日期、开始时间、结束时间。请使用下载的课程表模板。"]
    _, errors = timetable_read(training_class=w.c, data=workbook([]), filename="a.xlsx")
    assert "没有数据行" in errors[0]
    response = upload(client, w, b"not a workbook at all", name="课程表.xlsx")
    assert response.status_code == 400 and not ClassSession.objects.filter(training_class=w.c).exists()


@pytest.mark.parametrize("kind", ["outside", "overlap", "teacher"])
def test_conflicting_rows_are_marked_and_the_confirmation_is_refused(client, w, kind):
    day = w.start.isoformat()
    classes.session_add(
        actor=w.owner,
        training_class=w.c,
        date=w.start,
        start_time=time(8, 0),
        end_time=time(9, 0),
        kind="theory",
        hours=1,
    )
    other = classes.class_create(
        actor=w.owner,
        program=w.program,
        name="同机构另一个班",
        start_date=w.start,
        end_date=w.c.end_date,
        planned_headcount=20,
    )
    classes.session_add(
        actor=w.owner,
        training_class=other,
        date=w.start,
        start_time=time(14, 0),
        end_time=time(16, 0),
        kind="theory",
        hours=2,
        teacher=w.teacher,
    )
    row = {
        "outside": [(w.c.end_date + timedelta(days=3)).isoformat(), "14:00", "17:00", None, None, None, None],
        "overlap": [day, "08:30", "11:30", None, None, None, None],
        "teacher": [day, "15:00", "17:00", None, None, "王老师", None],
    }[kind]
    ok = [(w.start + timedelta(days=1)).isoformat(), "08:30", "11:30", None, None, "王老师", None]
    response = upload(client, w, workbook([ok, row]))
    html = response.content.decode()
    assert response.status_code == 200 and html.count('data-conflict="1"') == 1 and "有 1 节课存在冲突" in html
    plan = response.context["confirm_form"].initial["plan"]
    response = client.post(
        reverse("training:timetable_confirm", args=[w.c.pk]), {"plan": plan, "source": "import"}, follow=True
    )
    assert "未生成任何课程" in response.content.decode()
    assert ClassSession.objects.filter(training_class=w.c).count() == 1
    assert not AuditEvent.objects.filter(action="class.timetable_generated").exists()


def test_other_institutions_bureaus_and_submitted_classes_cannot_import(client, w):
    data = workbook([[w.start.isoformat(), "08:30", "11:30", None, None, None, None]])
    url = reverse("training:timetable_import", args=[w.c.pk])
    client.force_login(institution_user(listed_program().institution))
    assert client.post(url, {"file": SimpleUploadedFile("a.xlsx", data)}).status_code == 404
    client.force_login(w.bureau)
    assert client.post(url, {"file": SimpleUploadedFile("a.xlsx", data)}).status_code == 403
    assert client.get(reverse("training:timetable_template")).status_code == 403
    confirm = client.post(reverse("training:timetable_confirm", args=[w.c.pk]), {"plan": "x", "source": "import"})
    assert confirm.status_code == 403
    assert not ClassSession.objects.filter(training_class=w.c).exists()
    submitted = ready_class(w.program, w.owner, name="已提交的班")
    classes.class_transition(actor=w.owner, training_class=submitted, to_status="submitted")
    client.force_login(w.owner)
    url = reverse("training:timetable_import", args=[submitted.pk])
    response = client.post(url, {"file": SimpleUploadedFile("a.xlsx", data)}, follow=True)
    assert "不能直接修改" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("training:detail", args=[submitted.pk])
