"""The rule machinery: each rule is one small function with a stable code, a severity, a version and a
Chinese message; it reads a ClaimContext (loaded with a fixed number of queries) and yields hits."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

BLOCKING, WARNING = "blocking", "warning"


@dataclass(frozen=True)
class Hit:
    line_id: int | None  # None: the finding concerns the whole claim
    inputs: dict = field(default_factory=dict)
    detail: str = ""  # appended to the rule's message


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    version: int
    message: str
    check: Callable[..., Iterator[Hit]]

    def run(self, ctx) -> list[Hit]:
        return list(self.check(ctx))


REGISTRY: list[Rule] = []


def rule(*, code: str, severity: str, version: int, message: str):
    """Register a rule function `f(ctx) -> Iterator[Hit]` in the one registry."""

    def register(check):
        REGISTRY.append(Rule(code, severity, version, message, check))
        return check

    return register
