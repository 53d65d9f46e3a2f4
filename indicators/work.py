"""The indicators app's panel on the 工作台 (core.work): the plan indicators lagging the time elapsed, in the
user's scope, the furthest behind first."""

from core.work import panel

from .selectors.at_risk import indicators_at_risk

panel(
    "indicators/_at_risk.html",
    permission="dashboard.view",
    context=lambda user: {"at_risk": indicators_at_risk(user, limit=8)},
    order=10,
)
