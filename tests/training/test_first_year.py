"""Seed 004: an institution that runs no class of at least 30 people in its first designated year loses its
eligibility. The bureau's work item lists it with the evidence (designation date, that year's classes and their
rosters) and leads to the designation workflow's suspension with the reason filled in."""

from datetime import timedelta

import pytest
from django.test import Client

from accounts.models import AuditEvent
from core.clock import replaying as clock
from core.work import work_of
from institutions.models import InstitutionStatus
from training.first_year import first_year_evidence, first_year_shortfalls, one_year_after

from ..institutions.factories import DesignatedInstitutionFactory
from .factories import approve, bureau_user, commit_roster, institution_user, listed_program, make_class, rows, start
from .factories import today as today_

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


class Place:
    """An institution designated 30 days ago; its classes start in two weeks, inside its first year."""

    def __init__(self):
        self.since = today_() - timedelta(days=30)
        institution = DesignatedInstitutionFactory(designated_on=self.since, name="首年学校")
        self.program = listed_program(institution, listed_on=self.since)
        self.institution = self.program.institution
        self.owner = institution_user(self.institution)
        self.bureau = bureau_user("231202")
        self.after_first_year = one_year_after(self.since)  # the first day after the first year

    def ran(self, people: int, name: str, starts=None):
        c = make_class(self.program, self.owner, name=name, start=starts)
        commit_roster(c, self.owner, rows(people, first=len(name) * 100))
        with clock(c.start_date - timedelta(days=7)):
            approve(c, self.owner, self.bureau)
        start(c, self.owner)
        return c

    def listed(self, day=None):
        return list(first_year_shortfalls(user=self.bureau, today=day or self.after_first_year))


@pytest.fixture
def place():
    return Place()


def test_a_first_year_whose_largest_class_had_29_people_is_listed_with_the_evidence(place):
    c = place.ran(29, "二十九人班")
    assert place.listed() == [place.institution]
    (year,) = first_year_evidence(place.listed())
    assert (year.since, year.classes) == (place.since, [("二十九人班", c.start_date, "培训中", 29)])
    assert f"认定首年（{place.since} 至 {place.after_first_year - timedelta(days=1)}）" in year.reason
    assert f"二十九人班（{c.start_date} 开班，29 人）" in year.reason


def test_one_class_of_30_in_the_first_year_meets_the_rule(place):
    place.ran(30, "三十人班")
    assert place.listed() == []


def test_a_class_of_30_after_the_first_year_does_not_count_and_a_year_not_yet_over_is_not_listed(place):
    place.ran(30, "次年班", starts=place.after_first_year + timedelta(days=14))
    assert place.listed(day=place.after_first_year - timedelta(days=1)) == []  # the first year is not over
    assert place.listed(day=place.after_first_year + timedelta(days=60)) == [place.institution]


def test_the_work_item_leads_to_the_suspension_with_the_reason_filled_in(place):
    with clock(place.after_first_year):
        (work,) = [w for w in work_of(place.bureau, detail=True) if w.key == "first_year_shortfalls"]
        assert work.count == 1 and work.first[0][0] == "首年学校"
        client = Client()
        client.force_login(place.bureau)
        page = client.get("/classes/first-year/").content.decode()
        assert "首年学校" in page and "首年未开班。" in page
        (year,) = first_year_evidence(place.listed())
        assert year.suspend_url in page.replace("&amp;", "&")
        form = client.get(year.suspend_url).content.decode()
        assert f'value="{InstitutionStatus.SUSPENDED}" selected' in form
        assert "未开展一期 30 人以上的培训班" in form and "首年开班情况：未开班" in form
        response = client.post(
            f"/institutions/{place.institution.pk}/transition/",
            {
                "to_status": InstitutionStatus.SUSPENDED,
                "effective_date": str(place.after_first_year),
                "reason": year.reason,
            },
        )
        assert response.status_code == 302
        place.institution.refresh_from_db()
        assert place.institution.status == InstitutionStatus.SUSPENDED
        event = AuditEvent.objects.get(action="institution.suspended")
        assert "未开展一期 30 人以上的培训班" in event.details["reason"]
        assert [w.count for w in work_of(place.bureau) if w.key == "first_year_shortfalls"] == [0]


def test_the_evaluation_is_a_fixed_number_of_queries(place, django_assert_max_num_queries):
    others = [DesignatedInstitutionFactory(designated_on=place.since) for _ in range(5)]
    with django_assert_max_num_queries(4):
        listed = first_year_shortfalls(user=place.bureau, today=place.after_first_year)
        assert len(first_year_evidence(listed)) == 1 + len(others)


def test_another_countys_bureau_does_not_see_the_institution(place):
    place.ran(10, "十人班")
    other = bureau_user("231281")
    assert place.listed() == [place.institution]
    assert list(first_year_shortfalls(user=other, today=place.after_first_year)) == []
    client = Client()
    client.force_login(other)
    with clock(place.after_first_year):
        assert "首年学校" not in client.get("/classes/first-year/").content.decode()
