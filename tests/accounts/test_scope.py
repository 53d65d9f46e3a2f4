import pytest
from rest_framework.test import APIClient

from accounts.selectors import regions_visible_to

pytestmark = pytest.mark.django_db


def api_codes(user, url="/api/regions/?page_size=500"):
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(url)
    assert response.status_code == 200
    codes = [row["code"] for row in response.json()["results"]]
    while response.json()["next"]:
        response = client.get(response.json()["next"])
        codes += [row["code"] for row in response.json()["results"]]
    return set(codes)


def test_county_user_sees_only_their_county_through_the_scoped_api(county_user):
    assert api_codes(county_user) == {"231202"}


def test_city_user_sees_their_city_and_its_counties_only(city_user):
    codes = api_codes(city_user)
    assert codes == {
        "2312",
        "231202",
        "231221",
        "231222",
        "231223",
        "231224",
        "231225",
        "231226",
        "231281",
        "231282",
        "231283",
    }


def test_province_user_sees_the_whole_province_and_nothing_outside(province_user):
    codes = api_codes(province_user)
    assert len(codes) == 1 + 13 + 126
    assert all(code.startswith("23") for code in codes)


def test_user_without_scope_sees_nothing_not_everything(make_user):
    nobody = make_user("county", None, username="noscope")
    assert api_codes(nobody) == set()
    assert not regions_visible_to(nobody).exists()


def test_institution_user_sees_no_region_rows(make_user):
    assert api_codes(make_user("institution", None)) == set()


def test_other_countys_region_is_not_found_for_a_county_user(county_user):
    client = APIClient()
    client.force_authenticate(county_user)
    assert client.get("/api/regions/231281/").status_code == 404
    assert client.get("/api/regions/231202/").status_code == 200


def test_anonymous_api_request_is_refused(reference_data):
    assert APIClient().get("/api/regions/").status_code in (401, 403)


def test_occupations_are_readable_by_every_signed_in_user(make_user):
    client = APIClient()
    client.force_authenticate(make_user("institution", None))
    response = client.get("/api/occupations/4-10-01-05/")
    assert response.status_code == 200 and response.json()["name"] == "养老护理员"


def test_role_region_level_mismatch_is_invalid(make_user, region):
    from django.core.exceptions import ValidationError

    user = make_user("county", "2312")  # a county role scoped to a city
    with pytest.raises(ValidationError):
        user.full_clean()
