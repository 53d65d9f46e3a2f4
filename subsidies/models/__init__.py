"""The subsidies app's models, one module per part of the domain; every name is importable from here
(`from subsidies.models import SubsidyClaim`), as it was before the split."""

from .checks import FollowUpOutcome, Inspector, PhoneFollowUp, SpotCheck, SpotCheckVisit
from .claims import (
    ClaimKind,
    ClaimLine,
    ClaimMaterial,
    ClaimStatus,
    ClaimStatusChange,
    Finding,
    LineStatus,
    MaterialKind,
    Severity,
    SubsidyClaim,
)
from .notices import Objection, PublicNotice
from .payments import Payment, PaymentKind
from .skill_upgrade import SkillUpgradeApplication, SkillUpgradeStatus
from .standards import Basis, CategoryEligibility, RegionSetting, SubsidyStandard

__all__ = [
    "Basis",
    "CategoryEligibility",
    "ClaimKind",
    "ClaimLine",
    "ClaimMaterial",
    "ClaimStatus",
    "ClaimStatusChange",
    "Finding",
    "FollowUpOutcome",
    "Inspector",
    "LineStatus",
    "MaterialKind",
    "Objection",
    "Payment",
    "PaymentKind",
    "PhoneFollowUp",
    "PublicNotice",
    "RegionSetting",
    "Severity",
    "SkillUpgradeApplication",
    "SkillUpgradeStatus",
    "SpotCheck",
    "SpotCheckVisit",
    "SubsidyClaim",
    "SubsidyStandard",
]
