"""Deadlines of tasks in working days, and how a task stands against its deadline.

A task's deadline is a date: the task is on time when it is done on or before that day. A deadline
given as "N working days from the directive" is the N-th working day after the directive's date,
counted on the working-day calendar of `geoapp` (weekends, Vietnamese holidays with Tết, and the
deployment's own days off and make-up days).

Classes, for a day `today`:

- done on time: done, completed on or before the deadline;
- done late: done, completed after the deadline;
- overdue: open and `today` is after the deadline;
- due soon: open, not overdue, and the deadline is at most DUE_SOON_WORKING_DAYS working days
  after `today` (so the Friday before Tết, a deadline on the third working day after the holiday
  is due soon although it is twelve calendar days away);
- on track: open, deadline further away;
- cancelled.
"""

from __future__ import annotations

import datetime
from typing import Final

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from geoapp.working_calendar import WorkingCalendar

DUE_SOON_WORKING_DAYS: Final = 3
ONE_DAY: Final = datetime.timedelta(days=1)


class Standing(TextChoices):
    # In the order the boards show them: what needs attention first.
    OVERDUE = "overdue", _("Quá hạn")
    DUE_SOON = "due_soon", _("Sắp đến hạn")
    ON_TRACK = "on_track", _("Trong hạn")
    DONE_LATE = "done_late", _("Hoàn thành trễ hạn")
    DONE_ON_TIME = "done_on_time", _("Hoàn thành đúng hạn")
    CANCELLED = "cancelled", _("Đã hủy")


STANDING_RANK: Final = {standing.value: rank for rank, standing in enumerate(Standing)}


def working_day_after(calendar: WorkingCalendar, day: datetime.date, days: int) -> datetime.date:
    """The `days`-th working day after `day` (`day` itself when `days` is zero)."""
    if days < 0:
        raise ValueError(f"working days must not be negative, got {days}")
    current = day
    remaining = days
    while remaining:
        current += ONE_DAY
        if calendar.is_working_day(current):
            remaining -= 1
    return current


def due_soon_limit(calendar: WorkingCalendar, today: datetime.date) -> datetime.date:
    """The last deadline that counts as due soon on `today`."""
    return working_day_after(calendar, today, DUE_SOON_WORKING_DAYS)


def standing(
    *,
    status: str,
    deadline: datetime.date,
    completed_on: datetime.date | None,
    today: datetime.date,
    due_soon_until: datetime.date,
) -> Standing:
    """How a task stands; `due_soon_until` is `due_soon_limit(calendar, today)`, computed once
    per page rather than once per task."""
    if status == "cancelled":
        return Standing.CANCELLED
    if status == "done":
        assert completed_on is not None
        return Standing.DONE_ON_TIME if completed_on <= deadline else Standing.DONE_LATE
    if today > deadline:
        return Standing.OVERDUE
    if deadline <= due_soon_until:
        return Standing.DUE_SOON
    return Standing.ON_TRACK
