import pytest

from catalog.models import Region

pytestmark = pytest.mark.django_db


def test_all_of_china_is_loaded_with_gb2260_counts():
    assert Region.objects.filter(level="province").count() == 31
    assert Region.objects.filter(level="city").count() == 342
    assert Region.objects.filter(level="county").count() == 2978


def test_heilongjiang_has_13_cities_126_county_rows_and_5_statistical_areas():
    heilongjiang = Region.objects.get(code="23")
    assert heilongjiang.name == "黑龙江省"
    assert heilongjiang.children.count() == 13
    counties = Region.objects.filter(level="county", code__startswith="23")
    assert counties.count() == 126
    statistical = set(counties.filter(is_statistical=True).values_list("code", flat=True))
    assert statistical == {"230671", "232761", "232762", "232763", "232764"}
    assert counties.filter(is_statistical=False).count() == 121


def test_tree_links_county_to_city_to_province():
    beilin = Region.objects.select_related("parent__parent").get(code="231202")
    assert beilin.parent.name == "绥化市"
    assert beilin.parent.parent.name == "黑龙江省"
    assert beilin.full_name == "黑龙江省绥化市北林区"
    assert beilin.gb_code == "231202" and beilin.parent.gb_code == "231200"


def test_county_level_city_code_does_not_collide_with_its_prefecture():
    # 东莞市 is prefecture 4419 and, in the county list, 441900.
    assert Region.objects.get(code="4419").level == "city"
    assert Region.objects.get(code="441900").parent.code == "4419"


def test_reloading_reference_data_is_idempotent():
    from django.apps import apps

    from catalog.reference_data import load_all

    before = Region.objects.count()
    assert load_all(apps.get_model) == 0
    assert Region.objects.count() == before
