"""The dossier state machine and its clocks, read by services, selectors and pages alike.

Nothing here touches the database: the clock rules take a `WorkingCalendar` and moments, so that
the desk, the import and the appointment API compute exactly the same dates.
"""

from __future__ import annotations

import datetime
import functools
from decimal import Decimal
from typing import Final, NamedTuple

from geoapp.clock import VIETNAM_TIME_ZONE
from geoapp.working_calendar import WorkingCalendar, working_hours_duration
from procedures.models import DossierStatus, Outcome, TimeLimitUnit

S = DossierStatus

PAUSED: Final = frozenset({S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED})
FINISHED: Final = frozenset({S.RESULT_READY, S.RESULT_RETURNED})
CLOSED: Final = frozenset({S.RESULT_RETURNED, S.REFUSED, S.WITHDRAWN, S.STOPPED})
IN_PROGRESS: Final = frozenset({S.RECEIVED, S.PROCESSING, S.TRANSFERRED} | PAUSED)

# action -> (statuses it may start from, status it leads to)
TRANSITIONS: Final[dict[str, tuple[frozenset[str], str]]] = {
    "process": (frozenset({S.RECEIVED}), S.PROCESSING),
    "transfer": (frozenset({S.RECEIVED, S.PROCESSING}), S.TRANSFERRED),
    "finish_leg": (frozenset({S.TRANSFERRED}), S.PROCESSING),
    "request_supplement": (frozenset({S.RECEIVED, S.PROCESSING}), S.SUPPLEMENT_REQUESTED),
    "request_payment": (frozenset({S.RECEIVED, S.PROCESSING}), S.PAYMENT_REQUESTED),
    "resume": (PAUSED, S.PROCESSING),
    "extend": (frozenset({S.RECEIVED, S.PROCESSING, S.TRANSFERRED}), ""),
    "result_ready": (frozenset({S.RECEIVED, S.PROCESSING}), S.RESULT_READY),
    "return_result": (frozenset({S.RESULT_READY}), S.RESULT_RETURNED),
    "refuse": (frozenset({S.SUBMITTED_ONLINE, S.RECEIVED}), S.REFUSED),
    "withdraw": (IN_PROGRESS, S.WITHDRAWN),
    "stop": (IN_PROGRESS, S.STOPPED),
}


def allowed_actions(status: str) -> list[str]:
    return [action for action, (sources, _target) in TRANSITIONS.items() if status in sources]


class Appointment(NamedTuple):
    """What the desk prints. A named tuple: built once per receipt, twice as fast as a frozen
    dataclass, whose __init__ sets each field through object.__setattr__."""

    received_at: datetime.datetime
    counted_from: datetime.datetime
    appointment_at: datetime.datetime


def counted_from(
    calendar: WorkingCalendar, received_at: datetime.datetime, cutoff: datetime.time | None
) -> datetime.datetime:
    """The clock starts at the next working moment; after the cut-off, on the next working day."""
    local = received_at.astimezone(VIETNAM_TIME_ZONE)
    if cutoff is not None and calendar.is_working_day(local.date()) and local.time() >= cutoff:
        next_day = datetime.datetime.combine(
            local.date() + datetime.timedelta(days=1), datetime.time(0), VIETNAM_TIME_ZONE
        )
        return calendar.next_working_moment(next_day)
    return calendar.next_working_moment(local)


def add_limit(
    calendar: WorkingCalendar, start: datetime.datetime, value: Decimal, unit: str
) -> datetime.datetime:
    if unit == TimeLimitUnit.WORKING_HOURS:
        return calendar.add_working_hours(start, value)
    if unit == TimeLimitUnit.CALENDAR_DAYS:
        return start + datetime.timedelta(days=float(value))
    # Fractions of a working day (half a day for a copy certification) are working hours.
    return calendar.add_working_hours(start, value * 8)


@functools.lru_cache(maxsize=256)
def limit_duration(value: Decimal, unit: str) -> tuple[bool, datetime.timedelta]:
    """A time limit as (counted in calendar time?, its duration), as `add_limit` reads it; a
    few dozen distinct limits, so converted once each rather than once per appointment."""
    if unit == TimeLimitUnit.CALENDAR_DAYS:
        return True, datetime.timedelta(days=float(value))
    hours = value if unit == TimeLimitUnit.WORKING_HOURS else value * 8
    return False, working_hours_duration(hours)


def appointment_compute(
    calendar: WorkingCalendar,
    *,
    received_at: datetime.datetime,
    cutoff: datetime.time | None,
    value: Decimal,
    unit: str,
) -> Appointment:
    """`counted_from` and `add_limit` in one pass: the same rules (tests/procedures compare the
    two), with the receipt converted to Vietnam time once and the limit's duration memoised."""
    local = received_at.astimezone(VIETNAM_TIME_ZONE)
    moment = local
    if cutoff is not None and local.time() >= cutoff and calendar.is_working_day(local.date()):
        moment = datetime.datetime.combine(
            local.date() + datetime.timedelta(days=1), datetime.time(0), VIETNAM_TIME_ZONE
        )
    calendar_time, duration = limit_duration(value, unit)
    if calendar_time:
        start = calendar.next_working_moment(moment)
        due = start + duration
    else:
        start, due = calendar.start_and_add_working_time(moment, duration)
    if due.tzinfo is not VIETNAM_TIME_ZONE:
        due = due.astimezone(VIETNAM_TIME_ZONE)
    return Appointment(received_at=local, counted_from=start, appointment_at=due)


def outcome_of(finished_at: datetime.datetime, appointment_at: datetime.datetime) -> str:
    """Early, on time or late by the finishing and appointment *dates* in Vietnam time."""
    finished = finished_at.astimezone(VIETNAM_TIME_ZONE).date()
    due = appointment_at.astimezone(VIETNAM_TIME_ZONE).date()
    if finished < due:
        return Outcome.EARLY
    if finished == due:
        return Outcome.ON_TIME
    return Outcome.LATE
