"""The rule machinery: each rule is one small function with a stable code, a severity, a version and a
Chinese message; it reads a ClaimContext (loaded with a fixed number of queries) and yields hits.

A rule runs once per loaded context: `Rule.run` keeps its hits on the context, so a caller that asks for
the blocking rules twice (or all rules, then the blocking ones) does not evaluate any of them again.
`evaluate(ctx)` runs the registry once; `blocked(ctx)` says which lines (or the whole claim) a blocking
rule stops."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ..models import Severity

BLOCKING, WARNING = Severity.BLOCKING, Severity.WARNING


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
    label: str = ""  # the short Chinese name pages show instead of the code (the code stays in a tooltip)

    def run(self, ctx) -> list[Hit]:
        """The rule's hits on `ctx`, computed the first time and kept on the context after."""
        kept = getattr(ctx, "hits", None)
        if kept is None:  # a bare context (a test's stand-in): nothing to keep them on
            return list(self.check(ctx))
        if self.code not in kept:
            kept[self.code] = tuple(self.check(ctx))
        return list(kept[self.code])


REGISTRY: list[Rule] = []


def rule(*, code: str, label: str = "", severity: str, version: int, message: str):
    """Register a rule function `f(ctx) -> Iterator[Hit]` in the one registry; a code registers once, with
    its Chinese label."""

    def register(check):
        if any(r.code == code for r in REGISTRY):
            raise ValueError(f"rule {code} is registered twice")
        REGISTRY.append(Rule(code, Severity(severity), version, message, check, label))
        return check

    return register


def rule_label(code: str) -> str:
    """The Chinese label of a rule code (a finding stored under a code no longer registered shows its code)."""
    return next((str(r.label) for r in REGISTRY if r.code == code and r.label), code)


def rule_choices() -> list[tuple[str, str]]:
    """(code, label) of every registered rule, in registry order: the finding-type filter's choices."""
    return [(r.code, str(r.label or r.code)) for r in REGISTRY]


@dataclass(frozen=True)
class Outcome:
    rule: Rule
    hit: Hit


def evaluate(ctx, severity: str | None = None) -> list[Outcome]:
    """Every registered rule (or those of one severity), each run once, in registry order."""
    return [Outcome(r, hit) for r in REGISTRY if severity in (None, r.severity) for hit in r.run(ctx)]


@dataclass(frozen=True)
class Blocked:
    line_ids: frozenset[int]  # lines a blocking rule found something on
    whole_claim: bool  # a blocking rule found something on the claim itself

    def stops(self, line_id: int) -> bool:
        return self.whole_claim or line_id in self.line_ids


def blocked(ctx) -> Blocked:
    """What the blocking rules stop, each rule run once."""
    hits = [o.hit for o in evaluate(ctx, BLOCKING)]
    return Blocked(frozenset(h.line_id for h in hits if h.line_id is not None), any(h.line_id is None for h in hits))
