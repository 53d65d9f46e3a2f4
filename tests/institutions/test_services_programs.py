from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.models import AuditEvent
from core.errors import DomainError
from institutions.models import InstitutionStatus as S
from institutions.models import Program, ProgramStatus, TrainingMode, UrgentOccupationList
from institutions.selectors import program_is_urgent, urgent_occupation_ids
from institutions.services.programs import program_set_status
from institutions.services.urgent_lists import urgent_list_publish

from .factories import DesignatedInstitutionFactory, InstitutionFactory, ProgramFactory, occupation, transition

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def events(actor, action):
    return AuditEvent.objects.filter(actor=actor, action=action)


def set_status(actor, program, to_status, on, reason="依规调整"):
    return program_set_status(actor=actor, program=program, to_status=to_status, reason=reason, effective_date=on)


# --- listing -----------------------------------------------------------------------------------------


def test_listing_a_program_of_a_designated_institution_writes_history_and_audit(county_user):
    program = ProgramFactory(actor=county_user)
    assert (program.status, program.listed_on, program.standard_hours) == (ProgramStatus.LISTED, date(2024, 2, 1), 80)
    change = program.status_changes.get()
    assert (change.from_status, change.to_status, change.effective_date) == ("", ProgramStatus.LISTED, date(2024, 2, 1))
    event = events(county_user, "program.listed").get()
    assert event.target_id == str(program.pk)
    assert event.details == {"institution": program.institution.name, "hours": 80, "fee": "1200.00"}


@pytest.mark.parametrize(("status", "label"), [(S.APPLIED, "申请中"), (S.SUSPENDED, "暂停"), (S.REVOKED, "已撤销")])
def test_only_a_designated_institution_can_be_listed_a_program(status, label, county_user):
    institution = InstitutionFactory()
    if status != S.APPLIED:
        transition(institution, S.DESIGNATED, date(2024, 1, 1))
        transition(institution, status, date(2024, 1, 15))
    with pytest.raises(DomainError) as exc:
        ProgramFactory(institution=institution, actor=county_user)
    assert label in str(exc.value)
    assert exc.value.field == "institution"
    assert not Program.objects.exists()


def test_suspended_institution_cannot_be_listed_a_program(county_user):
    institution = DesignatedInstitutionFactory()
    transition(institution, S.SUSPENDED, date(2024, 3, 1))
    with pytest.raises(DomainError, match="暂停"):
        ProgramFactory(institution=institution, listed_on=date(2024, 4, 1), actor=county_user)


def test_duplicate_program_is_refused_with_a_chinese_message(county_user):
    program = ProgramFactory()
    with pytest.raises(DomainError) as exc:
        ProgramFactory(institution=program.institution, actor=county_user)
    assert "请勿重复列入" in str(exc.value)
    assert exc.value.field == "occupation"
    assert Program.objects.count() == 1
    assert not events(county_user, "program.listed").exists()


def test_duplicate_of_a_delisted_program_is_refused_and_points_to_relisting(county_user):
    program = ProgramFactory()
    set_status(county_user, program, ProgramStatus.DELISTED, date(2024, 3, 1))
    with pytest.raises(DomainError) as exc:
        ProgramFactory(institution=program.institution, listed_on=date(2024, 4, 1))
    assert "已移出目录" in str(exc.value)
    assert "重新列入" in str(exc.value)


def test_same_occupation_in_another_mode_or_level_is_a_distinct_program():
    program = ProgramFactory()
    ProgramFactory(institution=program.institution, mode=TrainingMode.ONLINE)
    ProgramFactory(
        institution=program.institution, skill_level=program.skill_level.__class__.objects.get(code="level4")
    )
    assert Program.objects.filter(institution=program.institution).count() == 3


def test_program_cannot_be_listed_before_the_institution_was_designated():
    institution = DesignatedInstitutionFactory(designated_on=date(2024, 1, 1))
    with pytest.raises(DomainError) as exc:
        ProgramFactory(institution=institution, listed_on=date(2023, 12, 31))
    assert exc.value.field == "effective_date"


def test_program_cannot_be_listed_in_the_future():
    with pytest.raises(DomainError) as exc:
        ProgramFactory(listed_on=timezone.localdate() + timedelta(days=1))
    assert exc.value.field == "effective_date"


def test_program_without_hours_is_refused():
    with pytest.raises(DomainError) as exc:
        ProgramFactory(theory_hours=0, practice_hours=0)
    assert exc.value.field == "theory_hours"


def test_negative_fee_is_refused_as_a_fee_error_not_as_a_duplicate():
    with pytest.raises(DomainError) as exc:
        ProgramFactory(fee=Decimal("-1.00"))
    assert "重复" not in str(exc.value)
    assert exc.value.field == "fee"


def test_other_county_user_cannot_list_a_program(make_user):
    with pytest.raises(PermissionDenied):
        ProgramFactory(actor=make_user("county", "231281"))


def test_institution_user_cannot_list_its_own_program(make_user):
    institution = DesignatedInstitutionFactory()
    with pytest.raises(PermissionDenied):
        ProgramFactory(institution=institution, actor=make_user("institution", None, institution=institution))


def test_city_user_may_list_a_program(city_user):
    assert ProgramFactory(actor=city_user).status == ProgramStatus.LISTED


# --- delisting and relisting -------------------------------------------------------------------------


def test_delisting_requires_a_reason(county_user):
    program = ProgramFactory()
    with pytest.raises(DomainError) as exc:
        set_status(county_user, program, ProgramStatus.DELISTED, date(2024, 3, 1), reason="  ")
    assert exc.value.field == "reason"
    assert Program.objects.get(pk=program.pk).status == ProgramStatus.LISTED


def test_delisting_records_date_history_and_audit(county_user):
    program = set_status(county_user, ProgramFactory(), ProgramStatus.DELISTED, date(2024, 3, 1), reason="质量不达标")
    program.refresh_from_db()
    assert (program.status, program.delisted_on) == (ProgramStatus.DELISTED, date(2024, 3, 1))
    assert program.status_changes.last().reason == "质量不达标"
    assert events(county_user, "program.delisted").get().details == {
        "reason": "质量不达标",
        "effective_date": "2024-03-01",
    }


def test_delisting_twice_is_refused(county_user):
    program = set_status(county_user, ProgramFactory(), ProgramStatus.DELISTED, date(2024, 3, 1))
    with pytest.raises(DomainError, match="已移出目录"):
        set_status(county_user, program, ProgramStatus.DELISTED, date(2024, 4, 1))


def test_delisting_cannot_predate_the_listing(county_user):
    with pytest.raises(DomainError) as exc:
        set_status(county_user, ProgramFactory(), ProgramStatus.DELISTED, date(2024, 1, 15))
    assert exc.value.field == "effective_date"


def test_relisting_while_designated_resets_the_dates(county_user):
    program = set_status(county_user, ProgramFactory(), ProgramStatus.DELISTED, date(2024, 3, 1))
    set_status(county_user, program, ProgramStatus.LISTED, date(2024, 5, 1))
    program.refresh_from_db()
    assert (program.status, program.listed_on, program.delisted_on) == (ProgramStatus.LISTED, date(2024, 5, 1), None)
    assert events(county_user, "program.listed").count() == 1


def test_relisting_is_refused_while_the_institution_is_suspended(county_user):
    program = set_status(county_user, ProgramFactory(), ProgramStatus.DELISTED, date(2024, 3, 1))
    transition(program.institution, S.SUSPENDED, date(2024, 4, 1))
    with pytest.raises(DomainError, match="暂停"):
        set_status(county_user, program, ProgramStatus.LISTED, date(2024, 5, 1))
    assert Program.objects.get(pk=program.pk).status == ProgramStatus.DELISTED


def test_delisting_is_allowed_while_the_institution_is_suspended(county_user):
    program = ProgramFactory()
    transition(program.institution, S.SUSPENDED, date(2024, 4, 1))
    set_status(county_user, program, ProgramStatus.DELISTED, date(2024, 5, 1))
    assert Program.objects.get(pk=program.pk).status == ProgramStatus.DELISTED


def test_other_county_user_cannot_delist(make_user):
    program = ProgramFactory()
    with pytest.raises(PermissionDenied):
        set_status(make_user("county", "231281"), program, ProgramStatus.DELISTED, date(2024, 3, 1))


# --- urgent-shortage lists ---------------------------------------------------------------------------


def publish(actor, region_obj, year=2024, occupations=None, document="绥人社发〔2024〕1号"):
    return urgent_list_publish(
        actor=actor, region=region_obj, year=year, occupations=occupations or [occupation(0)], document=document
    )


def test_county_bureau_publishes_its_own_list(county_user, region):
    urgent = publish(county_user, region("231202"), occupations=[occupation(0), occupation(1)])
    assert set(urgent.occupations.all()) == {occupation(0), occupation(1)}
    event = events(county_user, "urgent_list.published").get()
    assert event.details == {"year": 2024, "occupations": sorted([occupation(0).code, occupation(1).code])}


@pytest.mark.parametrize(("who", "code"), [("city_user", "2312"), ("province_user", "23")])
def test_city_and_province_bureaus_publish_their_own_lists(who, code, request, region):
    assert publish(request.getfixturevalue(who), region(code)).region.code == code


@pytest.mark.parametrize("code", ["2312", "231281", "23"])
def test_county_bureau_cannot_publish_another_regions_list(code, county_user, region):
    with pytest.raises(PermissionDenied):
        publish(county_user, region(code))
    assert not UrgentOccupationList.objects.exists()


def test_city_bureau_cannot_publish_for_its_county(city_user, region):
    with pytest.raises(PermissionDenied):
        publish(city_user, region("231202"))


@pytest.mark.parametrize("who", ["admin_user", "institution"])
def test_admin_and_institution_users_cannot_publish(who, request, make_user, region):
    actor = request.getfixturevalue("admin_user") if who == "admin_user" else make_user("institution", None)
    with pytest.raises(PermissionDenied):
        publish(actor, region("231202"))


def test_republishing_replaces_the_occupations(county_user, region):
    publish(county_user, region("231202"), occupations=[occupation(0)])
    publish(county_user, region("231202"), occupations=[occupation(2)], document="第二版")
    urgent = UrgentOccupationList.objects.get()
    assert (list(urgent.occupations.all()), urgent.document) == ([occupation(2)], "第二版")


def test_empty_list_and_bad_year_are_refused(county_user, region):
    with pytest.raises(DomainError):
        urgent_list_publish(actor=county_user, region=region("231202"), year=2024, occupations=[])
    with pytest.raises(DomainError):
        publish(county_user, region("231202"), year=1999)


@pytest.mark.parametrize(("who", "code"), [("county_user", "231202"), ("city_user", "2312"), ("province_user", "23")])
def test_program_is_urgent_when_its_occupation_is_on_any_list_above_its_county(who, code, request, region):
    program = ProgramFactory()
    publish(request.getfixturevalue(who), region(code), year=2024, occupations=[program.occupation])
    assert program_is_urgent(program, 2024)
    assert not program_is_urgent(program, 2025)


@pytest.mark.parametrize("code", ["231281", "2301", "230102"])
def test_lists_of_other_regions_do_not_make_a_program_urgent(code, make_user, region):
    program = ProgramFactory()
    role = {2: "province", 4: "city", 6: "county"}[len(code)]
    publish(make_user(role, code), region(code), occupations=[program.occupation])
    assert not program_is_urgent(program, 2024)


def test_program_of_another_occupation_is_not_urgent(county_user, region):
    program = ProgramFactory()
    publish(county_user, region("231202"), occupations=[occupation(5)])
    assert not program_is_urgent(program, 2024)
    assert urgent_occupation_ids(region=region("231202"), year=2024) == {occupation(5).pk}
