"""Every rule code in subsidies.rules.REGISTRY has a test: the test_rules_* modules mark the codes their
tests exercise with rule_kit.covers, and the check imports those modules, so it sees every mark even when it
runs alone (a rule that loses its test, or a new rule without one, fails it)."""

import pytest

from subsidies import rules

from .rule_kit import TESTED

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def test_every_registered_rule_has_a_test():
    from . import (  # noqa: F401 - runs their covers(...)
        test_rules_eligibility,
        test_rules_entrepreneurship,
        test_rules_fraud,
        test_rules_ledger,
    )

    registered = {r.code for r in rules.REGISTRY}
    assert len(registered) == len(rules.REGISTRY), "two rules share a code"
    assert registered == TESTED
