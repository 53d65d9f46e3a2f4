"""The verification rules, registered in one list (importing the modules registers them, in this order)."""

from . import attendance, directories, eligibility, fraud, history  # noqa: F401 - registration
from .base import BLOCKING, REGISTRY, WARNING, Hit, Rule

__all__ = ["BLOCKING", "REGISTRY", "WARNING", "Hit", "Rule"]
