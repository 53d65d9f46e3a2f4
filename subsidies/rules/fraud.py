"""Warnings for the signals of fake training seen by the National Audit Office."""

from ..models import Severity
from .base import Hit, rule

SHARED_PHONE_AT = 3
AGE_EDGE_SHARE = 0.5


@rule(code="SHARED_PHONE", severity=Severity.WARNING, version=1, message="同一手机号被多名学员使用")
def shared_phone(ctx):
    for line in ctx.lines:
        count = ctx.phone_sharers.get(line.phone_index, 0)
        if count >= SHARED_PHONE_AT:
            yield Hit(line.line_id, {"people_with_this_phone": count}, f"（{count} 人）")


@rule(code="CHECK_IN_BURST", severity=Severity.WARNING, version=1, message="同一考勤设备在数秒内连续签到多人")
def check_in_burst(ctx):
    if ctx.check_in_bursts:
        yield Hit(None, {"bursts": ctx.check_in_bursts[:20]}, f"（{len(ctx.check_in_bursts)} 次）")


@rule(
    code="AGE_CLUSTER", severity=Severity.WARNING, version=1, message="学员年龄集中在政策边界（16–17 岁或 60 岁以上）"
)
def age_cluster(ctx):
    if len(ctx.lines) < 10:
        return

    def age(b):
        return ctx.start.year - b.year - ((ctx.start.month, ctx.start.day) < (b.month, b.day))

    edge = sum(1 for line in ctx.lines if age(line.birth_date) < 18 or age(line.birth_date) >= 60)
    if edge / len(ctx.lines) >= AGE_EDGE_SHARE:
        yield Hit(None, {"at_edges": edge, "lines": len(ctx.lines)})


@rule(code="PASS_RATE_VS_ATTENDANCE", severity=Severity.WARNING, version=1, message="合格率 100% 而出勤率处于临界")
def pass_rate(ctx):
    if not ctx.lines or not ctx.scheduled_hours:
        return
    if all(line.result == "passed" for line in ctx.lines):
        rates = sorted(line.attended_hours / ctx.scheduled_hours for line in ctx.lines)
        median = rates[len(rates) // 2]
        if median < float(ctx.settings.attendance_threshold) + 0.05:
            yield Hit(
                None, {"median_attendance": round(median, 4), "threshold": str(ctx.settings.attendance_threshold)}
            )
