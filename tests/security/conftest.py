"""The demo world (seed_demo), built once per worker for this package inside an outer transaction that is rolled
back when the package's tests end: each test runs in a savepoint on top of it (pytest-django's `db`), so a write
made by a test disappears after it and tests outside tests/security never see the demo data.

Roles: the seven demo users plus anonymous and a second institution user (绥化技师学院, also in 北林区) to
check that one institution cannot reach another's objects."""

import io
from dataclasses import dataclass, field

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client, TestCase

ROLES = [
    "anonymous",
    "province",  # 23 黑龙江
    "city",  # 2312 绥化
    "county",  # 231202 北林区: the objects below are in its scope
    "county_other",  # 231281 安达市: the same objects are out of its scope
    "finance",  # 2312 绥化
    "institution",  # 绥化市公共实训基地 (231202): owns the classes and claims below
    "institution_other",  # 绥化技师学院 (231202): another institution in the same county
    "admin",
]
USERNAMES = {
    "province": "province",
    "city": "suihua",
    "county": "beilin",
    "county_other": "anda",
    "finance": "finance",
    "institution": "institution",
    "institution_other": "institution2",
    "admin": "admin",
}


@dataclass
class World:
    users: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)  # path-parameter values, by name

    def client(self, role: str) -> Client:
        c = Client(raise_request_exception=False)
        if role != "anonymous":
            c.force_login(self.users[role])
        return c


def _build_world() -> World:
    from accounts.models import Role, User
    from institutions.models import Institution, Program, Teacher, Venue
    from subsidies.models import ClaimLine, PublicNotice, SkillUpgradeApplication, SubsidyClaim
    from training.models import CheckInDevice, ClassSession, TrainingClass

    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())

    users = {role: User.objects.get(username=name) for role, name in USERNAMES.items() if name != "institution2"}
    own = users["institution"].institution
    other = Institution.objects.get(name="绥化技师学院")
    users["institution_other"] = User.objects.create(
        username="institution2", name="技师学院 用户", role=Role.INSTITUTION, institution=other
    )

    foreign_county = Institution.objects.get(name="安达市鑫达职业培训学校")  # 231281, for the anda user
    claims = SubsidyClaim.objects.filter(institution=own).order_by("pk")
    settled = claims.get(status="settled")
    waiting = claims.filter(notice__isnull=True).first()
    line = ClaimLine.objects.filter(claim=waiting).order_by("pk").first()
    classes = TrainingClass.objects.filter(institution=own)
    in_training = classes.get(status="in_training")
    ids = {
        "institution": own.pk,
        "institution_other": other.pk,
        "institution_anda": foreign_county.pk,
        "institution_applied": Institution.objects.get(name="北林区巧手家政培训学校").pk,  # not designated
        "teacher": Teacher.objects.filter(institution=own).first().pk,
        "venue": Venue.objects.filter(institution=own).first().pk,
        "program": Program.objects.filter(institution=own).order_by("pk").first().pk,
        "program_anda": Program.objects.filter(institution=foreign_county).first().pk,
        "class": in_training.pk,
        "class_draft": classes.get(status="draft").pk,
        "class_completed": classes.filter(status="completed", claims__isnull=False).order_by("pk").first().pk,
        "session": ClassSession.objects.filter(training_class=in_training).order_by("pk").first().pk,
        "device": CheckInDevice.objects.filter(institution=own).first().pk,
        "claim": waiting.pk,
        "claim_settled": settled.pk,
        "line": line.pk,
        "notice": PublicNotice.objects.get(claim=settled).pk,
        "trainee": _trainee_in_scope(in_training, users),
        # 市直: seated at 绥化市 itself (市本级), the city's to decide and out of 北林区's scope
        "institution_city": Institution.objects.get(name="绥化市就业训练中心").pk,
        "class_city": TrainingClass.objects.get(institution__name="绥化市就业训练中心").pk,
        "skill_upgrade": SkillUpgradeApplication.objects.get(county__code="231202").pk,  # filed at the window
    }
    ids.update(_extras(users, own, in_training, waiting, settled, line, ids["trainee"]))
    return World(users=users, ids=ids)


def _trainee_in_scope(training_class, users) -> int:
    """A person on the class's roster whom 北林区 and the owning institution see, and 安达市 and the other
    institution do not."""
    from trainees.selectors import trainee_list

    inside = trainee_list(user=users["county"]) & trainee_list(user=users["institution"])
    outside = trainee_list(user=users["county_other"]) | trainee_list(user=users["institution_other"])
    for enrollment in training_class.enrollments.order_by("pk"):
        pk = enrollment.trainee_id
        if inside.filter(pk=pk).exists() and not outside.filter(pk=pk).exists():
            return pk
    raise AssertionError("no trainee of the demo class is in 北林区's scope only")


def _extras(users, own, in_training, waiting, settled, line, trainee_id) -> dict:
    """Objects the demo world does not build, made directly so every path parameter names a real object in
    北林区 (231202) belonging to the demo institution."""
    from datetime import date, timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from catalog.models import Occupation, Region, SkillLevel, TrainingType
    from indicators.models import Indicator, KeyTask, MonthlyReport, Plan, Target
    from indicators.services.reports import monthly_report_build
    from institutions.demo import credit_code
    from institutions.models import ProfileChangeRequest, Program, Teacher, UrgentOccupationList
    from subsidies.models import (
        ClaimMaterial,
        Finding,
        Inspector,
        Objection,
        PhoneFollowUp,
        PublicNotice,
        SpotCheck,
        SpotCheckVisit,
        SubsidyStandard,
    )
    from trainees.models import Certificate
    from training.models import ClassMaterial, ImportJob
    from training.services.attendance import device_issue

    owner, beilin = users["institution"], users["county"]
    county = Region.objects.get(code="231202")
    class_material = ClassMaterial(
        training_class=in_training, kind="training_plan", original_name="plan.pdf", size=4, uploaded_by=owner
    )
    class_material.file.save("plan.pdf", ContentFile(b"plan"), save=True)
    job = ImportJob(training_class=in_training, original_name="roster.xlsx", status="done", created_by=owner)
    job.file.save("roster.xlsx", ContentFile(b"x"), save=True)
    claim_material = ClaimMaterial(claim=waiting, kind="claim_form", uploaded_by=owner)
    claim_material.file.save("form.pdf", ContentFile(b"form"), save=True)
    _FILES.extend([class_material.file, job.file, claim_material.file])
    finding = Finding.objects.create(
        claim=waiting, rule_code="SECURITY_TEST", rule_version=1, severity="warning", message="测试提示"
    )
    # The demo notice ended months ago (no longer public): make it a running one, open to objections.
    today = timezone.localdate()
    PublicNotice.objects.filter(claim=settled).update(
        published_at=timezone.now() - timedelta(days=2), ends_on=today + timedelta(days=5)
    )
    notice = PublicNotice.objects.get(claim=settled)
    objection = Objection.objects.create(
        notice=notice, text="测试异议", contact_name="举报人", contact_phone="13900001111"
    )
    follow_up = PhoneFollowUp.objects.create(claim=waiting, line=line)
    inspector = Inspector.objects.create(region=county, name="检查员甲")
    spot_check = SpotCheck.objects.create(region=county, seed="security", sample_size=1, drawn_by=beilin)
    visit = SpotCheckVisit.objects.create(spot_check=spot_check, training_class=in_training, inspector=inspector)
    certificate = Certificate.objects.create(
        trainee_id=trainee_id,
        type="skill_level",
        number="SEC-0001",
        occupation=Occupation.objects.get(code="4-10-01-05"),
        skill_level=SkillLevel.objects.get(code="level5"),
        issuing_body="绥化市职业技能鉴定中心",
        issue_date=date(2026, 10, 20),
    )
    change = ProfileChangeRequest.objects.create(
        institution=own, changes={"name": "绥化市公共实训基地（新）"}, submitted_by=owner
    )
    report = MonthlyReport.objects.filter(region=county).order_by("pk").first()
    if report is None:
        plan = Plan.objects.get(code="suihua-2019")
        report = monthly_report_build(region=county, plan=plan, month=date(2019, 10, 1))
    _FILES.append(report.file)
    task = KeyTask.objects.filter(plan__in=Plan.objects.filter(code="suihua-2019")).order_by("pk").first()
    task = task or KeyTask.objects.order_by("pk").first()
    target = Target.objects.filter(region=county).order_by("pk").first()
    if target is None:
        indicator = Indicator.objects.filter(plan__code="suihua-2019").order_by("pk").first()
        target = Target.objects.create(indicator=indicator, region=county, year=None, value=100)
    enrollment = in_training.enrollments.get(trainee_id=trainee_id)
    standard = SubsidyStandard.objects.filter(region__code="2312").order_by("pk").first()
    urgent = UrgentOccupationList.objects.filter(region__code="2312").order_by("pk").first()
    # A check-in device of the other institution (its token is shown once, so keep it here).
    _, device_token = device_issue(
        actor=users["institution_other"], institution=users["institution_other"].institution, name="他机构考勤机"
    )
    return {
        "class_material": class_material.pk,
        "import_job": job.pk,
        "claim_material": claim_material.pk,
        "finding": finding.pk,
        "objection": objection.pk,
        "follow_up": follow_up.pk,
        "inspector": inspector.pk,
        "spot_check": spot_check.pk,
        "visit": visit.pk,
        "certificate": certificate.pk,
        "change_request": change.pk,
        "monthly_report": report.pk,
        "key_task": task.pk,
        "target": target.pk,
        "enrollment": enrollment.pk,
        "standard": standard.pk,
        "urgent_list": urgent.pk,
        "device_token_other": device_token,
        # form values naming objects by primary key
        "region_beilin_pk": county.pk,
        "region_anda_pk": Region.objects.get(code="231281").pk,
        "occupation_pk": Occupation.objects.get(code="4-10-01-06").pk,
        "level5_pk": SkillLevel.objects.get(code="level5").pk,
        "employment_skills_pk": TrainingType.objects.get(code="employment_skills").pk,
        "program_other": Program.objects.filter(institution=users["institution_other"].institution)
        .order_by("pk")
        .first()
        .pk,
        "teacher_other": Teacher.objects.filter(institution=users["institution_other"].institution).first().pk,
        "new_id_number": _valid_id_number("23128119900101123"),
        "new_credit_code": credit_code("99991"),
    }


def _valid_id_number(first17: str) -> str:
    from trainees.idnumber import check_char

    return first17 + check_char(first17)


_FILES: list = []  # files written under MEDIA_ROOT by the fixture, removed when the module ends


@pytest.fixture(scope="package")
def world(django_db_setup, django_db_blocker):
    """The demo world for the security tests (built once per worker); rolled back afterwards."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = _build_world()
            # Fire the seed's deferred foreign-key checks now, once: otherwise every test's teardown (Django checks
            # constraints before rolling back its savepoint) would re-check all of them.
            connection.check_constraints()
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            for f in _FILES:
                f.storage.delete(f.name)
            _FILES.clear()


def pytest_terminal_summary(terminalreporter):
    """The size of the access matrix, so a run records what it covered."""
    try:
        from .test_access_matrix import pytest_coverage_numbers
    except Exception:  # the summary is informative only
        return
    n = pytest_coverage_numbers()
    terminalreporter.write_line(
        f"security matrix: {n['url_patterns']} URL patterns ({n['page_rows']} page rows) and "
        f"{n['api_operations']} API operations ({n['api_rows']} API rows) x {n['roles']} roles = "
        f"{n['page_cells']} page cells + {n['api_cells']} API cells; "
        f"{n['undeclared_methods']} undeclared path/method pairs x {n['roles']} roles"
    )


# --- the malformed-input tests' fixtures (tests/security/malformed.py) --------------------------------------------


@pytest.fixture
def recording(monkeypatch):
    from django.core.handlers import wsgi

    from .malformed import RecordingQueryDict

    monkeypatch.setattr(wsgi, "QueryDict", RecordingQueryDict)


@pytest.fixture
def bare(settings):
    """The views on their own: the malformed-input middleware taken out."""
    from django.conf import settings as django_settings

    from .malformed import GUARD

    settings.MIDDLEWARE = [m for m in django_settings.MIDDLEWARE if m != GUARD]
