"""The rule engine on its own: each rule over a context built in memory (no database, milliseconds), the
check-in-burst detection by itself, and the registry (one rule per code, each run once per verification,
at approval too). tests/subsidies/test_rules_*.py plays the same rules through the services."""

import dataclasses
from collections import Counter
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.clock import replaying as clock
from subsidies import rules
from subsidies.models import ClaimKind, FollowUpOutcome, RegionSetting, Severity
from subsidies.rules import base
from subsidies.rules.context import ClaimContext
from subsidies.rules.facts import DeviceCheckIn, LedgerEntry, LineFacts, OtherCheckIn, Session, age_on
from subsidies.rules.fraud import check_in_bursts
from subsidies.services import claims
from trainees.models import SubsidyKind
from training.models import EnrollmentResult

from .factories import completed_class, noticed_claim

START = date(2025, 3, 3)  # a Monday; four days of one 3-hour morning session
DAYS = [START + timedelta(days=n) for n in range(4)]
OCCUPATION, RANK = 7, 2
MOMENT = timezone.make_aware(datetime(2025, 3, 3, 8, 25))


def person(n: int, **kw) -> LineFacts:
    facts = {
        "line_id": 100 + n,
        "trainee_id": 200 + n,
        "enrollment_id": 300 + n,
        "birth_date": date(1990, 1, 1 + n),
        "draws_pension": False,
        "category_id": 1,
        "result": EnrollmentResult.PASSED,
        "phone_index": f"phone-{n}",
        "attended_hours": 12,
    }
    return LineFacts(**(facts | kw))


def clean(people: int = 3, **kw) -> ClaimContext:
    """A class that breaks no rule: approved ten days ahead, 12 of 12 hours attended, nothing in the ledger."""
    sessions = [Session(day, time(8, 30), time(11, 30), 3) for day in DAYS]
    facts = {
        "claim": None,
        "kind": ClaimKind.TRAINING,
        "start": DAYS[0],
        "end": DAYS[-1],
        "occupation_id": OCCUPATION,
        "level_rank": RANK,
        "level_id": 5,
        "training_type_id": 1,
        "sessions": sessions,
        "scheduled_hours": 12,
        "scheduled_by_day": {s.day: s.hours for s in sessions},
        "standard_hours": 12,
        "approved_at": timezone.make_aware(datetime(2025, 2, 21, 10, 0)),
        "institution_designated": True,
        "program_listed": True,
        "settings": RegionSetting(),  # the defaults: 80 % attendance, three trainings a year
        "lines": [person(n) for n in range(people)],
        "eligible_categories": set(),
        "ledger": {},
        "other_check_ins": {},
        "phone_sharers": {},
        "device_check_ins": [DeviceCheckIn(1, MOMENT + timedelta(seconds=17 * n)) for n in range(people)],
        "follow_up_outcomes": {},
        "min_hours_per_day": 0,
    }
    return ClaimContext(**(facts | kw))


def hits(code: str, ctx: ClaimContext) -> list:
    (rule,) = [r for r in rules.REGISTRY if r.code == code]
    return rule.run(ctx)


def first(ctx: ClaimContext, **kw) -> ClaimContext:
    """The context with the first person's facts changed."""
    ctx.lines[0] = dataclasses.replace(ctx.lines[0], **kw)
    return ctx


def entry(level_rank=RANK, year=2021, occupation_id=OCCUPATION, kind=SubsidyKind.TRAINING) -> LedgerEntry:
    return LedgerEntry(occupation_id, level_rank, year, kind, "claim-9-line-99")


STAGE = 3  # an entrepreneurship stage's id (创业培训)


def a_stage_again(ctx):
    """An entrepreneurship class whose first person had this stage subsidized before."""
    earlier = LedgerEntry(None, None, 2021, SubsidyKind.TRAINING, "claim-8-line-88", stage_id=STAGE)
    return dataclasses.replace(
        ctx, occupation_id=None, level_rank=None, level_id=None, stage_id=STAGE, ledger={200: [earlier]}
    )


def a_burst(ctx):
    ctx.device_check_ins = [DeviceCheckIn(1, MOMENT + timedelta(seconds=n)) for n in range(10)]
    return ctx


def at_the_edges(ctx):
    ctx.lines = [person(n, birth_date=date(2007, 6, 1) if n < 5 else date(1990, 1, 1)) for n in range(10)]
    return ctx


def a_borderline_pass_rate(ctx):
    ctx.settings = RegionSetting(attendance_threshold=Decimal("0.75"))
    ctx.lines = [person(n, attended_hours=9) for n in range(3)]  # 75 %: at the threshold, not below
    return ctx


# code → (what makes a clean class break the rule, the lines found: None is the claim itself)
BREAKS = {
    "ATTENDANCE_BELOW_THRESHOLD": (lambda c: first(c, attended_hours=9), [100]),
    "SCHEDULED_DAY_BELOW_MIN_HOURS": (lambda c: dataclasses.replace(c, min_hours_per_day=6), [None]),
    "INSTITUTION_NOT_DESIGNATED": (lambda c: dataclasses.replace(c, institution_designated=False), [None]),
    "PROGRAM_NOT_LISTED": (lambda c: dataclasses.replace(c, program_listed=False), [None]),
    "NOT_APPROVED_BEFORE_START": (lambda c: dataclasses.replace(c, approved_at=None), [None]),
    "HOURS_BELOW_STANDARD": (lambda c: dataclasses.replace(c, standard_hours=14), [None]),
    "AGE_UNDER_16": (lambda c: first(c, birth_date=date(2009, 3, 4)), [100]),
    "DRAWS_PENSION": (lambda c: first(c, draws_pension=True), [100]),
    "CATEGORY_NOT_ELIGIBLE": (lambda c: dataclasses.replace(first(c, category_id=2), eligible_categories={1}), [100]),
    "NOT_PASSED": (lambda c: first(c, result=EnrollmentResult.FAILED), [100]),
    "SHARED_PHONE": (lambda c: dataclasses.replace(c, phone_sharers={"phone-0": 3}), [100]),
    "CHECK_IN_BURST": (a_burst, [None]),
    "AGE_CLUSTER": (at_the_edges, [None]),
    "PASS_RATE_VS_ATTENDANCE": (a_borderline_pass_rate, [None]),
    "DUPLICATE_OCCUPATION_LEVEL": (lambda c: dataclasses.replace(c, ledger={200: [entry()]}), [100]),
    "LOWER_LEVEL_AFTER_HIGHER": (lambda c: dataclasses.replace(c, ledger={200: [entry(level_rank=RANK + 1)]}), [100]),
    "YEARLY_LIMIT": (
        lambda c: dataclasses.replace(c, ledger={200: [entry(year=2025, occupation_id=n) for n in (1, 2, 3)]}),
        [100],
    ),
    "TIME_OVERLAP": (
        lambda c: dataclasses.replace(c, other_check_ins={200: [OtherCheckIn("乙班", DAYS[1], time(9), time(12))]}),
        [100],
    ),
    "DUPLICATE_ENTREPRENEURSHIP_STAGE": (a_stage_again, [100]),
    "PHONE_FOLLOW_UP_DENIED": (
        lambda c: dataclasses.replace(c, follow_up_outcomes={100: FollowUpOutcome.DENIES}),
        [100],
    ),
}


def test_a_clean_class_breaks_no_rule():
    ctx = clean()
    assert [(o.rule.code, o.hit) for o in rules.evaluate(ctx)] == []
    assert rules.blocked(ctx) == rules.Blocked(frozenset(), False)


@pytest.mark.parametrize("code", sorted(BREAKS))
def test_each_rule_finds_what_breaks_it_and_nothing_else_does(code):
    breaks, lines = BREAKS[code]
    ctx = breaks(clean())
    assert [h.line_id for h in hits(code, ctx)] == lines
    found = {o.rule.code for o in rules.evaluate(ctx)}
    assert found == {code}, f"{code}'s case also breaks {found - {code}}"


def test_every_registered_rule_has_a_unit_case():
    assert {r.code for r in rules.REGISTRY} == set(BREAKS)


# --- the edges the table does not show ----------------------------------------------------------------------


def test_age_is_counted_in_whole_years_and_a_birthday_on_the_start_counts():
    assert age_on(date(2009, 3, 3), START) == 16
    assert age_on(date(2009, 3, 4), START) == 15
    assert not hits("AGE_UNDER_16", first(clean(), birth_date=date(2009, 3, 3)))
    assert hits("AGE_UNDER_16", first(clean(), birth_date=date(2009, 3, 4)))[0].inputs == {
        "class_start": "2025-03-03",
        "age": 15,
    }


@pytest.mark.parametrize(
    ("approved", "found"),
    [(datetime(2025, 3, 2, 23, 30), False), (datetime(2025, 3, 3, 0, 10), True), (datetime(2025, 3, 5, 9), True)],
)
def test_an_approval_counts_by_its_local_day(approved, found):
    ctx = clean(approved_at=timezone.make_aware(approved))
    assert bool(hits("NOT_APPROVED_BEFORE_START", ctx)) is found


def test_sessions_that_only_touch_are_not_an_overlap_and_names_are_listed_once_in_order():
    touching = [OtherCheckIn("晚班", DAYS[0], time(11, 30), time(14, 30))]
    assert not hits("TIME_OVERLAP", clean(other_check_ins={200: touching}))
    other_day = [OtherCheckIn("周末班", START - timedelta(days=1), time(8, 30), time(11, 30))]
    assert not hits("TIME_OVERLAP", clean(other_check_ins={200: other_day}))
    many = [OtherCheckIn(name, day, time(9), time(10)) for name in ("乙班", "甲班") for day in DAYS[:2]]
    (hit,) = hits("TIME_OVERLAP", clean(other_check_ins={200: many}))
    assert hit.inputs == {"classes": sorted({"甲班", "乙班"})}


def test_the_ledger_rules_read_only_training_subsidies_of_this_occupation():
    other = {200: [entry(occupation_id=8), entry(kind=SubsidyKind.ASSESSMENT), entry(level_rank=RANK - 1)]}
    ctx = clean(ledger=other)
    assert not hits("DUPLICATE_OCCUPATION_LEVEL", ctx) and not hits("LOWER_LEVEL_AFTER_HIGHER", ctx)
    # a 技能提升补贴 for this occupation and level blocks the training subsidy too (v2); a higher one does not
    skill_upgrade = clean(ledger={200: [entry(kind=SubsidyKind.SKILL_UPGRADE)]})
    assert hits("DUPLICATE_OCCUPATION_LEVEL", skill_upgrade)
    assert not hits(
        "LOWER_LEVEL_AFTER_HIGHER", clean(ledger={200: [entry(kind=SubsidyKind.SKILL_UPGRADE, level_rank=4)]})
    )
    (hit,) = hits("LOWER_LEVEL_AFTER_HIGHER", clean(ledger={200: [entry(level_rank=4), entry(level_rank=3)] * 2}))
    assert hit.inputs == {"higher_levels": [3, 4], "this_level": RANK}
    two = clean(ledger={200: [entry(year=2025, occupation_id=n) for n in (1, 2)]})
    assert not hits("YEARLY_LIMIT", two)
    last_year = clean(ledger={200: [entry(year=2024, occupation_id=n) for n in (1, 2, 3)]})
    assert not hits("YEARLY_LIMIT", last_year)
    assert hits("YEARLY_LIMIT", dataclasses.replace(two, settings=RegionSetting(yearly_limit_training=2)))


def test_only_a_denial_on_the_phone_blocks():
    outcomes = {100: FollowUpOutcome.CONFIRMS, 101: FollowUpOutcome.UNREACHED, 102: FollowUpOutcome.WRONG_NUMBER}
    assert not hits("PHONE_FOLLOW_UP_DENIED", clean(follow_up_outcomes=outcomes))


# --- the check-in burst, on its own -------------------------------------------------------------------------


def check_ins(count: int, spacing: float, device: int = 1, at=MOMENT) -> list[DeviceCheckIn]:
    return [DeviceCheckIn(device, at + timedelta(seconds=spacing * n)) for n in range(count)]


@pytest.mark.parametrize(
    ("count", "spacing", "bursts"),
    [
        (10, 1, 1),
        (10, 10 / 9, 1),  # the tenth exactly ten seconds after the first: still a burst
        (10, 1.2, 0),  # 10.8 seconds: not
        (9, 1, 0),
        (10, 2, 0),
        (10, 17, 0),
        (20, 1, 2),  # after a burst the count starts again
        (19, 1, 1),
        (10, 0, 1),
    ],
)
def test_ten_check_ins_on_one_device_within_ten_seconds_make_a_burst(count, spacing, bursts):
    assert len(check_in_bursts(check_ins(count, spacing))) == bursts


def test_a_burst_records_its_device_its_last_check_in_and_the_count():
    (burst,) = check_in_bursts(check_ins(10, 1, device=4))
    assert burst == {"device": 4, "at": (MOMENT + timedelta(seconds=9)).isoformat(), "count": 10}


def test_check_ins_on_two_devices_do_not_add_up():
    """Five check-ins on each of two devices in the same seconds (ordered by device, as the loader does)."""
    assert check_in_bursts(check_ins(5, 1, device=1) + check_ins(5, 1, device=2)) == []
    assert len(check_in_bursts(check_ins(5, 1, device=1) + check_ins(10, 1, device=2))) == 1


def test_the_burst_finding_counts_every_burst_and_shows_the_first_twenty():
    many = [c for n in range(25) for c in check_ins(10, 0, device=n + 1)]
    (hit,) = hits("CHECK_IN_BURST", clean(device_check_ins=many))
    assert len(hit.inputs["bursts"]) == 20 and hit.detail == "（25 次）"


# --- the registry and the engine ----------------------------------------------------------------------------


def test_each_code_is_registered_once_and_a_second_registration_is_refused():
    registered = [r.code for r in rules.REGISTRY]
    assert len(registered) == len(set(registered)) == len(BREAKS)
    with pytest.raises(ValueError, match="AGE_UNDER_16"):
        base.rule(code="AGE_UNDER_16", severity=Severity.BLOCKING, version=1, message="重复")(lambda ctx: iter(()))
    assert [r.code for r in rules.REGISTRY] == registered


def test_each_rule_keeps_its_severity_version_and_chinese_message():
    for r in rules.REGISTRY:
        assert r.severity in (Severity.BLOCKING, Severity.WARNING) and r.version >= 1
        assert any("\u4e00" <= ch <= "\u9fff" for ch in r.message), r.code


@pytest.fixture
def calls():
    """Each registered rule replaced, in place, by one that counts its evaluations (restored after)."""
    calls, registered = Counter(), list(rules.REGISTRY)

    def counted(r):
        def check(ctx):
            calls[r.code] += 1
            return r.check(ctx)

        return dataclasses.replace(r, check=check)

    rules.REGISTRY[:] = [counted(r) for r in registered]
    yield calls
    rules.REGISTRY[:] = registered


def test_a_rule_runs_once_per_context_until_a_fact_changes(calls):
    ctx = clean()
    rules.evaluate(ctx)
    rules.blocked(ctx)
    [r.run(ctx) for r in rules.REGISTRY if r.severity == Severity.BLOCKING for _ in range(2)]
    assert set(calls.values()) == {1} and len(calls) == len(rules.REGISTRY)
    ctx.ledger = {200: [entry()]}  # a fact replaced (as bench/verify_claim.py does): the rules run again
    assert [o.rule.code for o in rules.evaluate(ctx)] == ["DUPLICATE_OCCUPATION_LEVEL"]
    assert set(calls.values()) == {2}


def test_blocked_says_which_lines_or_the_whole_claim():
    ctx = clean(follow_up_outcomes={101: FollowUpOutcome.DENIES})
    assert rules.blocked(ctx) == rules.Blocked(frozenset({101}), False)
    assert rules.blocked(ctx).stops(101) and not rules.blocked(ctx).stops(100)
    whole = rules.blocked(clean(program_listed=False))
    assert whole.whole_claim and whole.stops(100)
    assert not rules.blocked(a_burst(clean())).whole_claim  # a warning blocks nothing


@pytest.mark.django_db
@pytest.mark.usefixtures("reference_data")
def test_verification_runs_each_rule_once_and_approval_each_blocking_rule_once(calls):
    h = completed_class()
    claim, notice = noticed_claim(h)
    calls.clear()
    claims.claim_verify(claim.pk)
    assert calls == Counter({r.code: 1 for r in rules.REGISTRY})
    calls.clear()
    with clock(notice.ends_on + timedelta(days=1)):
        claims.claim_approve_after_notice(claim.pk)
    assert calls == Counter({r.code: 1 for r in rules.REGISTRY if r.severity == Severity.BLOCKING})
