"""Every read of the indicators app. Import from the submodules: plans (plans, regions and key tasks a user works
with), progress (the roll-up read for one region and plan), dashboard, county_map, targets, reports (月报)."""
