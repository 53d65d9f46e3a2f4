"""Classes of an institution the city administers itself (市直, seated at 绥化市 2312): the class is placed at the
city, the city bureau decides it, and a county clerk neither sees nor decides it."""

import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import Role
from core.policy import can
from core.workflow import available_actions
from training.models import ClassStatus as S
from training.selectors import approval_queue, class_list

from ..institutions.factories import DesignatedInstitutionFactory
from .factories import bureau_user, institution_user, listed_program, ready_class, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


@pytest.fixture
def city_class(region):
    """A submitted class of a city-level institution, and the users around it."""
    institution = DesignatedInstitutionFactory(county=region("2312"), name="绥化市就业训练中心")
    owner = institution_user(institution)
    training_class = submit(ready_class(listed_program(institution), owner), owner)
    users = {
        "city": bureau_user("2312", Role.CITY),
        "county": bureau_user("231202"),
        "province": bureau_user("23", Role.PROVINCE),
        "owner": owner,
    }
    return training_class, users


def test_a_city_level_institutions_class_is_placed_at_the_city(city_class):
    training_class, _ = city_class

    assert training_class.county.code == "2312" and training_class.county.level == "city"


def test_the_city_bureau_approves_a_city_level_class(city_class):
    from training.services.classes import class_transition

    training_class, users = city_class

    assert training_class in approval_queue(user=users["city"])
    assert set(available_actions(users["city"], training_class)) == {"approve", "return", "reject"}
    class_transition(actor=users["city"], training_class=training_class, to_status=S.APPROVED, reason="同意")
    training_class.refresh_from_db()
    assert training_class.status == S.APPROVED


def test_a_county_clerk_neither_sees_nor_decides_a_city_level_class(city_class):
    from training.services.classes import class_transition

    training_class, users = city_class
    clerk = users["county"]

    assert training_class not in class_list(user=clerk) and training_class not in approval_queue(user=clerk)
    assert not can(clerk, "class.view", training_class) and not can(clerk, "class.decide", training_class)
    assert available_actions(clerk, training_class) == {}
    with pytest.raises(PermissionDenied):
        class_transition(actor=clerk, training_class=training_class, to_status=S.APPROVED, reason="越权")


def test_the_province_sees_a_city_level_class_and_does_not_decide_it(city_class):
    training_class, users = city_class

    assert training_class in class_list(user=users["province"])
    assert can(users["province"], "class.view", training_class)
    assert not can(users["province"], "class.decide", training_class)
