"""A person's groups (人员类别) on the roster: a cell may name several, the enrollment freezes every group in
force at the start (the first in the catalog's order is its primary category), and the class page and the API
show them all."""

from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from rest_framework.test import APIClient

from catalog.models import TraineeCategory
from trainees.models import TraineeCategoryAssignment
from trainees.services.people import category_assign
from training.models import EnrollmentGroup

from ..trainees.factories import registrar
from . import roster_kit as kit
from .factories import commit_roster, row
from .roster_kit import check, register_person, where

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]
w = kit.w  # the fixture
c = kit.c  # the fixture


def names(enrollment) -> list[str]:
    return [g.name for g in enrollment.groups.all()]


def test_a_cell_naming_two_groups_freezes_both_on_the_enrollment_and_records_both_for_the_person(w, c):
    roster = [row(0, 人员类别="脱贫人口、农民工"), row(1, 人员类别="高校毕业生；登记失业人员"), row(2)]
    commit_roster(c, w.owner, roster)

    by_row = list(c.enrollments.order_by("id").select_related("category"))
    assert [(e.category.name, names(e)) for e in by_row] == [
        ("农民工", ["农民工", "脱贫人口"]),
        ("高校毕业生", ["高校毕业生", "登记失业人员"]),
        ("农民工", ["农民工"]),
    ]
    registered = TraineeCategoryAssignment.objects.filter(trainee=by_row[0].trainee, valid_from=c.start_date)
    assert sorted(a.category.name for a in registered) == ["农民工", "脱贫人口"]


def test_every_group_in_force_at_the_start_is_frozen_and_later_changes_do_not_move_it(w, c):
    known = register_person(0)
    unemployed, graduate, veteran, poverty = (
        TraineeCategory.objects.get(name=n) for n in ("登记失业人员", "高校毕业生", "退役军人", "脱贫人口")
    )
    category_assign(actor=registrar(), trainee=known, category=unemployed, valid_from=date(2020, 1, 1))
    ended = c.start_date - timedelta(days=1)
    category_assign(actor=registrar(), trainee=known, category=veteran, valid_from=date(2020, 1, 1), valid_to=ended)
    commit_roster(c, w.owner, [row(0, 人员类别="高校毕业生")])

    enrollment = c.enrollments.get(trainee=known)
    assert (enrollment.category, names(enrollment)) == (graduate, ["高校毕业生", "登记失业人员"])
    category_assign(actor=registrar(), trainee=known, category=poverty, valid_from=c.start_date)
    assert names(c.enrollments.get(trainee=known)) == ["高校毕业生", "登记失业人员"]


def test_an_unknown_group_among_several_is_refused_naming_the_allowed_values(c):
    result = check(c, [row(0, 人员类别="农民工、外星人")])
    assert where(result.errors) == [(2, "人员类别")]
    assert result.errors[0]["message"].startswith("“外星人”不是有效的人员类别")


def test_a_new_roster_replaces_the_groups_with_the_enrollments(w, c):
    commit_roster(c, w.owner, [row(0, 人员类别="农民工、脱贫人口")])
    commit_roster(c, w.owner, [row(1, 人员类别="退役军人")])
    assert [names(e) for e in c.enrollments.all()] == [["退役军人"]]
    assert EnrollmentGroup.objects.count() == 1


def test_the_class_page_and_the_api_show_every_group_of_a_person(client, w, c):
    commit_roster(c, w.owner, [row(0, 人员类别="农民工、脱贫人口"), row(1, 人员类别="")])

    client.force_login(w.owner)
    soup = BeautifulSoup(client.get(f"/classes/{c.pk}/").content, "html.parser")
    cells = [td.get_text(strip=True) for td in soup.select('[data-testid="roster-groups"]')]
    assert cells == ["农民工、脱贫人口", ""]
    api = APIClient()
    api.force_authenticate(w.owner)
    listed = api.get(f"/api/enrollments/?training_class={c.pk}").json()
    listed = listed.get("results", listed)
    assert [(e["category"], e["groups"]) for e in sorted(listed, key=lambda e: e["id"])] == [
        ("migrant_worker", ["migrant_worker", "poverty_alleviated"]),
        (None, []),
    ]
