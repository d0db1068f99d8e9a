"""The working-day calendar: which days and hours count toward a deadline, and how to count them.

Feedback deadlines, acknowledgement norms and dossier appointment dates are all expressed in working
days or working hours (DESIGN.md, "Deadlines are in working days"). This module is the one place that
knows what those are; it never touches the database, so the selector `geoapp.selectors.working_calendar`
builds it from the configured `CalendarDay` rows and every app shares the result.

Which days are working days
---------------------------
Monday to Friday, except the Vietnamese public holidays known to the `holidays` package (Tết, the
observed day when a holiday falls on a weekend, and the weekdays the government swapped with a
Saturday), and except the extra days off a deployment configures. A Saturday or Sunday is a working day
when it is a make-up working day (ngày làm bù): the package reports the Saturdays of the swaps it knows,
and deployments configure the others. Configuration wins over the package, so an administrator can
correct the package in either direction without a release. Holiday dates are never written here.

Days the package (version 0.109) lacks, which deployments configure as `CalendarDay` rows:

- 2026-01-02 (Friday), day off, and 2026-01-10 (Saturday), make-up working day: the New Year 2026
  swap approved in Văn bản 12729/VPCP-KGVX of 25 December 2025.

The package agrees with the official announcements for Tết 2025 (Thông báo 6150/TB-LĐTBXH: 25 January
to 2 February 2025, so Monday 27 to Friday 31 January are days off and Monday 3 February is a working
day) and Tết 2026 (14 to 22 February 2026, so Monday 16 to Friday 20 February are days off).

Working hours are 07:00-11:30 and 13:30-17:00, 8 hours a day, in Asia/Ho_Chi_Minh. A working period
contains its start and not its end: 11:30 is already lunch, 17:00 is already evening.

How time is counted
-------------------
All moments must be timezone-aware (a naive datetime raises ValueError, because guessing its zone
would silently shift a deadline by seven hours); every returned moment is in the calendar's zone.

- `next_working_moment(moment)`: `moment` itself when it lies inside a working period, otherwise the
  start of the next one (before 07:00: 07:00 that day; at lunch: 13:30; from 17:00, on a weekend or a
  day off: 07:00 of the next working day).
- `add_working_hours(moment, hours)` and `add_working_time(moment, duration)`: consume working time
  forward from `moment`; a moment outside working hours starts at the next working period. When the
  time runs out exactly at the end of a period, that end is the answer: 8 working hours from Monday
  07:00 is Monday 17:00, not Tuesday 07:00, and 4.5 hours from Monday 07:00 is Monday 11:30. Adding
  nothing returns `next_working_moment(moment)`.
- `add_working_days(moment, days)`: `days` times 8 working hours. This is the rule for feedback
  deadlines and dossier appointment dates: a report received Monday 09:00 with 3 working days is due
  Thursday 09:00; one received on Saturday is counted from Monday 07:00 and is due Wednesday 17:00.
- `working_time_between(start, end)`: the working time inside [start, end); zero when end <= start.
  With `add_working_time`, it lets a paused dossier clock resume with the time it had left.
- `working_days_between(start, end)`: how many working days d satisfy start <= d < end (the
  convention of numpy.busday_count); zero when end <= start.

Speed
-----
Computing a deadline is on the hot path of creating a report (at least 500 a second, routing included).
The package's holidays are computed once per year for the whole process; each calendar turns them, on
first use of a year, into a table of that year's working days with cumulative counts. Adding time then
moves a day at a time and consumes a whole working day in one step, and counting days over a span reads
two cumulative counts per year, so no computation ever walks minute by minute.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Final
from zoneinfo import ZoneInfo

import holidays

from geoapp.clock import VIETNAM_TIME_ZONE

__all__ = [
    "VIETNAM_TIME_ZONE",
    "WORKING_DAY_LENGTH",
    "WORKING_PERIODS",
    "WorkingCalendar",
]

HOLIDAY_COUNTRY: Final = "VN"

WORKING_PERIODS: Final[tuple[tuple[time, time], ...]] = (
    (time(7, 0), time(11, 30)),
    (time(13, 30), time(17, 0)),
)
WORKING_DAY_LENGTH: Final = sum(
    (
        datetime.combine(date.min, end) - datetime.combine(date.min, start)
        for start, end in WORKING_PERIODS
    ),
    timedelta(0),
)

_SATURDAY: Final = 5
_MICROSECONDS_PER_HOUR: Final = Decimal(3_600_000_000)


@functools.lru_cache(maxsize=64)
def _public_holidays(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """The days off and the weekend make-up working days of `year` according to the package.

    Cached for the whole process: building the package's holidays for a year costs about a
    millisecond, far too much to repeat for every calendar the selector builds.
    """
    national_holidays = holidays.country_holidays(HOLIDAY_COUNTRY, years=year)
    days_off = frozenset(day for day in national_holidays if day.year == year)
    # The package lists every swap it knows in weekend_workdays, whatever year was asked for.
    makeup_working_days = frozenset(
        day for day in national_holidays.weekend_workdays if day.year == year
    )
    return days_off, makeup_working_days


@dataclass(frozen=True, slots=True)
class _YearTable:
    """One year of a calendar: a flag per day, and running counts to count spans without a loop."""

    first_ordinal: int
    is_working: bytes  # 1 for a working day, indexed by the day's ordinal minus first_ordinal
    working_days_before: tuple[int, ...]  # working days among the first i days of the year
    working_ordinals: tuple[int, ...]  # the ordinals of the year's working days, in order


def _hours_as_duration(hours: float | Decimal) -> timedelta:
    if isinstance(hours, bool) or not isinstance(hours, int | float | Decimal):
        raise TypeError(f"hours must be a number, got {type(hours).__name__}")
    # str() of a float is its shortest exact spelling: 0.1 hours is 6 minutes, not 6 minutes and
    # a fraction of a nanosecond that would round unpredictably.
    exact_hours = Decimal(str(hours)) if isinstance(hours, float) else Decimal(hours)
    if not exact_hours.is_finite():
        raise ValueError(f"hours must be a finite number, got {hours}")
    microseconds = (exact_hours * _MICROSECONDS_PER_HOUR).to_integral_value(ROUND_HALF_EVEN)
    return timedelta(microseconds=int(microseconds))


def working_hours_duration(hours: float | Decimal) -> timedelta:
    """`hours` working hours as the exact duration `add_working_hours` adds (for callers that add
    the same limit many times and convert it once)."""
    return _hours_as_duration(hours)


def _require_date(value: object, *, argument: str) -> None:
    # A datetime is a date to Python, but its calendar day depends on a zone it may not share
    # with the calendar; taking .date() here would quietly pick the wrong day around midnight.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(
            f"{argument} must be a date, got {type(value).__name__}; for a moment, pass "
            "moment.astimezone(calendar.timezone).date()"
        )


class WorkingCalendar:
    """Working days and working hours in Vietnam, with the deployment's own days off and make-up days.

    Read the module documentation for the rules. An instance is immutable from the outside and safe
    to share between threads: its only state is a memo of year tables, and two threads building the
    same year at once build equal tables, so whichever is kept is right.

    `timezone` must not change its offset during working hours (Asia/Ho_Chi_Minh never changes),
    because arithmetic inside a working period is done on the wall clock.
    """

    def __init__(
        self,
        *,
        extra_days_off: Iterable[date] = (),
        makeup_working_days: Iterable[date] = (),
        timezone: ZoneInfo = VIETNAM_TIME_ZONE,
    ) -> None:
        self._extra_days_off = frozenset(extra_days_off)
        self._makeup_working_days = frozenset(makeup_working_days)
        for day in self._extra_days_off | self._makeup_working_days:
            _require_date(day, argument="every configured day")
        contradictions = self._extra_days_off & self._makeup_working_days
        if contradictions:
            listed = ", ".join(day.isoformat() for day in sorted(contradictions))
            raise ValueError(
                f"days configured both as day off and as make-up working day: {listed}"
            )
        self.timezone = timezone
        self._years: dict[int, _YearTable] = {}
        self._day_periods: dict[date, tuple[tuple[datetime, datetime], ...]] = {}

    def __repr__(self) -> str:
        return (
            f"WorkingCalendar(extra_days_off={sorted(self._extra_days_off)!r}, "
            f"makeup_working_days={sorted(self._makeup_working_days)!r}, "
            f"timezone={self.timezone!r})"
        )

    @property
    def extra_days_off(self) -> frozenset[date]:
        return self._extra_days_off

    @property
    def makeup_working_days(self) -> frozenset[date]:
        return self._makeup_working_days

    # Days

    def is_working_day(self, day: date) -> bool:
        _require_date(day, argument="day")
        table = self._year_table(day.year)
        return table.is_working[day.toordinal() - table.first_ordinal] == 1

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days d satisfy start <= d < end; zero when end <= start."""
        _require_date(start, argument="start")
        _require_date(end, argument="end")
        if end <= start:
            return 0
        count = 0
        for year in range(start.year, end.year + 1):
            table = self._year_table(year)
            first_index = start.toordinal() - table.first_ordinal if year == start.year else 0
            end_index = (
                end.toordinal() - table.first_ordinal if year == end.year else len(table.is_working)
            )
            count += table.working_days_before[end_index] - table.working_days_before[first_index]
        return count

    # Moments

    def next_working_moment(self, moment: datetime) -> datetime:
        """`moment` when it is inside working hours, else the start of the next working period."""
        return self._next_working_moment(self._local(moment, argument="moment"))

    def add_working_hours(self, moment: datetime, hours: float | Decimal) -> datetime:
        """The moment when `hours` working hours counted from `moment` have elapsed."""
        return self.add_working_time(moment, _hours_as_duration(hours))

    def add_working_time(self, moment: datetime, duration: timedelta) -> datetime:
        """The moment when `duration` of working time counted from `moment` has elapsed."""
        if duration < timedelta(0):
            raise ValueError(f"working time to add must not be negative, got {duration}")
        return self._add(self._local(moment, argument="moment"), duration)

    def start_and_add_working_time(
        self, moment: datetime, duration: timedelta
    ) -> tuple[datetime, datetime]:
        """`next_working_moment(moment)` and `add_working_time(moment, duration)` in one call: the
        moment a clock starts and its deadline (a dossier's counted-from and appointment), with
        `moment` checked and converted once (this is on the hot path of every receipt)."""
        if duration < timedelta(0):
            raise ValueError(f"working time to add must not be negative, got {duration}")
        start = self._next_working_moment(self._local(moment, argument="moment"))
        # From a moment inside a working period, adding is the same walk from there.
        return start, self._add(start, duration) if duration else start

    def add_working_days(self, moment: datetime, days: int) -> datetime:
        """The moment `days` working days of 8 hours after `moment` (see the module documentation)."""
        if isinstance(days, bool) or not isinstance(days, int):
            raise TypeError(f"days must be a whole number, got {type(days).__name__}")
        if days < 0:
            raise ValueError(f"working days to add must not be negative, got {days}")
        return self._add(self._local(moment, argument="moment"), WORKING_DAY_LENGTH * days)

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """The working time inside [start, end); zero when end <= start."""
        start = self._local(start, argument="start")
        end = self._local(end, argument="end")
        if end <= start:
            return timedelta(0)
        first_day, last_day = start.date(), end.date()
        if first_day == last_day:
            return self._working_time_within_day(first_day, start, end)
        whole_days = self.working_days_between(first_day + timedelta(days=1), last_day)
        return (
            self._working_time_within_day(first_day, start, None)
            + WORKING_DAY_LENGTH * whole_days
            + self._working_time_within_day(last_day, None, end)
        )

    # Internals

    def _local(self, moment: datetime, *, argument: str) -> datetime:
        if not isinstance(moment, datetime):
            raise TypeError(f"{argument} must be a datetime, got {type(moment).__name__}")
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(
                f"{argument} must be a timezone-aware datetime, got the naive {moment.isoformat()}; "
                "attach its zone first (for example django.utils.timezone.make_aware)"
            )
        return moment.astimezone(self.timezone)

    def _periods(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        # Memoised per day: building the four aware datetimes was a third of an appointment's
        # cost. A few thousand days at most; like the year tables, a race only builds it twice.
        periods = self._day_periods.get(day)
        if periods is None:
            periods = tuple(
                (
                    datetime.combine(day, start, tzinfo=self.timezone),
                    datetime.combine(day, end, tzinfo=self.timezone),
                )
                for start, end in WORKING_PERIODS
            )
            self._day_periods[day] = periods
        return periods

    def _next_working_moment(self, moment: datetime) -> datetime:
        """`_add(moment, timedelta(0))`, without the arithmetic: the moment itself inside a
        period, else the start of the next period (that day's afternoon, or the next working
        day's morning)."""
        day = moment.date()
        table = self._years.get(day.year) or self._year_table(day.year)
        if table.is_working[day.toordinal() - table.first_ordinal]:
            for period_start, period_end in self._day_periods.get(day) or self._periods(day):
                if moment < period_end:
                    return moment if moment >= period_start else period_start
        return self._periods(self._working_day_after(day, 1))[0][0]

    def _add(self, moment: datetime, remaining: timedelta) -> datetime:
        # The first day through its periods (when it is a working day); then every whole day
        # but the last skipped at once: with strictly more than a day left a day is consumed
        # whole, so the answer lies on the k-th working day after the first, k = ceil(left / day)
        # (at least 1), found by its rank in the year tables rather than by walking the days.
        # Exactly a day left ends at 17:00 of a day, so the last day goes through its periods.
        first_day = moment.date()
        table = self._years.get(first_day.year) or self._year_table(first_day.year)
        # is_working_day without its argument check: `first_day` is a date by construction.
        if table.is_working[first_day.toordinal() - table.first_ordinal]:
            for period_start, period_end in self._day_periods.get(first_day) or self._periods(
                first_day
            ):
                if moment >= period_end:
                    continue
                begin = moment if moment > period_start else period_start
                available = period_end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        whole_days = max(0, -(-remaining // WORKING_DAY_LENGTH) - 1)
        remaining -= WORKING_DAY_LENGTH * whole_days
        day = self._working_day_after(first_day, whole_days + 1)
        for period_start, period_end in self._day_periods.get(day) or self._periods(day):
            available = period_end - period_start
            if remaining <= available:
                return period_start + remaining
            remaining -= available
        raise AssertionError("unreachable: a working day holds a working day")  # pragma: no cover

    def _working_day_after(self, day: date, count: int) -> date:
        """The `count`-th working day strictly after `day` (count >= 1)."""
        table = self._years.get(day.year) or self._year_table(day.year)
        # Working days of the year up to and including `day`, so index `rank + count - 1` of the
        # year's working days is the one sought, possibly in a later year.
        index = table.working_days_before[day.toordinal() - table.first_ordinal + 1] + count - 1
        year = day.year
        while index >= len(table.working_ordinals):
            index -= len(table.working_ordinals)
            year += 1
            table = self._year_table(year)
        return date.fromordinal(table.working_ordinals[index])

    def _working_time_within_day(
        self, day: date, lower: datetime | None, upper: datetime | None
    ) -> timedelta:
        if not self.is_working_day(day):
            return timedelta(0)
        total = timedelta(0)
        for period_start, period_end in self._periods(day):
            begin = period_start if lower is None else max(lower, period_start)
            finish = period_end if upper is None else min(upper, period_end)
            if finish > begin:
                total += finish - begin
        return total

    def _year_table(self, year: int) -> _YearTable:
        table = self._years.get(year)
        if table is None:
            table = self._build_year_table(year)
            self._years[year] = table
        return table

    def _build_year_table(self, year: int) -> _YearTable:
        package_days_off, package_makeup_working_days = _public_holidays(year)
        first_ordinal = date(year, 1, 1).toordinal()
        length = date(year + 1, 1, 1).toordinal() - first_ordinal
        is_working = bytearray(length)
        for offset in range(length):
            day = date.fromordinal(first_ordinal + offset)
            if day in self._makeup_working_days:
                is_working[offset] = 1
            elif day in self._extra_days_off:
                is_working[offset] = 0
            elif day in package_makeup_working_days:
                is_working[offset] = 1
            else:
                is_weekday = day.weekday() < _SATURDAY
                is_working[offset] = int(is_weekday and day not in package_days_off)
        return _YearTable(
            first_ordinal=first_ordinal,
            is_working=bytes(is_working),
            working_days_before=tuple(itertools.accumulate(is_working, initial=0)),
            working_ordinals=tuple(
                first_ordinal + offset for offset in range(length) if is_working[offset]
            ),
        )
