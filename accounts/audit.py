from django.utils.translation import gettext_lazy as _

from .audit_labels import labels

labels(
    {
        "user.signed_in": _("登录"),
        "user.password_changed": _("修改密码"),
        "user.reauthenticated": _("重新验证身份"),
        "user.two_factor_enabled": _("新增验证器"),
        "user.two_factor_removed": _("删除验证器"),
        "user.two_factor_reset": _("重置双因素认证"),
        "user.two_factor_failed": _("验证码错误"),
        "occupation.imported": _("导入职业目录"),
        "region.imported": _("导入行政区划"),
    }
)
