"""The verification rules, registered in one list (importing the modules registers them, in this order)."""

from . import attendance, directories, eligibility, entrepreneurship, fraud, history  # noqa: F401 - registration
from .base import BLOCKING, REGISTRY, WARNING, Blocked, Hit, Outcome, Rule, blocked, evaluate, rule_choices, rule_label

__all__ = [
    "BLOCKING",
    "REGISTRY",
    "WARNING",
    "Blocked",
    "Hit",
    "Outcome",
    "Rule",
    "blocked",
    "evaluate",
    "rule_choices",
    "rule_label",
]
