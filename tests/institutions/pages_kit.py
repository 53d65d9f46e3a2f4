"""The institutions pages' test world: institutions A and B in 北林区 and C in 安达市, the form data the pages post,
and the table of every URL of the app aimed at institution B."""

import re
from types import SimpleNamespace

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from catalog.models import Occupation, Region, SkillLevel, TrainingType
from institutions.models import (
    Institution,
    Program,
    ProgramStatusChange,
)
from institutions.services.institutions import (
    institution_update_profile,
    teacher_add,
    venue_add,
)

from .factories import (
    DesignatedInstitutionFactory,
    ProgramFactory,
    bureau_actor,
    credit_code,
)

# --- a small world: institutions A and B in 北林区, C in 安达市 ------------------------------------------


def build_world(make_user) -> SimpleNamespace:
    a = DesignatedInstitutionFactory(name="北林区甲职业技能培训学校")
    b = DesignatedInstitutionFactory(name="北林区乙职业技能培训学校")
    c = DesignatedInstitutionFactory(name="安达市丙职业技能培训学校", county=Region.objects.get(code="231281"))
    a_program = ProgramFactory(institution=a)
    b_program = ProgramFactory(institution=b)
    c_program = ProgramFactory(institution=c)
    beilin_bureau = bureau_actor(b.county)
    b_teacher = teacher_add(actor=beilin_bureau, institution=b, name="孙建国", id_number="230102199001011234")
    b_venue = venue_add(
        actor=beilin_bureau, institution=b, name="乙校实训楼", address="中直路 1 号", area_m2=300, capacity=40
    )
    b_user = make_user("institution", None, institution=b, username="inst-b")
    b_change = institution_update_profile(actor=b_user, institution=b, changes={"name": "北林区乙职业培训学校（更名）"})
    return SimpleNamespace(
        a=a,
        b=b,
        c=c,
        a_program=a_program,
        b_program=b_program,
        c_program=c_program,
        b_teacher=b_teacher,
        b_venue=b_venue,
        b_change=b_change,
        inst_a=make_user("institution", None, institution=a, username="inst-a"),
        anda=make_user("county", "231281", username="anda"),
    )


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def snapshot(institution: Institution) -> tuple:
    """Everything an outsider could try to change about an institution, and the audit trail."""
    return (
        Institution.objects.filter(pk=institution.pk).values().get(),
        list(institution.status_changes.values_list("to_status", "effective_date")),
        list(Program.objects.filter(institution=institution).values_list("pk", "status")),
        list(ProgramStatusChange.objects.filter(program__institution=institution).values_list("pk", flat=True)),
        list(institution.teachers.values_list("pk", "name")),
        list(institution.venues.values_list("pk", "name")),
        list(institution.change_requests.values_list("pk", "status")),
        institution.inspections.count(),
        AuditEvent.objects.count(),
    )


def today():
    return timezone.localdate()


def profile_data(institution: Institution, **changes) -> dict:
    data = {
        "name": institution.name,
        "credit_code": institution.credit_code,
        "type": institution.type,
        "county": institution.county_id,
        "address": institution.address,
        "latitude": "",
        "longitude": "",
        "contact_person": institution.contact_person,
        "contact_phone": institution.contact_phone,
        "license_number": institution.license_number,
        "license_valid_until": "",
        "capacity": institution.capacity,
    }
    return {**data, **changes}


def program_data(institution: Institution, **changes) -> dict:
    data = {
        "institution": institution.pk,
        "occupation": Occupation.objects.get(code="4-10-01-05").pk,
        "skill_level": SkillLevel.objects.get(code="level4").pk,
        "training_type": TrainingType.objects.get(code="skill_upgrade").pk,
        "mode": "blended",
        "theory_hours": 30,
        "practice_hours": 50,
        "fee": "1500.00",
        "listed_on": today().isoformat(),
    }
    return {**data, **changes}


def transition_data(to_status="suspended", reason="越权测试"):
    return {"to_status": to_status, "effective_date": today().isoformat(), "reason": reason}


# --- every URL of the app aimed at institution B ---------------------------------------------------------

# url name, method, reverse() args from the world, POST data from the world,
# expected status for: the institution user of A, the 安达市 county user, the province user.
TARGETED = [
    ("detail", "get", lambda w: [w.b.pk], None, 404, 404, 200),
    ("edit", "get", lambda w: [w.b.pk], None, 404, 404, 403),
    ("edit", "post", lambda w: [w.b.pk], lambda w: profile_data(w.b, contact_phone="13900000000"), 404, 404, 403),
    ("transition", "post", lambda w: [w.b.pk], lambda w: transition_data(), 403, 404, 403),
    (
        "inspection_create",
        "post",
        lambda w: [w.b.pk],
        lambda w: {"year": 2025, "kind": "inspection", "outcome": "failed", "inspected_on": "2025-12-01"},
        403,
        404,
        403,
    ),
    (
        "teacher_create",
        "post",
        lambda w: [w.b.pk],
        lambda w: {"name": "冒名教师", "id_number": "230102199001019999"},
        404,
        404,
        403,
    ),
    ("teacher_delete", "post", lambda w: [w.b.pk, w.b_teacher.pk], lambda w: {}, 404, 404, 403),
    (
        "venue_create",
        "post",
        lambda w: [w.b.pk],
        lambda w: {"name": "冒名场地", "address": "某路", "area_m2": 10, "capacity": 5},
        404,
        404,
        403,
    ),
    ("venue_delete", "post", lambda w: [w.b.pk, w.b_venue.pk], lambda w: {}, 404, 404, 403),
    (
        "change_decide",
        "post",
        lambda w: [w.b.pk, w.b_change.pk],
        lambda w: {"approve": "1", "reason": ""},
        403,
        404,
        403,
    ),
    ("program_status", "post", lambda w: [w.b_program.pk], lambda w: transition_data("delisted"), 403, 404, 403),
]
TARGETED_IDS = [f"{name}-{method}" for name, method, *_ in TARGETED]

# Own object in the URL, B's child object behind it: still not found.
MIXED = [
    ("teacher_delete", "inst_a", lambda w: [w.a.pk, w.b_teacher.pk], 404),
    ("venue_delete", "inst_a", lambda w: [w.a.pk, w.b_venue.pk], 404),
    ("teacher_delete", "anda", lambda w: [w.c.pk, w.b_teacher.pk], 404),
    ("venue_delete", "anda", lambda w: [w.c.pk, w.b_venue.pk], 404),
    ("change_decide", "anda", lambda w: [w.c.pk, w.b_change.pk], 404),
]

# The pages that name no institution in their URL are covered by the list tests below.
# The key-area pages name no institution (the province's tags; tests/institutions/test_key_areas.py).
UNTARGETED = {"list", "create", "mine", "programs", "program_create", "urgent_lists", "import"} | {
    "key_areas",
    "key_area_import",
    "key_area_end",
}


def request_as(client, user, method, url, data):
    client.force_login(user)
    return getattr(client, method)(url, data) if method == "post" else client.get(url)


# --- the workflows, by the right roles ---------------------------------------------------------------


def new_institution_data(county, **changes) -> dict:
    data = {
        "name": "北林区新星职业培训学校",
        "credit_code": credit_code(770001),
        "type": "private",
        "county": county.pk,
        "address": "北林区中直路 100 号",
        "latitude": "",
        "longitude": "",
        "contact_person": "李红",
        "contact_phone": "13845500001",
        "license_number": "",
        "license_valid_until": "",
        "capacity": 60,
    }
    return {**data, **changes}


def list_rows(html: str) -> list[str]:
    body = re.search(r'data-testid="institution-table">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)
