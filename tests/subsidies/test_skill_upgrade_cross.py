"""The reverse cross-process rule: a training claim's line for a person already paid the 技能提升补贴 for the class's
occupation and level is blocked (DUPLICATE_OCCUPATION_LEVEL, v2), as the skill upgrade is blocked after the
training subsidy (SU_TRAINING_SAME_LEVEL, test_skill_upgrade_rules.py)."""

import pytest

from trainees.models import SubsidyKind

from .factories import completed_class, level, verified_claim
from .rule_kit import line_codes
from .test_rules_ledger import record

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def test_a_skill_upgrade_subsidy_in_the_ledger_blocks_the_training_subsidy_for_the_same_occupation_and_level():
    h = completed_class()
    record(h, 0, "skill_upgrade:1", subsidy_kind=SubsidyKind.SKILL_UPGRADE)
    record(h, 1, "skill_upgrade:2", subsidy_kind=SubsidyKind.SKILL_UPGRADE, skill_level=level("level4"))
    claim = verified_claim(h)
    assert "DUPLICATE_OCCUPATION_LEVEL" in line_codes(claim, h, 0)
    assert "DUPLICATE_OCCUPATION_LEVEL" not in line_codes(claim, h, 1)  # another level
