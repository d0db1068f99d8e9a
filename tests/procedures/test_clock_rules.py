"""The appointment's one-pass computation gives exactly what its two rules give one after the
other (counted-from, then the limit), over every kind of limit, cut-off and moment of a week."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest

from geoapp.clock import VIETNAM_TIME_ZONE
from geoapp.working_calendar import WorkingCalendar
from procedures import workflow

CALENDAR = WorkingCalendar(
    extra_days_off=[datetime.date(2026, 1, 2)], makeup_working_days=[datetime.date(2026, 1, 10)]
)
LIMITS = [
    (Decimal("0.5"), "working_days"), (Decimal(1), "working_days"), (Decimal(10), "working_days"),
    (Decimal(4), "working_hours"), (Decimal("2.5"), "working_hours"), (Decimal(0), "working_hours"),
    (Decimal(3), "calendar_days"),
]  # fmt: skip
CUTOFFS = [None, datetime.time(15), datetime.time(11, 30)]


def test_one_pass_equals_counted_from_then_the_limit() -> None:
    generator = random.Random(11)
    plus_seven = datetime.timezone(datetime.timedelta(hours=7))
    moments = [
        datetime.datetime(2025, 12, 20, tzinfo=plus_seven)
        + datetime.timedelta(minutes=generator.randrange(80 * 24 * 60))
        for _ in range(3000)
    ]
    # Every boundary of a working day too, across Tết 2026 and the New Year swap.
    moments += [
        datetime.datetime.combine(day, time, VIETNAM_TIME_ZONE)
        for day in (datetime.date(2026, 1, 1) + datetime.timedelta(days=n) for n in range(60))
        for time in (datetime.time(6, 59), datetime.time(7), datetime.time(11, 30),
                     datetime.time(13, 30), datetime.time(15), datetime.time(17))
    ]  # fmt: skip
    for moment in moments:
        for value, unit in LIMITS:
            for cutoff in CUTOFFS:
                start = workflow.counted_from(CALENDAR, moment, cutoff)
                due = workflow.add_limit(CALENDAR, start, value, unit)
                assert workflow.appointment_compute(
                    CALENDAR, received_at=moment, cutoff=cutoff, value=value, unit=unit
                ) == (moment.astimezone(VIETNAM_TIME_ZONE), start, due), (moment, value, cutoff)


def test_the_calendar_starts_and_adds_in_one_call_as_in_two() -> None:
    moment = datetime.datetime(2026, 2, 13, 16, 30, tzinfo=VIETNAM_TIME_ZONE)  # before Tết
    assert CALENDAR.start_and_add_working_time(moment, datetime.timedelta(hours=1)) == (
        moment, datetime.datetime(2026, 2, 23, 7, 30, tzinfo=VIETNAM_TIME_ZONE)
    )  # fmt: skip
    with pytest.raises(ValueError):
        CALENDAR.start_and_add_working_time(moment, datetime.timedelta(hours=-1))
    with pytest.raises(ValueError):
        CALENDAR.start_and_add_working_time(moment.replace(tzinfo=None), datetime.timedelta(0))
