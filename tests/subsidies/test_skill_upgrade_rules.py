"""Each 技能提升补贴 rule (subsidies/rules/skill_upgrade.py) on a context built by hand: it fires when the fact breaks
the rule and stays quiet at the boundary. The cross-process rule (a training subsidy in the ledger) is also
played through the service against PostgreSQL."""

import dataclasses
from datetime import date

import pytest

from core.clock import replaying as clock
from core.errors import DomainError
from subsidies.rules.skill_upgrade import SKILL_UPGRADE_RULES, Earlier, SkillUpgradeContext, amount_for, findings
from trainees.models import CertificateType, SubsidyKind

from ..trainees.factories import add_record
from . import skill_upgrade_kit as kit

SU, TRAINING = SubsidyKind.SKILL_UPGRADE, SubsidyKind.TRAINING
OCC = 7

BASE = SkillUpgradeContext(
    certificate_type=CertificateType.SKILL_LEVEL,
    level_code="level4",
    level_rank=3,
    occupation_id=OCC,
    issue_date=date(2025, 3, 31),
    filed_on=date(2025, 6, 1),
    insured_months=12,
    urgent=False,
    base_limit=1,
    urgent_extra=2,
)


def codes(ctx=BASE, **changes) -> set[str]:
    return {f.code for f in findings(dataclasses.replace(ctx, hits={}, **changes))}


def test_every_rule_has_a_code_a_version_and_a_message():
    assert len({r.code for r in SKILL_UPGRADE_RULES}) == len(SKILL_UPGRADE_RULES) == 7
    assert all(r.version >= 1 and r.message and r.label for r in SKILL_UPGRADE_RULES)


def test_an_eligible_application_passes_every_rule():
    assert codes() == set()


def test_amount_by_level():
    assert [amount_for(c) for c in ("level5", "level4", "level3", "level2", "level1")] == [1000, 1500, 2000, 2000, 2000]
    assert amount_for("apprentice") is None and amount_for(None) is None


@pytest.mark.parametrize(
    "changes",
    [
        {"certificate_type": CertificateType.SPECIAL_ABILITY},
        {"certificate_type": CertificateType.TRAINING},
        {"certificate_type": CertificateType.SPECIAL_OPERATION},
        {"level_code": None, "level_rank": 0},
        {"level_code": "apprentice", "level_rank": 1},
    ],
)
def test_only_qualification_or_skill_level_certificates_with_a_paid_level(changes):
    assert codes(**changes) == {"SU_CERTIFICATE_TYPE"}


def test_a_qualification_certificate_is_eligible():
    assert codes(certificate_type=CertificateType.QUALIFICATION) == set()


def test_the_twelve_month_window():
    assert codes(filed_on=date(2026, 3, 31)) == set()  # the last day
    assert codes(filed_on=date(2026, 4, 1)) == {"SU_WINDOW"}
    assert codes(filed_on=date(2025, 3, 30)) == {"SU_WINDOW"}  # before the certificate
    # 31 March + 12 months in a leap-less February case: the month's last day
    assert codes(issue_date=date(2024, 2, 29), filed_on=date(2025, 2, 28)) == set()
    assert codes(issue_date=date(2024, 2, 29), filed_on=date(2025, 3, 1)) == {"SU_WINDOW"}


def test_insured_for_at_least_twelve_months():
    assert codes(insured_months=12) == set()
    assert codes(insured_months=11) == {"SU_INSURED_MONTHS"}


def test_never_twice_for_the_same_occupation_and_level():
    assert codes(earlier=[Earlier(SU, OCC, 3, 2023)]) == {"SU_DUPLICATE"}
    assert codes(earlier=[Earlier(SU, OCC + 1, 3, 2023)]) == set()  # another occupation
    assert codes(earlier=[Earlier(SU, OCC, 2, 2023)]) == set()  # a lower level before: a step up


def test_never_a_lower_level_after_a_higher_one():
    assert codes(earlier=[Earlier(SU, OCC, 4, 2023)]) == {"SU_LOWER_AFTER_HIGHER"}
    assert codes(earlier=[Earlier(SU, OCC + 1, 4, 2023)]) == set()


def test_not_with_the_training_subsidy_for_the_same_occupation_and_level():
    assert codes(earlier=[Earlier(TRAINING, OCC, 3, 2022)]) == {"SU_TRAINING_SAME_LEVEL"}
    assert codes(earlier=[Earlier(TRAINING, OCC, 2, 2022)]) == set()  # the training was for another level
    assert codes(earlier=[Earlier(SubsidyKind.ASSESSMENT, OCC, 3, 2022)]) == set()


def test_once_a_year():
    other = OCC + 1
    assert codes(earlier=[Earlier(SU, other, 3, 2025)]) == {"SU_YEARLY_LIMIT"}
    assert codes(earlier=[Earlier(SU, other, 3, 2024)]) == set()  # last year's
    assert codes(base_limit=2, earlier=[Earlier(SU, other, 3, 2025)]) == set()  # the region's setting


def test_up_to_two_more_a_year_for_urgent_occupations():
    ordinary = Earlier(SU, 20, 3, 2025)
    urgent = [Earlier(SU, 21, 3, 2025, urgent=True), Earlier(SU, 22, 3, 2025, urgent=True)]
    assert codes(urgent=True, earlier=[ordinary]) == set()  # the second: urgent
    assert codes(urgent=True, earlier=[ordinary, urgent[0]]) == set()  # the third: urgent
    assert codes(urgent=True, earlier=[ordinary, *urgent]) == {"SU_YEARLY_LIMIT"}  # a fourth
    assert codes(urgent=True, urgent_extra=1, earlier=[ordinary, urgent[0]]) == {"SU_YEARLY_LIMIT"}
    # two urgent ones took the extra places: the base place is still free for an ordinary occupation
    assert codes(earlier=urgent) == set()
    # three urgent ones: the third took the base place
    assert codes(earlier=[*urgent, Earlier(SU, 23, 3, 2025, urgent=True)]) == {"SU_YEARLY_LIMIT"}
    assert codes(earlier=[ordinary, urgent[0]]) == {"SU_YEARLY_LIMIT"}  # an ordinary second one


@pytest.mark.django_db
@pytest.mark.usefixtures("reference_data")
def test_a_training_subsidy_in_the_ledger_blocks_the_skill_upgrade_for_the_same_occupation_and_level():
    who = kit.person()
    with clock(date(2025, 4, 1)):
        cert = kit.certificate(who, level="level5")
        add_record(who, ref="hist-1", source="history")  # 养老护理员 初级工, a training subsidy from history
        with pytest.raises(DomainError, match="职业培训补贴"):
            kit.file(who, cert)
        other_level = kit.certificate(who, level="level4", number="S-other")
        assert kit.file(who, other_level).amount == 1500
