"""Templates ask the policy, never a role: {% can "claim.decide" claim as may_decide %} and
{% actions claim as acts %}{% if "submit" in acts %}…{% endif %}."""

from django import template

from core.policy import can as policy_can
from core.workflow import available_actions

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, name, obj=None):
    return policy_can(context["request"].user, name, obj)


@register.simple_tag(takes_context=True)
def actions(context, obj):
    return available_actions(context["request"].user, obj)
