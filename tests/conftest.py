import pytest
from django.apps import apps

from catalog.models import Region
from catalog.reference_data import load_all, load_entrepreneurship_stages, load_key_areas_and_departments

from .accounts.factories import UserFactory


@pytest.fixture
def reference_data(db):
    """Regions and lists come from a data migration; transactional tests flush them, so reload (idempotent)."""
    if not Region.objects.exists():
        load_all(apps.get_model)
        load_key_areas_and_departments(apps.get_model("catalog", "KeyArea"), apps.get_model("catalog", "Department"))
        load_entrepreneurship_stages(apps.get_model("catalog", "EntrepreneurshipStage"))


@pytest.fixture
def region(reference_data):
    return lambda code: Region.objects.get(code=code)


@pytest.fixture
def make_user(reference_data):
    def make(role, region_code=None, **kwargs):
        region_obj = Region.objects.get(code=region_code) if region_code else None
        return UserFactory(role=role, region=region_obj, **kwargs)

    return make


@pytest.fixture
def county_user(make_user):
    return make_user("county", "231202", username="beilin")


@pytest.fixture
def city_user(make_user):
    return make_user("city", "2312", username="suihua")


@pytest.fixture
def province_user(make_user):
    return make_user("province", "23", username="province")


@pytest.fixture
def admin_user(make_user):
    return make_user("admin", username="sysadmin", is_superuser=True, is_staff=True)
