"""Warnings for the signals of fake training seen by the National Audit Office."""

from django.utils.translation import gettext_lazy as _

from training.models import EnrollmentResult

from ..models import Severity
from .base import Hit, rule
from .facts import age_on

SHARED_PHONE_AT = 3
AGE_EDGE_SHARE = 0.5
BURST_CHECK_INS = 10  # this many check-ins on one device…
BURST_SECONDS = 10  # …each within this many seconds of the latest one, make a burst
BURSTS_SHOWN = 20


@rule(
    code="SHARED_PHONE",
    label=_("多人共用手机号"),
    severity=Severity.WARNING,
    version=1,
    message="同一手机号被多名学员使用",
)
def shared_phone(ctx):
    for line in ctx.lines:
        count = ctx.phone_sharers.get(line.phone_index, 0)
        if count >= SHARED_PHONE_AT:
            yield Hit(line.line_id, {"people_with_this_phone": count}, f"（{count} 人）")


def check_in_bursts(check_ins) -> list[dict]:
    """Runs of BURST_CHECK_INS check-ins on one device, each within BURST_SECONDS of the latest; `check_ins`
    ordered by device, then time. After a burst the count starts again, so a long queue makes several."""
    bursts, window = [], []
    for check_in in check_ins:
        window = [
            earlier
            for earlier in window
            if earlier.device_id == check_in.device_id
            and (check_in.checked_at - earlier.checked_at).total_seconds() <= BURST_SECONDS
        ] + [check_in]
        if len(window) >= BURST_CHECK_INS:
            bursts.append({"device": check_in.device_id, "at": check_in.checked_at.isoformat(), "count": len(window)})
            window = []
    return bursts


@rule(
    code="CHECK_IN_BURST",
    label=_("连续快速签到"),
    severity=Severity.WARNING,
    version=1,
    message="同一考勤设备在数秒内连续签到多人",
)
def check_in_burst(ctx):
    bursts = check_in_bursts(ctx.device_check_ins)
    if bursts:
        yield Hit(None, {"bursts": bursts[:BURSTS_SHOWN]}, f"（{len(bursts)} 次）")


@rule(
    code="AGE_CLUSTER",
    label=_("年龄集中在政策边界"),
    severity=Severity.WARNING,
    version=1,
    message="学员年龄集中在政策边界（16–17 岁或 60 岁以上）",
)
def age_cluster(ctx):
    if len(ctx.lines) < 10:
        return
    ages = [age_on(line.birth_date, ctx.start) for line in ctx.lines]
    edge = sum(1 for age in ages if age < 18 or age >= 60)
    if edge / len(ctx.lines) >= AGE_EDGE_SHARE:
        yield Hit(None, {"at_edges": edge, "lines": len(ctx.lines)})


@rule(
    code="PASS_RATE_VS_ATTENDANCE",
    label=_("合格率与出勤不符"),
    severity=Severity.WARNING,
    version=1,
    message="合格率 100% 而出勤率处于临界",
)
def pass_rate(ctx):
    if not ctx.lines or not ctx.scheduled_hours:
        return
    if all(line.result == EnrollmentResult.PASSED for line in ctx.lines):
        rates = sorted(line.attended_hours / ctx.scheduled_hours for line in ctx.lines)
        median = rates[len(rates) // 2]
        if median < float(ctx.settings.attendance_threshold) + 0.05:
            yield Hit(
                None, {"median_attendance": round(median, 4), "threshold": str(ctx.settings.attendance_threshold)}
            )
