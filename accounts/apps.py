from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _

# The third-party apps the admin shows ship no Chinese names: theirs, by app label and model name.
THIRD_PARTY_NAMES = {
    "axes": (
        _("登录防护"),
        {
            "accessattempt": (_("登录失败锁定"), _("登录失败锁定")),
            "accesslog": (_("登录日志"), _("登录日志")),
            "accessfailurelog": (_("登录失败日志"), _("登录失败日志")),
        },
    ),
    "otp_totp": (_("双因素认证"), {"totpdevice": (_("动态口令设备"), _("动态口令设备"))}),
}


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("用户与审计")

    def ready(self):
        for label, (app_name, models) in THIRD_PARTY_NAMES.items():
            config = apps.get_app_config(label)
            config.verbose_name = app_name
            for model_name, (singular, plural) in models.items():
                meta = config.get_model(model_name)._meta
                meta.verbose_name, meta.verbose_name_plural = singular, plural
