"""Attendance and hours (seed 004: ≥6 class hours a day, each ≥40 minutes, for the per-day rate)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from ..models import Severity
from .base import Hit, rule


@rule(
    code="ATTENDANCE_BELOW_THRESHOLD",
    label=_("出勤不足"),
    severity=Severity.BLOCKING,
    version=1,
    message="出勤率低于本地区要求",
)
def attendance_rate(ctx):
    threshold = Decimal(ctx.settings.attendance_threshold)
    for line in ctx.lines:
        rate = Decimal(line.attended_hours) / ctx.scheduled_hours if ctx.scheduled_hours else Decimal(0)
        if rate < threshold:
            yield Hit(
                line.line_id,
                {
                    "attended_hours": line.attended_hours,
                    "scheduled_hours": ctx.scheduled_hours,
                    "rate": str(rate.quantize(Decimal("0.0001"))),
                    "threshold": str(threshold),
                },
                f"（{rate:.0%}，要求 {threshold:.0%}）",
            )


@rule(
    code="SCHEDULED_DAY_BELOW_MIN_HOURS",
    label=_("培训日课时不足"),
    severity=Severity.WARNING,
    version=1,
    message="按天补贴：课程表中有培训日不足每天最少课时，这些天不计补贴",
)
def scheduled_hours_per_day(ctx):
    """Each person is paid only for days on which they attended at least the minimum (line_amount); a
    timetable day below the minimum can never be paid, which the reviewer should see."""
    if not ctx.min_hours_per_day:
        return
    short = sorted(str(day) for day, hours in ctx.scheduled_by_day.items() if hours < ctx.min_hours_per_day)
    if short:
        yield Hit(None, {"days": short, "min_hours_per_day": ctx.min_hours_per_day})
