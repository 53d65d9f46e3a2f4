"""Shared by the test_rules_* modules: `covers` marks the rule codes a test exercises (collected in TESTED,
which test_rules_coverage.py compares with the registry), and helpers that read the codes found on a line or
on the claim and set a county's RegionSetting."""

from catalog.models import Region
from subsidies.models import RegionSetting

from .factories import codes

TESTED = set()


def covers(*codes_):
    """Marks the rule codes a test exercises; test_every_registered_rule_has_a_test checks the registry."""
    TESTED.update(codes_)

    def mark(f):
        return f

    return mark


def line_codes(claim, h, n) -> set[str]:
    """Rule codes found on the line of person n (enrollment order)."""
    line = claim.lines.get(enrollment=h.enrollments[n])
    return codes(claim, line=line)


def claim_level_codes(claim) -> set[str]:
    return set(claim.findings.filter(line__isnull=True).values_list("rule_code", flat=True))


def county_setting(code="231202", **kw) -> RegionSetting:
    return RegionSetting.objects.create(region=Region.objects.get(code=code), **kw)
