"""The admin speaks Chinese: every app and model it lists has a Chinese name, third-party ones included
("Access attempts", "TOTP devices" were shown before)."""

import re

import pytest
from django.contrib import admin
from django.utils import translation

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_app_and_model_in_the_admin_has_a_chinese_name():
    with translation.override("zh-hans"):
        for model in admin.site._registry:
            meta = model._meta
            for name in (meta.app_config.verbose_name, meta.verbose_name, meta.verbose_name_plural):
                assert CJK.search(str(name)), f"{meta.label}: {name}"


def test_the_admin_index_shows_no_english_model_names(admin_user, client):
    client.force_login(admin_user)
    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for english in ("Access attempts", "TOTP devices", "Axes", "Otp_Totp"):
        assert english not in html
    assert "登录防护" in html and "动态口令设备" in html
