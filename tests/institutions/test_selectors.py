from datetime import date

import pytest

from accounts.models import AuditEvent
from institutions.models import InstitutionStatus as S
from institutions.models import ProgramStatus
from institutions.selectors import (
    institution_can_open_classes,
    institution_designated_between,
    institution_list,
    one_year_before,
    program_list,
    program_listed_between,
    public_institution_list,
    public_programs,
    urgent_list_list,
)
from institutions.services.institutions import institution_record_class
from institutions.services.programs import program_set_status
from institutions.services.urgent_lists import urgent_list_publish

from .factories import (
    DesignatedInstitutionFactory,
    InstitutionFactory,
    ProgramFactory,
    bureau_actor,
    occupation,
    transition,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

TODAY = date(2025, 6, 15)


def flagged(user, institution, today=TODAY) -> bool:
    return institution_list(user=user, today=today).get(pk=institution.pk).is_inactive


def set_program_status(program, to_status, on):
    return program_set_status(
        actor=bureau_actor(program.institution.county),
        program=program,
        to_status=to_status,
        reason="调整",
        effective_date=on,
    )


# --- the 12-month activity flag ----------------------------------------------------------------------


def test_designated_13_months_ago_without_a_class_is_flagged(county_user):
    institution = DesignatedInstitutionFactory(designated_on=date(2024, 5, 15))
    assert flagged(county_user, institution)
    assert list(institution_list(user=county_user, filters={"inactive": True}, today=TODAY)) == [institution]


def test_a_class_within_the_last_12_months_clears_the_flag(county_user):
    institution = DesignatedInstitutionFactory(designated_on=date(2024, 5, 15))
    institution_record_class(institution=institution, start_date=date(2025, 1, 10))
    assert not flagged(county_user, institution)
    assert not institution_list(user=county_user, filters={"inactive": True}, today=TODAY).exists()


def test_a_class_more_than_12_months_ago_does_not_clear_the_flag(county_user):
    institution = DesignatedInstitutionFactory(designated_on=date(2024, 5, 15))
    institution_record_class(institution=institution, start_date=date(2024, 6, 1))
    assert flagged(county_user, institution)


def test_designated_6_months_ago_is_not_flagged(county_user):
    assert not flagged(county_user, DesignatedInstitutionFactory(designated_on=date(2024, 12, 15)))


def test_designated_exactly_12_months_ago_is_flagged(county_user):
    assert flagged(county_user, DesignatedInstitutionFactory(designated_on=date(2024, 6, 15)))


def test_suspended_institution_is_not_flagged(county_user):
    institution = DesignatedInstitutionFactory(designated_on=date(2024, 1, 1))
    transition(institution, S.SUSPENDED, date(2025, 3, 1))
    assert not flagged(county_user, institution)


def test_applied_institution_is_not_flagged(county_user):
    assert not flagged(county_user, InstitutionFactory(applied_on=date(2023, 1, 1)))


def test_reinstatement_restarts_the_12_months(county_user):
    institution = DesignatedInstitutionFactory(designated_on=date(2023, 1, 1))
    transition(institution, S.SUSPENDED, date(2024, 10, 1))
    transition(institution, S.DESIGNATED, date(2024, 12, 15))
    assert not flagged(county_user, institution)


def test_one_year_before_29_february_is_28_february():
    assert one_year_before(date(2024, 2, 29)) == date(2023, 2, 28)
    assert one_year_before(TODAY) == date(2024, 6, 15)


# --- scoping -----------------------------------------------------------------------------------------


@pytest.fixture
def three_institutions(region):
    """北林区 (231202), 安达市 (231281, same city), 道里区 (230102, Harbin)."""
    return {code: DesignatedInstitutionFactory(county=region(code)) for code in ("231202", "231281", "230102")}


def codes(qs):
    return {i.county.code for i in qs}


def test_county_user_sees_only_their_countys_institutions(county_user, three_institutions):
    assert codes(institution_list(user=county_user)) == {"231202"}


def test_city_user_sees_all_its_counties_institutions(city_user, three_institutions):
    assert codes(institution_list(user=city_user)) == {"231202", "231281"}


def test_province_and_admin_users_see_the_whole_province(province_user, admin_user, three_institutions):
    assert codes(institution_list(user=province_user)) == {"231202", "231281", "230102"}
    assert codes(institution_list(user=admin_user)) == {"231202", "231281", "230102"}


def test_institution_user_sees_only_its_own_institution(make_user, three_institutions):
    own = three_institutions["231202"]
    user = make_user("institution", None, institution=own)
    assert list(institution_list(user=user)) == [own]


def test_institution_user_without_an_institution_sees_nothing(make_user, three_institutions):
    assert not institution_list(user=make_user("institution", None)).exists()


def test_institution_list_filters(city_user, region, three_institutions):
    anda = three_institutions["231281"]
    applied = InstitutionFactory(county=region("231202"))
    assert list(institution_list(user=city_user, filters={"region": region("231281")})) == [anda]
    assert list(institution_list(user=city_user, filters={"status": S.APPLIED})) == [applied]
    assert list(institution_list(user=city_user, filters={"q": anda.credit_code.lower()})) == [anda]
    ProgramFactory(institution=anda, occupation=occupation(3))
    assert list(institution_list(user=city_user, filters={"occupation": occupation(3)})) == [anda]


def test_program_list_is_scoped_like_institutions(county_user, city_user, make_user, three_institutions):
    programs = {code: ProgramFactory(institution=inst) for code, inst in three_institutions.items()}
    assert list(program_list(user=county_user)) == [programs["231202"]]
    assert {p.institution.county.code for p in program_list(user=city_user)} == {"231202", "231281"}
    institution_user = make_user("institution", None, institution=three_institutions["231281"])
    assert list(program_list(user=institution_user)) == [programs["231281"]]


def test_institution_user_sees_only_its_own_programs_in_its_own_county(make_user):
    mine, neighbour = DesignatedInstitutionFactory(), DesignatedInstitutionFactory()
    own = ProgramFactory(institution=mine)
    ProgramFactory(institution=neighbour)
    assert list(program_list(user=make_user("institution", None, institution=mine))) == [own]


def test_program_list_filters_by_status(county_user):
    listed = ProgramFactory()
    delisted = ProgramFactory(institution=listed.institution, occupation=occupation(1))
    set_program_status(delisted, ProgramStatus.DELISTED, date(2024, 3, 1))
    assert list(program_list(user=county_user, filters={"status": ProgramStatus.LISTED})) == [listed]
    assert list(program_list(user=county_user, filters={"status": ProgramStatus.DELISTED})) == [delisted]


# --- the public directory ----------------------------------------------------------------------------


def test_public_list_shows_only_designated_institutions():
    designated = DesignatedInstitutionFactory()
    InstitutionFactory()
    transition(DesignatedInstitutionFactory(), S.SUSPENDED, date(2024, 3, 1))
    revoked = transition(DesignatedInstitutionFactory(), S.REVOKED, date(2024, 3, 1))
    assert revoked.status == S.REVOKED
    assert list(public_institution_list()) == [designated]


def test_public_programs_are_only_the_listed_ones():
    listed = ProgramFactory()
    delisted = ProgramFactory(institution=listed.institution, occupation=occupation(1))
    set_program_status(delisted, ProgramStatus.DELISTED, date(2024, 3, 1))
    assert list(public_programs(listed.institution)) == [listed]


def test_public_occupation_filter_ignores_delisted_programs():
    with_listed = ProgramFactory(occupation=occupation(2)).institution
    delisted = ProgramFactory(occupation=occupation(2))
    set_program_status(delisted, ProgramStatus.DELISTED, date(2024, 3, 1))
    assert list(public_institution_list(filters={"occupation": occupation(2)})) == [with_listed]


# --- designated / listed on a date range -------------------------------------------------------------


@pytest.fixture
def suspended_in_march():
    """Designated 2024-01-01, suspended 2024-03-01, reinstated 2024-04-01."""
    institution = DesignatedInstitutionFactory(designated_on=date(2024, 1, 1))
    transition(institution, S.SUSPENDED, date(2024, 3, 1))
    return transition(institution, S.DESIGNATED, date(2024, 4, 1))


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2024, 1, 1), date(2024, 2, 29), True),
        (date(2024, 1, 15), date(2024, 3, 1), False),
        (date(2024, 2, 15), date(2024, 3, 15), False),
        (date(2024, 3, 10), date(2024, 3, 20), False),
        (date(2024, 3, 20), date(2024, 4, 10), False),
        (date(2024, 4, 1), date(2024, 6, 30), True),
        (date(2023, 12, 15), date(2024, 1, 15), False),
    ],
)
def test_institution_designated_between_across_a_suspension(suspended_in_march, start, end, expected):
    assert institution_designated_between(suspended_in_march, start, end) is expected


def test_institution_can_open_classes_only_while_currently_designated(suspended_in_march):
    assert institution_can_open_classes(suspended_in_march, date(2024, 1, 1), date(2024, 2, 1))
    transition(suspended_in_march, S.SUSPENDED, date(2024, 7, 1))
    assert not institution_can_open_classes(suspended_in_march, date(2024, 1, 1), date(2024, 2, 1))


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2024, 2, 1), date(2024, 2, 28), True),
        (date(2024, 1, 15), date(2024, 2, 15), False),
        (date(2024, 2, 15), date(2024, 3, 15), False),
        (date(2024, 5, 1), date(2024, 6, 1), True),
        (date(2024, 4, 15), date(2024, 5, 15), False),
    ],
)
def test_program_listed_between_across_a_delisting(start, end, expected):
    program = ProgramFactory(listed_on=date(2024, 2, 1))
    set_program_status(program, ProgramStatus.DELISTED, date(2024, 3, 1))
    set_program_status(program, ProgramStatus.LISTED, date(2024, 5, 1))
    assert program_listed_between(program, start, end) is expected


def test_program_listed_between_after_the_institution_was_suspended_and_reinstated(suspended_in_march):
    program = ProgramFactory(institution=suspended_in_march, listed_on=date(2024, 4, 15))
    assert program_listed_between(program, date(2024, 4, 15), date(2024, 5, 15))
    assert not program_listed_between(program, date(2024, 4, 1), date(2024, 5, 15))


# --- urgent lists visible to a user ------------------------------------------------------------------


def test_county_user_sees_urgent_lists_of_its_county_and_the_regions_above(county_user, make_user, region):
    for code in ("23", "2312", "231202", "231281", "2301"):
        role = {2: "province", 4: "city", 6: "county"}[len(code)]
        urgent_list_publish(actor=make_user(role, code), region=region(code), year=2024, occupations=[occupation(0)])
    assert {u.region.code for u in urgent_list_list(user=county_user)} == {"23", "2312", "231202"}
    assert AuditEvent.objects.filter(action="urgent_list.published").count() == 5


def test_city_user_sees_its_own_its_counties_and_the_province_lists(city_user, make_user, region):
    for code in ("23", "231281", "2301"):
        role = {2: "province", 4: "city", 6: "county"}[len(code)]
        urgent_list_publish(actor=make_user(role, code), region=region(code), year=2024, occupations=[occupation(0)])
    assert {u.region.code for u in urgent_list_list(user=city_user)} == {"23", "231281"}


def test_institution_user_sees_no_urgent_lists_through_the_region_scope(make_user, region, county_user):
    urgent_list_publish(actor=county_user, region=region("231202"), year=2024, occupations=[occupation(0)])
    assert not urgent_list_list(user=make_user("institution", None)).exists()
