"""The working-day calendar on the real Vietnamese calendar of 2025 and 2026.

Every expected moment was worked out by hand from the official announcements (see the module
documentation of geoapp.working_calendar), not copied from the code's output.
"""

from __future__ import annotations

import time as wall_clock
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from geoapp.working_calendar import VIETNAM_TIME_ZONE, WorkingCalendar

NATIONAL = WorkingCalendar()


def vietnam(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VIETNAM_TIME_ZONE)


# Within a single ordinary week: Monday 10 March to Friday 14 March 2025.


def test_eight_working_hours_from_monday_morning_end_that_afternoon() -> None:
    assert NATIONAL.add_working_hours(vietnam(2025, 3, 10, 7), 8) == vietnam(2025, 3, 10, 17)


def test_a_morning_of_working_hours_ends_at_lunch_not_after_it() -> None:
    assert NATIONAL.add_working_hours(vietnam(2025, 3, 10, 7), 4.5) == vietnam(2025, 3, 10, 11, 30)


def test_working_hours_skip_the_lunch_break() -> None:
    # 1.5 hours until 11:30, then 2.5 hours from 13:30.
    assert NATIONAL.add_working_hours(vietnam(2025, 3, 10, 10), 4) == vietnam(2025, 3, 10, 16)


def test_three_working_days_from_monday_morning_are_due_thursday_at_the_same_hour() -> None:
    assert NATIONAL.add_working_days(vietnam(2025, 3, 10, 9), 3) == vietnam(2025, 3, 13, 9)


def test_fractional_hours_are_counted_to_the_minute() -> None:
    assert NATIONAL.add_working_hours(vietnam(2025, 3, 10, 8), Decimal("0.25")) == vietnam(
        2025, 3, 10, 8, 15
    )
    assert NATIONAL.add_working_hours(vietnam(2025, 3, 10, 8), 1.1) == vietnam(2025, 3, 10, 9, 6)


def test_a_long_deadline_counts_whole_weeks() -> None:
    # 15 working days from Monday 10 March 2025: 10-14, 17-21, 24-28 March, no holiday between.
    assert NATIONAL.add_working_days(vietnam(2025, 3, 10, 9), 15) == vietnam(2025, 3, 31, 9)


# Moments received outside working hours start counting at the next working period.


def test_a_report_before_seven_is_counted_from_seven() -> None:
    assert NATIONAL.next_working_moment(vietnam(2025, 3, 10, 6, 15)) == vietnam(2025, 3, 10, 7)
    assert NATIONAL.add_working_hours(vietnam(2025, 3, 10, 6, 15), 4) == vietnam(2025, 3, 10, 11)


def test_a_report_at_lunch_is_counted_from_half_past_one() -> None:
    assert NATIONAL.next_working_moment(vietnam(2025, 3, 10, 12)) == vietnam(2025, 3, 10, 13, 30)
    assert NATIONAL.add_working_hours(vietnam(2025, 3, 10, 12), 1) == vietnam(2025, 3, 10, 14, 30)


def test_half_past_eleven_is_already_lunch() -> None:
    assert NATIONAL.next_working_moment(vietnam(2025, 3, 10, 11, 30)) == vietnam(
        2025, 3, 10, 13, 30
    )


def test_a_report_at_five_in_the_afternoon_is_counted_from_the_next_morning() -> None:
    assert NATIONAL.next_working_moment(vietnam(2025, 3, 10, 17)) == vietnam(2025, 3, 11, 7)
    assert NATIONAL.add_working_hours(vietnam(2025, 3, 10, 17), 1) == vietnam(2025, 3, 11, 8)


def test_a_report_inside_working_hours_is_counted_from_that_moment() -> None:
    moment = vietnam(2025, 3, 10, 9, 41)
    assert NATIONAL.next_working_moment(moment) == moment
    assert NATIONAL.add_working_hours(moment, 0) == moment


def test_a_report_on_saturday_is_due_wednesday_evening_for_three_working_days() -> None:
    assert NATIONAL.add_working_days(vietnam(2025, 3, 8, 10), 3) == vietnam(2025, 3, 12, 17)


def test_a_report_on_sunday_night_is_counted_from_monday_morning() -> None:
    assert NATIONAL.add_working_hours(vietnam(2025, 3, 9, 23), 2) == vietnam(2025, 3, 10, 9)


def test_a_report_on_a_holiday_is_counted_from_the_next_working_day() -> None:
    # Monday 7 April 2025 is Hung Kings' Commemoration Day.
    assert NATIONAL.add_working_hours(vietnam(2025, 4, 7, 9), 4) == vietnam(2025, 4, 8, 11)


# Tết.


def test_tet_2025_is_off_from_monday_27_january_to_sunday_2_february() -> None:
    for day in range(27, 32):
        assert not NATIONAL.is_working_day(date(2025, 1, day))
    assert NATIONAL.is_working_day(date(2025, 1, 24))
    # Monday 3 February 2025 (mùng 6) is a working day under Thông báo 6150/TB-LĐTBXH.
    assert NATIONAL.is_working_day(date(2025, 2, 3))


def test_a_deadline_started_the_friday_before_tet_2025_lands_the_monday_after() -> None:
    # 2 hours on Friday 24 January, then 6 hours from Monday 3 February 07:00: 4.5 + 1.5.
    assert NATIONAL.add_working_days(vietnam(2025, 1, 24, 15), 1) == vietnam(2025, 2, 3, 15)


def test_a_report_during_tet_2025_is_counted_from_the_first_working_day_after() -> None:
    assert NATIONAL.add_working_days(vietnam(2025, 1, 29, 10), 3) == vietnam(2025, 2, 5, 17)


def test_tet_2026_is_off_from_monday_16_to_friday_20_february() -> None:
    for day in range(16, 21):
        assert not NATIONAL.is_working_day(date(2026, 2, day))
    assert NATIONAL.is_working_day(date(2026, 2, 13))
    assert NATIONAL.is_working_day(date(2026, 2, 23))


def test_a_deadline_started_the_friday_before_tet_2026_lands_the_monday_after() -> None:
    # 1 hour on Friday 13 February, then 7 hours from Monday 23 February 07:00: 4.5 + 2.5.
    assert NATIONAL.add_working_hours(vietnam(2026, 2, 13, 16), 8) == vietnam(2026, 2, 23, 16)


def test_working_days_between_skip_tet() -> None:
    # Friday 24 January and Monday 3 February 2025 are the only working days of the span.
    assert NATIONAL.working_days_between(date(2025, 1, 24), date(2025, 2, 4)) == 2
    # Three weeks around Tết 2026, the middle one entirely off.
    assert NATIONAL.working_days_between(date(2026, 2, 9), date(2026, 3, 2)) == 10


def test_working_time_across_tet_2025_counts_only_the_two_working_days() -> None:
    assert NATIONAL.working_time_between(vietnam(2025, 1, 24, 7), vietnam(2025, 2, 4, 7)) == (
        timedelta(hours=16)
    )


# Reunification Day and International Labour Day.


def test_the_30_april_2025_holidays_include_the_swapped_friday_2_may() -> None:
    for day in (date(2025, 4, 30), date(2025, 5, 1), date(2025, 5, 2)):
        assert not NATIONAL.is_working_day(day)


def test_saturday_26_april_2025_is_a_make_up_working_day_known_to_the_package() -> None:
    assert NATIONAL.is_working_day(date(2025, 4, 26))
    # 1 hour on Friday 25 April, then 7 hours on the make-up Saturday: 4.5 + 2.5.
    assert NATIONAL.add_working_hours(vietnam(2025, 4, 25, 16), 8) == vietnam(2025, 4, 26, 16)


def test_two_working_days_from_tuesday_29_april_2025_run_into_the_next_week() -> None:
    # 3.5 hours on Tuesday afternoon, 8 on Monday 5 May, 4.5 on Tuesday 6 May morning.
    assert NATIONAL.add_working_days(vietnam(2025, 4, 29, 13, 30), 2) == vietnam(2025, 5, 6, 11, 30)


def test_a_report_on_the_evening_before_30_april_2026_is_due_the_next_monday() -> None:
    # Thursday 30 April and Friday 1 May 2026 are off; the weekend follows.
    assert NATIONAL.add_working_days(vietnam(2026, 4, 29, 17, 30), 1) == vietnam(2026, 5, 4, 17)


def test_hung_kings_day_on_a_sunday_in_2026_is_observed_on_monday() -> None:
    assert not NATIONAL.is_working_day(date(2026, 4, 27))
    assert NATIONAL.add_working_days(vietnam(2026, 4, 24, 17), 1) == vietnam(2026, 4, 28, 17)


# National Day.


def test_national_day_2025_takes_monday_1_and_tuesday_2_september() -> None:
    # 3 hours on Friday 29 August, 8 each on Wednesday 3 and Thursday 4, 5 on Friday 5 September.
    assert NATIONAL.add_working_days(vietnam(2025, 8, 29, 14), 3) == vietnam(2025, 9, 5, 14)


def test_national_day_2026_takes_the_swapped_monday_31_august_and_1_2_september() -> None:
    for day in (date(2026, 8, 31), date(2026, 9, 1), date(2026, 9, 2)):
        assert not NATIONAL.is_working_day(day)
    assert NATIONAL.is_working_day(date(2026, 8, 22))  # the make-up Saturday for 31 August
    # 6 hours on Friday 28 August, then 2 hours on Thursday 3 September.
    assert NATIONAL.add_working_days(vietnam(2026, 8, 28, 9), 1) == vietnam(2026, 9, 3, 9)


# The deployment's own days: here the New Year 2026 swap, which the package does not know.

NEW_YEAR_2026_SWAP = WorkingCalendar(
    extra_days_off=[date(2026, 1, 2)], makeup_working_days=[date(2026, 1, 10)]
)


def test_an_extra_day_off_does_not_count() -> None:
    assert NATIONAL.add_working_days(vietnam(2025, 12, 31, 16), 1) == vietnam(2026, 1, 2, 16)
    # 1 hour on Wednesday 31 December; 1 January is a holiday, 2 January the extra day off.
    assert NEW_YEAR_2026_SWAP.add_working_days(vietnam(2025, 12, 31, 16), 1) == vietnam(
        2026, 1, 5, 16
    )


def test_a_make_up_saturday_counts() -> None:
    assert NATIONAL.add_working_hours(vietnam(2026, 1, 9, 16), 8) == vietnam(2026, 1, 12, 16)
    assert NEW_YEAR_2026_SWAP.is_working_day(date(2026, 1, 10))
    assert NEW_YEAR_2026_SWAP.add_working_hours(vietnam(2026, 1, 9, 16), 8) == vietnam(
        2026, 1, 10, 16
    )


def test_the_deployment_overrides_the_package_in_both_directions() -> None:
    corrected = WorkingCalendar(
        extra_days_off=[date(2026, 8, 22)], makeup_working_days=[date(2026, 11, 24)]
    )
    assert not corrected.is_working_day(date(2026, 8, 22))
    assert corrected.is_working_day(date(2026, 11, 24))


def test_a_day_cannot_be_both_a_day_off_and_a_make_up_working_day() -> None:
    with pytest.raises(ValueError, match="2026-01-10"):
        WorkingCalendar(extra_days_off=[date(2026, 1, 10)], makeup_working_days=[date(2026, 1, 10)])


def test_working_days_between_count_the_start_day_and_not_the_end_day() -> None:
    assert NATIONAL.working_days_between(date(2025, 3, 10), date(2025, 3, 13)) == 3
    assert NATIONAL.working_days_between(date(2025, 3, 8), date(2025, 3, 10)) == 0
    assert NATIONAL.working_days_between(date(2025, 3, 13), date(2025, 3, 10)) == 0
    assert NEW_YEAR_2026_SWAP.working_days_between(date(2026, 1, 1), date(2026, 1, 12)) == 6


def test_working_days_between_add_up_across_years() -> None:
    # 29, 30, 31 December 2025, then 2 January 2026 (1 January is a holiday).
    assert NATIONAL.working_days_between(date(2025, 12, 29), date(2026, 1, 5)) == 4


# Elapsed working time.


def test_working_time_across_a_weekend_counts_friday_evening_and_monday_morning() -> None:
    assert NATIONAL.working_time_between(vietnam(2025, 3, 14, 16), vietnam(2025, 3, 17, 8, 30)) == (
        timedelta(hours=2, minutes=30)
    )


def test_working_time_across_lunch_leaves_the_break_out() -> None:
    assert NATIONAL.working_time_between(vietnam(2025, 3, 10, 11), vietnam(2025, 3, 10, 14)) == (
        timedelta(hours=1)
    )


def test_working_time_is_zero_when_the_end_is_not_after_the_start() -> None:
    moment = vietnam(2025, 3, 10, 9)
    assert NATIONAL.working_time_between(moment, moment) == timedelta(0)
    assert NATIONAL.working_time_between(moment, moment - timedelta(hours=1)) == timedelta(0)


def test_working_time_elapsed_and_added_agree_so_a_paused_clock_can_resume() -> None:
    received = vietnam(2025, 4, 25, 10)
    paused = vietnam(2025, 5, 6, 9, 15)
    used = NATIONAL.working_time_between(received, paused)
    assert NATIONAL.add_working_time(received, used) == paused


# Time zones and bad input.


def test_moments_in_another_zone_are_answered_in_vietnam_time() -> None:
    # 00:00 UTC is 07:00 in Vietnam, Monday 10 March 2025.
    deadline = NATIONAL.add_working_hours(datetime(2025, 3, 10, 0, 0, tzinfo=UTC), 1)
    assert deadline == vietnam(2025, 3, 10, 8)
    assert deadline.tzinfo is VIETNAM_TIME_ZONE
    assert deadline.hour == 8


def test_a_late_evening_in_utc_is_already_the_next_morning_in_vietnam() -> None:
    # Sunday 9 March 2025 at 23:30 UTC is Monday 06:30 in Vietnam.
    moment = datetime(2025, 3, 9, 23, 30, tzinfo=UTC)
    assert NATIONAL.next_working_moment(moment) == vietnam(2025, 3, 10, 7)


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        NATIONAL.add_working_days(datetime(2025, 3, 10, 9), 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        NATIONAL.working_time_between(vietnam(2025, 3, 10, 9), datetime(2025, 3, 11, 9))
    with pytest.raises(ValueError, match="timezone-aware"):
        NATIONAL.next_working_moment(datetime(2025, 3, 10, 9))


def test_negative_amounts_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        NATIONAL.add_working_hours(vietnam(2025, 3, 10, 9), -1)
    with pytest.raises(ValueError, match="negative"):
        NATIONAL.add_working_days(vietnam(2025, 3, 10, 9), -1)


def test_a_datetime_is_refused_where_a_day_is_expected() -> None:
    with pytest.raises(TypeError, match="must be a date"):
        NATIONAL.is_working_day(vietnam(2025, 3, 10, 9))


def test_deadlines_are_fast_enough_for_the_report_hot_path() -> None:
    # At least 500 reports a second, each with a deadline: 2,000 deadlines take well under a
    # second (a few milliseconds on a laptop); the bound is loose so a busy CI host passes.
    calendar = WorkingCalendar()
    received = vietnam(2025, 1, 20, 9)
    started = wall_clock.perf_counter()
    for offset in range(2000):
        calendar.add_working_days(received + timedelta(minutes=offset * 7), 15)
    assert wall_clock.perf_counter() - started < 1.0
