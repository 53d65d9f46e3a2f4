"""Every read of the indicators app. Import from the submodules: plans (plans, regions and key tasks a user works
with), progress (the roll-up read for one region and plan), dashboard, county_map, targets, reports (月报)."""


def __getattr__(name):
    """indicators.selectors.indicators_at_risk (the 工作台's card), imported on first use: at_risk reads the
    presenters, which read selectors.progress."""
    if name == "indicators_at_risk":
        from .at_risk import indicators_at_risk

        return indicators_at_risk
    raise AttributeError(name)
