from datetime import date

import pytest

from catalog.workdays import add_working_days, is_working_day, working_days_between


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 10, 1), False),  # National Day
        (date(2025, 10, 8), False),  # last day of the 2025 National Day + Mid-Autumn holiday
        (date(2025, 9, 28), True),  # Sunday, 调休 working day
        (date(2025, 10, 11), True),  # Saturday, 调休 working day
        (date(2025, 10, 12), False),  # ordinary Sunday
        (date(2025, 10, 9), True),  # ordinary Thursday
        (date(2026, 1, 1), False),  # New Year's Day
    ],
)
def test_holidays_and_adjusted_weekends(day, working):
    assert is_working_day(day) is working


def test_five_working_days_across_national_day_skip_the_holiday_and_count_the_adjusted_saturday():
    # Notice published Friday 26 Sep 2025: Sun 28, Mon 29, Tue 30, then Thu 9 and Fri 10 Oct.
    assert add_working_days(date(2025, 9, 26), 5) == date(2025, 10, 10)
    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)
    # From Thu 9 Oct: Fri 10, Sat 11 (调休), Mon 13, Tue 14, Wed 15.
    assert add_working_days(date(2025, 10, 9), 5) == date(2025, 10, 15)


def test_zero_working_days_is_the_same_day_and_negative_is_refused():
    assert add_working_days(date(2025, 10, 1), 0) == date(2025, 10, 1)
    with pytest.raises(ValueError):
        add_working_days(date(2025, 10, 1), -1)


def test_working_days_between_counts_the_half_open_range():
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 10)) == 2


def test_year_without_holiday_data_falls_back_to_weekdays():
    assert is_working_day(date(2099, 1, 5)) is True  # a Monday
    assert is_working_day(date(2099, 1, 3)) is False  # a Saturday
