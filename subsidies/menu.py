from django.utils.translation import gettext_lazy as _

from core.menu import entry

entry(_("补贴申请"), "subsidies:list", permission="claim.menu_list", order=110, group="subsidies")
entry(
    _("补贴审核"), "subsidies:queue", permission="claim.decide", order=120, group="subsidies", badge="claims_to_review"
)
entry(
    _("抽查"),
    "subsidies:spot_checks",
    permission="spot_check.menu",
    order=130,
    group="supervision",
    badge="visits_to_record",
)
entry(
    _("拨付"),
    "subsidies:payments",
    permission="payment.record",
    order=140,
    group="subsidies",
    badge="payments_to_record",
)
entry(_("补贴标准"), "subsidies:standards", permission="standard.view", order=145, group="subsidies")
entry(_("技能提升补贴"), "subsidies:skill_upgrade_list", permission="skill_upgrade.view", order=146, group="subsidies")
