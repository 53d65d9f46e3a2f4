"""What crawlers and Lighthouse ask of every page (issue 14: SEO scored 0 when /robots.txt was a redirect to a 404,
and no page had a description): a plain robots.txt that keeps crawlers out of the API and the admin only, and a
meta description on every page."""

import re
import urllib.robotparser

import pytest

pytestmark = pytest.mark.django_db


def test_robots_txt_is_plain_text_and_keeps_crawlers_out_of_the_api_and_the_admin(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(response.content.decode().splitlines())
    for path in ("/public/notices/", "/public/", "/accounts/login/"):
        assert robots.can_fetch("*", path), path
    for path in ("/api/dashboard/", "/admin/"):
        assert not robots.can_fetch("*", path), path


@pytest.mark.parametrize("path", ["/accounts/login/", "/public/notices/", "/public/"])
def test_every_page_has_a_meta_description(client, path):
    html = client.get(path).content.decode()
    description = re.search(r'<meta name="description" content="([^"]+)">', html)
    assert description and "职业技能培训" in description.group(1)
