"""The training pages' test world: classes built through the services on the right dates, files to upload, and the
table of every URL of the app that names class B."""

import re
from collections import namedtuple
from datetime import time, timedelta
from types import SimpleNamespace

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from core.clock import replaying as clock
from core.importing import XLSX_CONTENT_TYPE, export_xlsx
from training import urls as training_urls
from training.models import (
    Attendance,
    ClassMaterial,
    ClassSession,
    ClassStatusChange,
    Enrollment,
    ImportJob,
    TrainingClass,
)
from training.models import ClassStatus as S
from training.services import classes, roster
from training.views_timetable import SALT

from ..institutions.factories import DesignatedInstitutionFactory, ProgramFactory, bureau_actor
from ..trainees.factories import make_id

# --- helpers: classes built through the services ----------------------------------------------------------

HOURS = 8  # the test programs: 4 theory + 4 practice = two sessions of 4 class hours (08:00-11:00)
PEOPLE_B = [("李小红", make_id(seq=2)), ("王大明", make_id(seq=3))]
PEOPLE_A = [("赵春燕", make_id(seq=12)), ("孙立军", make_id(seq=13))]


def program_of(institution):
    return ProgramFactory(institution=institution, theory_hours=HOURS // 2, practice_hours=HOURS // 2)


def roster_rows(people) -> list[list]:
    return [[name, number, None, None, None, None, None] for name, number in people]


def xlsx_file(rows, name="花名册.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, export_xlsx(roster.COLUMNS, rows), content_type=XLSX_CONTENT_TYPE)


def pdf_file(name="培训计划.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


def build_class(owner, program, status=S.DRAFT, *, people=PEOPLE_B, name="乙校2026年第1期养老护理员培训班"):
    """A class starting in two weeks: two sessions matching the program hours, a material, a roster imported by
    a (finished) import job; then submitted, decided and started on plausible dates as `status` asks."""
    start = timezone.localdate() + timedelta(days=14)
    with clock(start - timedelta(days=21)):
        c = classes.class_create(
            actor=owner,
            program=program,
            name=name,
            start_date=start,
            end_date=start + timedelta(days=1),
            planned_headcount=20,
        )
        for offset, kind in ((0, "theory"), (1, "practice")):
            classes.session_add(
                actor=owner,
                training_class=c,
                date=start + timedelta(days=offset),
                start_time=time(8, 0),
                end_time=time(11, 0),
                kind=kind,
                hours=HOURS // 2,
            )
        classes.material_upload(actor=owner, training_class=c, kind="training_plan", uploaded_file=pdf_file())
        job = roster.roster_job_create(actor=owner, training_class=c, uploaded_file=xlsx_file(roster_rows(people)))
        roster.roster_job_run(job.pk)
        assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.DONE
        if status != S.DRAFT:
            classes.class_transition(actor=owner, training_class=c, to_status=S.SUBMITTED)
    if status in (S.RETURNED, S.APPROVED, S.IN_TRAINING):
        decision, reason = (S.RETURNED, "请补充师资名单。") if status == S.RETURNED else (S.APPROVED, "同意开班。")
        with clock(start - timedelta(days=3)):
            classes.class_transition(actor=bureau_actor(c.county), training_class=c, to_status=decision, reason=reason)
    if status == S.IN_TRAINING:
        with clock(start, time(7, 30)):
            classes.class_transition(actor=owner, training_class=c, to_status=S.IN_TRAINING)
    c.refresh_from_db()
    assert c.status == status
    return c


def snapshot(c: TrainingClass) -> tuple:
    """Everything an outsider could try to change about a class, and the audit trail."""
    return (
        TrainingClass.objects.filter(pk=c.pk).values().get(),
        list(ClassSession.objects.filter(training_class=c).order_by("pk").values()),
        list(ClassMaterial.objects.filter(training_class=c).order_by("pk").values_list("pk", "kind", "file")),
        list(Enrollment.objects.filter(training_class=c).order_by("pk").values()),
        list(Attendance.objects.filter(session__training_class=c).values_list("pk", flat=True)),
        list(ImportJob.objects.filter(training_class=c).order_by("pk").values_list("pk", "status")),
        list(ClassStatusChange.objects.filter(training_class=c).values_list("pk", flat=True)),
        AuditEvent.objects.count(),
    )


def messages_of(response, level="error") -> list[str]:
    return [m.message for m in response.context["messages"] if m.level_tag == level]


def part(html: str, name: str) -> str:
    """The element carrying data-testid=name, up to the first closing tag of its kind (none of them nest)."""
    match = re.search(rf'<(\w+)[^>]*data-testid="{name}".*?</\1>', html, re.S)
    assert match, f"no data-testid={name}"
    return match.group(0)


def text(response) -> str:
    return response.content.decode()


def make_world(make_user, county_user, province_user) -> SimpleNamespace:
    a = DesignatedInstitutionFactory(name="北林区甲职业技能培训学校")
    b = DesignatedInstitutionFactory(name="北林区乙职业技能培训学校")
    w = SimpleNamespace(
        a=a,
        b=b,
        a_program=program_of(a),
        b_program=program_of(b),
        inst_a=make_user("institution", None, institution=a, username="inst-a"),
        inst_b=make_user("institution", None, institution=b, username="inst-b"),
        anda=make_user("county", "231281", username="anda"),
        county=county_user,
        province=province_user,
    )
    w.b_class = lambda status=S.DRAFT: build_class(w.inst_b, w.b_program, status)
    w.a_class = lambda status=S.DRAFT: build_class(
        w.inst_a, w.a_program, status, people=PEOPLE_A, name="甲校2026年第1期养老护理员培训班"
    )
    return w


@pytest.fixture
def world(make_user, county_user, province_user):
    return make_world(make_user, county_user, province_user)


# --- every URL of the app that names class B ---------------------------------------------------------------

# id, url name, method, status B is in, reverse() args from B, POST data from B, who may do it (control),
# expected status for: A's institution user, the 安达市 county user, the province user.
Row = namedtuple("Row", "id name method status args data by inst_a anda province")


def _first(qs):
    return qs.order_by("pk").first()


TARGETED = [
    Row("detail", "detail", "get", S.SUBMITTED, lambda c: [c.pk], None, "county", 404, 404, 200),
    Row("edit-get", "edit", "get", S.RETURNED, lambda c: [c.pk], None, "inst_b", 404, 403, 403),
    Row(
        "edit-post",
        "edit",
        "post",
        S.RETURNED,
        lambda c: [c.pk],
        lambda c: {
            "name": "改名后的培训班",
            "start_date": c.start_date.isoformat(),
            "end_date": c.end_date.isoformat(),
            "planned_headcount": 30,
        },
        "inst_b",
        404,
        403,
        403,
    ),
    Row(
        "session-create",
        "session_create",
        "post",
        S.RETURNED,
        lambda c: [c.pk],
        lambda c: {
            "date": c.end_date.isoformat(),
            "start_time": "14:00",
            "end_time": "17:00",
            "kind": "practice",
            "hours": 4,
        },
        "inst_b",
        404,
        403,
        403,
    ),
    Row(
        "session-delete",
        "session_delete",
        "post",
        S.RETURNED,
        lambda c: [c.pk, _first(c.sessions).pk],
        lambda c: {},
        "inst_b",
        404,
        403,
        403,
    ),
    Row(
        "material-upload",
        "material_upload",
        "post",
        S.RETURNED,
        lambda c: [c.pk],
        lambda c: {"kind": "syllabus", "file": pdf_file("教学大纲.pdf")},
        "inst_b",
        404,
        403,
        403,
    ),
    Row(
        "material-download",
        "material",
        "get",
        S.RETURNED,
        lambda c: [c.pk, _first(c.materials).pk],
        None,
        "county",
        404,
        404,
        200,
    ),
    Row(
        "roster-upload",
        "roster_upload",
        "post",
        S.RETURNED,
        lambda c: [c.pk],
        lambda c: {"file": xlsx_file(roster_rows(PEOPLE_B[:1]))},
        "inst_b",
        404,
        403,
        403,
    ),
    Row(
        "transition-submit",
        "transition",
        "post",
        S.RETURNED,
        lambda c: [c.pk],
        lambda c: {"to_status": "submitted", "reason": ""},
        "inst_b",
        404,
        404,
        403,
    ),
    Row(
        "transition-approve",
        "transition",
        "post",
        S.SUBMITTED,
        lambda c: [c.pk],
        lambda c: {"to_status": "approved", "reason": "同意"},
        "county",
        404,
        404,
        403,
    ),
    Row(
        "change",
        "change",
        "post",
        S.APPROVED,
        lambda c: [c.pk],
        lambda c: {"reason": "开班日期推迟一周"},
        "inst_b",
        404,
        403,
        403,
    ),
    Row(
        "attendance",
        "attendance",
        "post",
        S.IN_TRAINING,
        lambda c: [c.pk],
        lambda c: {"enrollment": _first(c.enrollments).pk, "session": _first(c.sessions).pk, "reason": "设备故障"},
        "inst_b",
        404,
        403,
        403,
    ),
    Row(
        "result",
        "result",
        "post",
        S.IN_TRAINING,
        lambda c: [c.pk],
        lambda c: {"enrollment": _first(c.enrollments).pk, "result": "passed", "score": "90"},
        "inst_b",
        404,
        403,
        403,
    ),
    Row("timetable-pattern", "timetable_pattern", "get", S.RETURNED, lambda c: [c.pk], None, "inst_b", 404, 403, 403),
    Row(
        "timetable-confirm",
        "timetable_confirm",
        "post",
        S.RETURNED,
        lambda c: [c.pk],
        lambda c: {"plan": signed_plan(c), "source": "pattern"},
        "inst_b",
        404,
        403,
        403,
    ),
    Row("job", "job", "get", S.RETURNED, lambda c: [_first(c.import_jobs).pk], None, "county", 404, 404, 200),
]

# Pages that name no class in their URL; each is covered by the tests named after it below. The timetable import
# changes nothing until confirmed (the control above needs a change): test_timetable_import.py covers its scope.
UNTARGETED = {"list", "queue", "create", "roster_template", "devices", "device_revoke"}
UNTARGETED |= {"timetable_template", "timetable_import", "first_year"}  # first_year: institutions, scoped
UNTARGETED |= {"business_starts"}  # entrepreneurship classes only: tests/training/test_business_starts.py


def signed_plan(c) -> str:
    """A previewed timetable of one evening session on the class's last day, as the preview page signs it."""
    return signing.dumps(
        {"c": c.pk, "d": [[c.end_date.isoformat(), "18:00", "21:00", "practice", 3, None, None, None]]},
        salt=SALT,
        compress=True,
    )


def hit(client, user, row: Row, c: TrainingClass, *, follow=False):
    client.force_login(user)
    url = reverse(f"training:{row.name}", args=row.args(c))
    response = client.get(url) if row.method == "get" else client.post(url, row.data(c), follow=follow)
    if response.streaming:
        b"".join(response.streaming_content)  # the test client closes the file once it is read
    return response


MIXED = [
    ("session_delete", "post", lambda a, b: [a.pk, _first(b.sessions).pk], lambda a, b: {}),
    ("material", "get", lambda a, b: [a.pk, _first(b.materials).pk], None),
    (
        "attendance",
        "post",
        lambda a, b: [a.pk],
        lambda a, b: {"enrollment": _first(b.enrollments).pk, "session": _first(b.sessions).pk, "reason": "补录"},
    ),
    ("result", "post", lambda a, b: [a.pk], lambda a, b: {"enrollment": _first(b.enrollments).pk, "result": "passed"}),
]


def all_training_urls():
    for p in training_urls.urlpatterns:
        yield p.name, reverse(f"training:{p.name}", kwargs=dict.fromkeys(p.pattern.converters, 1))


# --- the institution's application ------------------------------------------------------------------------


def class_form(program, **changes) -> dict:
    start = timezone.localdate() + timedelta(days=20)
    data = {
        "program": program.pk,
        "name": "2026年第9期养老护理员（五级）培训班",
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=1)).isoformat(),
        "planned_headcount": 25,
    }
    return {**data, **changes}
