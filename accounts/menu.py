from django.utils.translation import gettext_lazy as _

from core.menu import entry

entry(_("工作台"), "home", permission="home.view", order=10, group="")
entry(_("双因素认证"), "accounts:two_factor_setup", permission="two_factor.enrol_from_menu", order=100, group="system")
entry(_("审计日志"), "accounts:audit_list", permission="audit.view", order=170, group="supervision")
entry(_("基础数据导入"), "accounts:reference_import", permission="reference_data.import", order=180, group="system")
entry(_("API 文档"), "api-docs", permission="api_docs.in_menu", order=190, group="system")
