"""The browser tab: the page, then the product, with a separator only between the two (issue 14: titles ran
together as "工作台补贴性职业技能培训管理系统"), and the product's icon on every page."""

import re

import pytest

pytestmark = pytest.mark.django_db


def title_of(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


def test_a_page_with_a_title_is_named_page_then_product(client):
    assert title_of(client.get("/accounts/login/")) == "登录 · 补贴性职业技能培训管理系统"


def test_a_page_without_a_title_is_named_after_the_product_alone(client):
    from django.template.loader import render_to_string

    html = render_to_string("base.html")
    assert re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip() == "补贴性职业技能培训管理系统"


def test_every_page_names_a_favicon_that_is_served(client):
    """No 404 for a favicon on every page: base.html links the product's icon, and static files serve it."""
    html = client.get("/accounts/login/").content.decode()
    href = re.search(r'<link rel="icon" href="([^"]+)"', html).group(1)
    response = client.get(href)
    assert response.status_code == 200
    assert b"<svg" in b"".join(response.streaming_content if response.streaming else [response.content])
