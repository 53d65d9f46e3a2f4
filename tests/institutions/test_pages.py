"""Bureau and institution pages: scope on every URL of the institutions app, and the everyday workflows."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from catalog.models import Occupation, Region, SkillLevel, TrainingType
from institutions import urls as institution_urls
from institutions.models import (
    Institution,
    InstitutionStatus,
    ProfileChangeRequest,
    Program,
    ProgramStatus,
    ProgramStatusChange,
)
from institutions.services.institutions import (
    institution_record_class,
    institution_update_profile,
    teacher_add,
    venue_add,
)

from .factories import (
    DesignatedInstitutionFactory,
    InstitutionFactory,
    ProgramFactory,
    bureau_actor,
    credit_code,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


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
UNTARGETED = {"list", "create", "mine", "programs", "program_create", "urgent_lists", "import"}


def test_the_scope_tests_cover_every_url_of_the_institutions_app():
    names = {p.name for p in institution_urls.urlpatterns}
    assert names == {name for name, *_ in TARGETED} | UNTARGETED


def request_as(client, user, method, url, data):
    client.force_login(user)
    return getattr(client, method)(url, data) if method == "post" else client.get(url)


@pytest.mark.parametrize("who", ["inst_a", "anda"])
@pytest.mark.parametrize(("name", "method", "args", "data", "inst_a", "anda", "province"), TARGETED, ids=TARGETED_IDS)
def test_outsiders_cannot_see_or_change_institution_b(
    client, world, who, name, method, args, data, inst_a, anda, province
):
    outsider = getattr(world, who)
    client.force_login(outsider)
    before = snapshot(world.b)
    url = reverse(f"institutions:{name}", args=args(world))
    response = client.post(url, data(world)) if method == "post" else client.get(url)
    assert response.status_code == {"inst_a": inst_a, "anda": anda}[who]
    assert snapshot(world.b) == before
    assert not AuditEvent.objects.filter(actor=outsider).exclude(action="user.signed_in").exists()


@pytest.mark.parametrize(("name", "method", "args", "data", "inst_a", "anda", "province"), TARGETED, ids=TARGETED_IDS)
def test_the_same_requests_work_for_b_s_own_county(
    client, world, county_user, name, method, args, data, inst_a, anda, province
):
    """Control: the refusals above are about scope, not about the requests being malformed."""
    client.force_login(county_user)
    before = snapshot(world.b)
    url = reverse(f"institutions:{name}", args=args(world))
    response = client.post(url, data(world), follow=True) if method == "post" else client.get(url)
    assert response.status_code == 200
    if method == "post":
        assert snapshot(world.b) != before
        assert not [m for m in response.context["messages"] if m.level_tag == "error"]


@pytest.mark.parametrize(("name", "who", "args", "expected"), MIXED, ids=[f"{m[0]}-{m[1]}" for m in MIXED])
def test_own_institution_in_the_url_does_not_unlock_b_s_teachers_venues_or_changes(
    client, world, name, who, args, expected
):
    client.force_login(getattr(world, who))
    before = snapshot(world.b)
    data = {"approve": "1", "reason": ""} if name == "change_decide" else {}
    assert client.post(reverse(f"institutions:{name}", args=args(world)), data).status_code == expected
    assert snapshot(world.b) == before


@pytest.mark.parametrize(("name", "method", "args", "data", "inst_a", "anda", "province"), TARGETED, ids=TARGETED_IDS)
def test_province_user_reads_institution_b_but_cannot_change_it(
    client, world, province_user, name, method, args, data, inst_a, anda, province
):
    client.force_login(province_user)
    before = snapshot(world.b)
    url = reverse(f"institutions:{name}", args=args(world))
    response = client.post(url, data(world)) if method == "post" else client.get(url)
    assert response.status_code == province
    assert snapshot(world.b) == before


def test_province_user_sees_b_on_the_list_and_its_detail_without_the_transition_form(client, world, province_user):
    client.force_login(province_user)
    assert world.b.name in client.get("/institutions/").content.decode()
    detail = client.get(f"/institutions/{world.b.pk}/").content.decode()
    assert world.b.name in detail and 'data-testid="transition-form"' not in detail


@pytest.mark.parametrize("name", sorted({name for name, *_ in TARGETED} | UNTARGETED))
def test_anonymous_visitor_is_sent_to_the_login_page(client, world, name):
    pattern = next(p for p in institution_urls.urlpatterns if p.name == name)
    args = {
        0: [],
        1: [world.b.pk],
        2: [world.b.pk, 1],
    }[len(pattern.pattern.converters)]
    if name == "import":
        args = ["institutions"]
    url = reverse(f"institutions:{name}", args=args)
    for response in (client.get(url), client.post(url, {})):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


# --- lists and pages without an institution in the URL -----------------------------------------------


def test_other_county_list_and_search_do_not_contain_b(client, world):
    client.force_login(world.anda)
    page = client.get("/institutions/").content.decode()
    assert world.c.name in page and world.b.name not in page and world.a.name not in page
    search = client.get("/institutions/", {"q": world.b.credit_code}).content.decode()
    assert "没有符合条件的培训机构" in search and world.b.name not in search


@pytest.mark.parametrize("who", ["inst_a", "anda"])
def test_program_list_does_not_contain_b_s_programs(client, world, who):
    client.force_login(getattr(world, who))
    response = client.get("/institutions/programs/")
    assert response.status_code == 200
    assert world.b.name not in response.content.decode()


def test_institution_user_sees_only_its_own_programs(client, world):
    client.force_login(world.inst_a)
    page = client.get("/institutions/programs/").content.decode()
    assert world.a.name in page and world.c.name not in page


@pytest.mark.parametrize(
    "path",
    [
        "/institutions/",
        "/institutions/new/",
        "/institutions/programs/new/",
        "/institutions/urgent-lists/",
        "/institutions/import/institutions/",
        "/institutions/import/programs/",
    ],
)
def test_institution_user_is_refused_bureau_pages(client, world, path):
    client.force_login(world.inst_a)
    assert client.get(path).status_code == 403


def test_my_institution_goes_to_the_user_s_own_institution(client, world):
    client.force_login(world.inst_a)
    response = client.get("/institutions/mine/")
    assert response.status_code == 302 and response["Location"] == f"/institutions/{world.a.pk}/"


def test_other_county_cannot_offer_or_list_a_program_for_b(client, world):
    client.force_login(world.anda)
    form_page = client.get("/institutions/programs/new/", {"institution": world.b.pk})
    assert form_page.status_code == 200 and world.b.name not in form_page.content.decode()
    before = snapshot(world.b)
    response = client.post("/institutions/programs/new/", program_data(world.b))
    assert response.status_code == 400
    assert snapshot(world.b) == before
    assert not AuditEvent.objects.filter(actor=world.anda, action="program.listed").exists()


def test_other_county_cannot_register_an_institution_in_beilin(client, world):
    client.force_login(world.anda)
    response = client.post(
        "/institutions/new/",
        profile_data(world.b, name="越界登记的机构", credit_code=credit_code(880001)),
    )
    assert response.status_code == 400
    assert not Institution.objects.filter(name="越界登记的机构").exists()


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


def test_county_user_registers_an_institution_with_the_form(client, county_user, region):
    client.force_login(county_user)
    response = client.post("/institutions/new/", new_institution_data(region("231202")))
    institution = Institution.objects.get(name="北林区新星职业培训学校")
    assert response.status_code == 302 and response["Location"] == f"/institutions/{institution.pk}/"
    assert institution.status == InstitutionStatus.APPLIED
    assert institution.status_changes.get().to_status == InstitutionStatus.APPLIED


def test_wrong_credit_code_check_character_is_a_chinese_form_error_and_nothing_is_saved(client, county_user, region):
    good = credit_code(770002)
    wrong = good[:-1] + ("1" if good[-1] != "1" else "2")
    client.force_login(county_user)
    response = client.post("/institutions/new/", new_institution_data(region("231202"), credit_code=wrong))
    assert response.status_code == 400
    assert "统一社会信用代码校验位不正确" in response.content.decode()
    assert not Institution.objects.exists()
    assert not AuditEvent.objects.filter(action="institution.applied").exists()


def test_county_user_designates_an_applied_institution_and_the_history_shows_it(client, county_user):
    institution = InstitutionFactory()
    client.force_login(county_user)
    response = client.post(
        f"/institutions/{institution.pk}/transition/", transition_data("designated", "经评审符合认定条件"), follow=True
    )
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.DESIGNATED and institution.designated_since == today()
    history = re.search(r'data-testid="history">(.*?)</ul>', response.content.decode(), re.S).group(1)
    assert "申请中 → 已认定" in history and "经评审符合认定条件" in history
    assert AuditEvent.objects.filter(actor=county_user, action="institution.designated").exists()


def test_a_refused_transition_leaves_the_status_and_shows_the_reason(client, county_user):
    institution = InstitutionFactory()
    client.force_login(county_user)
    response = client.post(
        f"/institutions/{institution.pk}/transition/", transition_data("revoked", "测试"), follow=True
    )
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.APPLIED
    assert "不能从“申请中”变更为“已撤销”" in response.content.decode()


def test_county_user_lists_a_program_through_the_program_page(client, county_user):
    institution = DesignatedInstitutionFactory()
    client.force_login(county_user)
    form_page = client.get("/institutions/programs/new/", {"institution": institution.pk})
    assert "列入培训项目" in form_page.content.decode()
    response = client.post("/institutions/programs/new/", program_data(institution))
    assert response.status_code == 302 and response["Location"] == f"/institutions/{institution.pk}/"
    program = Program.objects.get(institution=institution)
    assert program.status == ProgramStatus.LISTED and program.standard_hours == 80


def test_an_applied_institution_cannot_be_chosen_for_a_program(client, county_user):
    institution = InstitutionFactory()
    client.force_login(county_user)
    assert client.post("/institutions/programs/new/", program_data(institution)).status_code == 400
    assert not Program.objects.exists()


def test_county_user_delists_a_program_only_with_a_reason(client, county_user):
    program = ProgramFactory()
    client.force_login(county_user)
    url = f"/institutions/programs/{program.pk}/status/"
    client.post(url, transition_data("delisted", ""))
    program.refresh_from_db()
    assert program.status == ProgramStatus.LISTED

    response = client.post(url, transition_data("delisted", "连续两期无人报名"))
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.status == ProgramStatus.DELISTED and program.delisted_on == today()
    assert program.status_changes.last().reason == "连续两期无人报名"


def test_institution_user_changes_the_contact_phone_directly(client, make_user):
    institution = DesignatedInstitutionFactory()
    client.force_login(make_user("institution", None, institution=institution))
    response = client.post(
        f"/institutions/{institution.pk}/edit/", profile_data(institution, contact_phone="0455-8123456")
    )
    assert response.status_code == 302
    institution.refresh_from_db()
    assert institution.contact_phone == "0455-8123456"
    assert not ProfileChangeRequest.objects.exists()


def test_institution_name_change_waits_for_the_county_and_is_applied_on_approval(client, make_user, county_user):
    institution = DesignatedInstitutionFactory(name="北林区旧名培训学校")
    client.force_login(make_user("institution", None, institution=institution))
    client.post(f"/institutions/{institution.pk}/edit/", profile_data(institution, name="北林区新名培训学校"))
    institution.refresh_from_db()
    assert institution.name == "北林区旧名培训学校"
    change = ProfileChangeRequest.objects.get(institution=institution, status="pending")
    detail = client.get(f"/institutions/{institution.pk}/").content.decode()
    assert "待审核的信息变更" in detail and "北林区新名培训学校" in detail

    client.force_login(county_user)
    response = client.post(
        f"/institutions/{institution.pk}/changes/{change.pk}/decide/", {"approve": "1", "reason": ""}
    )
    assert response.status_code == 302
    institution.refresh_from_db()
    change.refresh_from_db()
    assert institution.name == "北林区新名培训学校" and change.status == "approved"
    assert "待审核的信息变更" not in client.get(f"/institutions/{institution.pk}/").content.decode()


def list_rows(html: str) -> list[str]:
    body = re.search(r'data-testid="institution-table">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)


def test_list_flags_an_institution_designated_over_a_year_ago_without_a_class(client, county_user):
    DesignatedInstitutionFactory(name="北林区久未开班学校", designated_on=today() - timedelta(days=400))
    active = DesignatedInstitutionFactory(name="北林区常开班学校", designated_on=today() - timedelta(days=400))
    institution_record_class(institution=active, start_date=today() - timedelta(days=30))
    DesignatedInstitutionFactory(name="北林区新认定学校", designated_on=today() - timedelta(days=100))
    client.force_login(county_user)

    rows = {
        re.search(r">([^<]+)</a>", row).group(1): row
        for row in list_rows(client.get("/institutions/").content.decode())
    }
    assert "满一年未开班" in rows["北林区久未开班学校"]
    assert "满一年未开班" not in rows["北林区常开班学校"]
    assert "满一年未开班" not in rows["北林区新认定学校"]

    only_inactive = list_rows(client.get("/institutions/", {"inactive": "on"}).content.decode())
    assert len(only_inactive) == 1 and "北林区久未开班学校" in only_inactive[0]
