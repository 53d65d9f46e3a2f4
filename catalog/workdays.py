"""The Chinese working-day calendar: public holidays and 调休 working weekends (chinese-calendar).

Public-notice periods (公示, 5 working days in Suihua) are counted on it. For a year the package does not
yet know (the State Council publishes each year's holidays in November), Monday–Friday are working days;
upgrading chinese-calendar brings the new year in.
"""

import logging
from datetime import date, timedelta

import chinese_calendar

logger = logging.getLogger(__name__)


def is_working_day(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        logger.warning("No holiday data for %s; counting Monday-Friday as working days", day.year)
        return day.weekday() < 5


def add_working_days(start: date, n: int) -> date:
    """The date `n` working days after `start` (not counting `start` itself); n=0 returns `start`."""
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    while n:
        day += timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days in the half-open range (start, end]."""
    return sum(is_working_day(start + timedelta(days=i)) for i in range(1, (end - start).days + 1))
