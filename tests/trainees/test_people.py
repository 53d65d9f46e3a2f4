"""The real-name register: registering, finding, categories, access links and the archive ledger."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import AuditEvent
from catalog.models import TraineeCategory
from core.errors import DomainError
from trainees.models import TraineeAccess, TrainingRecord
from trainees.services.people import categories_on, category_assign, trainee_find, trainee_link, trainee_register
from trainees.validators import clean_mobile, clean_name

from .factories import add_record, make_id, register

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def test_registering_derives_gender_and_birth_date_links_the_county_and_audits_without_the_number(county_user, region):
    number = make_id("231202", date(1985, 7, 15), seq=2)
    trainee = trainee_register(
        actor=county_user, id_number=number, name=" 张  晓梅 ", county=region("231202"), phone="+86 138-4556-1234"
    )
    assert (trainee.name, trainee.gender, trainee.birth_date) == ("张 晓梅", "F", date(1985, 7, 15))
    assert trainee.phone == "13845561234"
    assert TraineeAccess.objects.filter(trainee=trainee, county=region("231202"), institution=None).exists()
    event = AuditEvent.objects.get(action="trainee.registered")
    assert number not in str(event.details) and number not in event.target_repr


def test_a_county_user_cannot_register_in_another_county(county_user, region):
    with pytest.raises(PermissionDenied):
        trainee_register(actor=county_user, id_number=make_id("231281"), name="王五", county=region("231281"))


def test_a_city_user_registers_in_its_counties_and_a_province_user_cannot(city_user, province_user, region):
    assert trainee_register(actor=city_user, id_number=make_id("231281"), name="王五", county=region("231281"))
    with pytest.raises(PermissionDenied):
        trainee_register(actor=province_user, id_number=make_id(seq=4), name="赵六", county=region("231202"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"id_number": "231202199001010021"}, "校验位"),
        ({"name": "张3"}, "数字"),
        ({"name": "张三@"}, "汉字"),
        ({"phone": "1384551234"}, "11 位"),
        ({"gender": "M"}, "性别与身份证号不符"),
        ({"birth_date": date(1990, 1, 2)}, "出生日期与身份证号不符"),
    ],
)
def test_bad_input_is_refused_in_chinese(kwargs, message):
    with pytest.raises(DomainError, match=message):
        register(**{"id_number": make_id(seq=2), **kwargs})


def test_names_of_minorities_and_foreigners_are_accepted():
    assert clean_name("阿依古丽·买买提") == "阿依古丽·买买提"
    assert clean_name("John Smith") == "John Smith"
    assert clean_mobile("") == ""


def test_find_by_id_number_uses_the_blind_index_and_ignores_invalid_input():
    trainee = register("11010519491231002X", name="李四")
    assert trainee_find("11010519491231002x") == trainee
    assert trainee_find("110105491231002") == trainee  # the legacy 15-digit form of the same person
    assert trainee_find("110105194912310021") is None
    assert trainee_find(make_id(seq=8)) is None


def test_categories_in_force_on_a_day(county_user):
    trainee = register()
    migrant = TraineeCategory.objects.get(code="migrant_worker")
    poor = TraineeCategory.objects.get(code="poverty_alleviated")
    category_assign(actor=county_user, trainee=trainee, category=migrant, valid_from=date(2023, 1, 1))
    category_assign(
        actor=county_user, trainee=trainee, category=poor, valid_from=date(2022, 1, 1), valid_to=date(2023, 6, 30)
    )
    assert set(categories_on(trainee, date(2023, 3, 1))) == {migrant, poor}
    assert categories_on(trainee, date(2024, 1, 1)) == [migrant]
    assert categories_on(trainee, date(2021, 1, 1)) == []
    with pytest.raises(DomainError, match="已登记"):
        category_assign(actor=county_user, trainee=trainee, category=migrant, valid_from=date(2023, 1, 1))
    with pytest.raises(DomainError, match="截止日期"):
        category_assign(
            actor=county_user, trainee=trainee, category=poor, valid_from=date(2024, 1, 1), valid_to=date(2023, 1, 1)
        )


def test_linking_is_idempotent(region):
    trainee = register()
    trainee_link(trainee=trainee, county=region("231281"))
    trainee_link(trainee=trainee, county=region("231281"))
    assert TraineeAccess.objects.filter(trainee=trainee).count() == 2  # 北林区 (registered) and 安达市


def test_appending_the_same_training_twice_records_it_once(region):
    trainee = register()
    first = add_record(trainee, ref="claim-line-1", county_code="231281")
    again = add_record(trainee, ref="claim-line-1", county_code="231281")
    assert first.pk == again.pk
    assert TrainingRecord.objects.filter(trainee=trainee).count() == 1
    assert first.year == 2024
    assert TraineeAccess.objects.filter(trainee=trainee, county=region("231281")).count() == 1
