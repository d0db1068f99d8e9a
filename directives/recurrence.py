"""Recurring tasks: the monthly or quarterly reports a directive asks for, one task per period.

A recurring task is a series. Its first task is the one the directive created (`series` empty,
`occurrence` 1); the following ones are created here, one per period, each pointing to the first
(`series`) with its number (`occurrence` 2, 3, …), the same agencies, content, field, priority and
place, and a deadline of its own.

Deadlines
---------
Occurrence k's deadline is the first task's, moved by k - 1 periods (a month or a quarter):

- a deadline given as a date keeps its day of the month (the 31st becomes the last day of a
  shorter month, counted from the first task's date each time, so 31 January gives 28 February
  and then 31 March, never drifting to the 28th); when that day is not a working day the deadline
  is the next working day, as the Civil Code counts a time limit whose last day is a day off
  (Bộ luật Dân sự 2015, article 148(5)): a report due on the 15th is due on Monday 23 February
  2026, after Tết Bính Ngọ;
- a deadline given as N working days from the directive is N working days from the directive's
  date moved by k - 1 periods, on the same working-day calendar.

When an occurrence is created
-----------------------------
Occurrence k is created on the day after occurrence k - 1's deadline by this rule (its rule
deadline, not an extended one: an extension moves one report, not the calendar of the series), so
an agency always has the next report in its queue once the previous one is due. A run that
missed days catches up with every occurrence due by then. No occurrence is created whose deadline
falls after `recurs_until`, nor for a series whose first task is cancelled (cancelling the first
task ends the series; the occurrences already created stay).

Concurrency
-----------
The hourly beat task may overlap a manual run or a second beat. Each series is handled in its own
transaction that first locks the first task's row (`select_for_update`), so a second run waits
and then sees the occurrences the first created; the partial unique constraint
`task_series_occurrence_once` (series, occurrence) is the backstop should a writer ever skip the
lock.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from directives.deadlines import working_day_after
from directives.events import task_event
from directives.models import Task, TaskAction, TaskRecurrence, TaskStatus
from geoapp.clock import VIETNAM_TIME_ZONE
from geoapp.selectors import working_calendar
from geoapp.working_calendar import WorkingCalendar

MONTHS_PER_PERIOD: dict[str, int] = {TaskRecurrence.MONTHLY: 1, TaskRecurrence.QUARTERLY: 3}

# A series without `recurs_until` goes on until its first task is cancelled; this bounds one
# run's catch-up so a wrong date (a directive of 1900) cannot create thousands of rows at once.
MAX_OCCURRENCES_PER_RUN = 120
# How long the beat may have been stopped and still catch up with a finished series (a quarter).
CATCH_UP_DAYS = 92


def months_later(day: datetime.date, months: int) -> datetime.date:
    """`day` moved by whole months, the day of the month clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def working_day_on_or_after(working: WorkingCalendar, day: datetime.date) -> datetime.date:
    """`day` itself when it is a working day, otherwise the next working day."""
    return day if working.is_working_day(day) else working_day_after(working, day, 1)


def occurrence_deadline(
    *,
    working: WorkingCalendar,
    recurrence: str,
    occurrence: int,
    first_deadline: datetime.date,
    issued_on: datetime.date,
    deadline_working_days: int | None,
) -> datetime.date:
    """The deadline of occurrence number `occurrence` (1 is the first task) of a series."""
    if occurrence < 1:
        raise ValueError(f"occurrences are numbered from 1, got {occurrence}")
    months = MONTHS_PER_PERIOD[recurrence] * (occurrence - 1)
    if deadline_working_days is not None:
        start = months_later(issued_on, months)
        return working_day_after(working, start, deadline_working_days)
    if occurrence == 1:
        # The first deadline is what the directive says, even on a day off.
        return first_deadline
    return working_day_on_or_after(working, months_later(first_deadline, months))


@dataclass
class OccurrencesCreated:
    """What one run created: the new tasks' ids, by series (the first task's id)."""

    by_series: dict[int, list[int]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(ids) for ids in self.by_series.values())


def recurring_series_ids(*, today: datetime.date) -> list[int]:
    """The first tasks of the series that may need an occurrence on `today`.

    A series whose `recurs_until` is long past has all its occurrences: each was due the day
    after its predecessor's deadline, which was before `recurs_until`. Only a beat stopped for
    longer than CATCH_UP_DAYS would leave one behind, so those series are not read every hour.
    """
    window_start = today - datetime.timedelta(days=CATCH_UP_DAYS)
    # Occurrence k is due once `today` is past occurrence k - 1's rule deadline, which is the
    # `original_deadline` of the series' latest task (an extension moves `deadline` only). A
    # series whose latest task is not yet due has nothing to create: it is not read, so an
    # hourly run with nothing to do is one statement rather than a locked transaction per series
    # (2.5 s for 95 series under load; 950 series at 100,000 tasks).
    latest_rule_deadline = (
        Task.objects.filter(series=OuterRef("pk"))
        .order_by()
        .values("series")
        .annotate(latest=Max("original_deadline"))
        .values("latest")
    )
    return list(
        Task.objects.filter(series__isnull=True, recurrence__in=list(MONTHS_PER_PERIOD))
        .exclude(status=TaskStatus.CANCELLED)
        .filter(Q(recurs_until__isnull=True) | Q(recurs_until__gte=window_start))
        .annotate(
            latest_rule_deadline=Coalesce(Subquery(latest_rule_deadline), F("original_deadline"))
        )
        .filter(latest_rule_deadline__lt=today)
        .order_by("id")
        .values_list("id", flat=True)
    )


def directives_create_occurrences(*, now: datetime.datetime | None = None) -> OccurrencesCreated:
    """Create every occurrence due by `now` (in Vietnam), each once. Safe to run at any time,
    as often as wished, and concurrently."""
    moment = now or timezone.now()
    today = moment.astimezone(VIETNAM_TIME_ZONE).date()
    working = working_calendar()
    created = OccurrencesCreated()
    for series_id in recurring_series_ids(today=today):
        new_ids = series_occurrences_create(
            series_id=series_id, today=today, working=working, at=moment
        )
        if new_ids:
            created.by_series[series_id] = new_ids
    return created


@transaction.atomic
def series_occurrences_create(
    *,
    series_id: int,
    today: datetime.date,
    working: WorkingCalendar,
    at: datetime.datetime,
) -> list[int]:
    """The occurrences of one series due by `today` that do not exist yet, created; their ids."""
    # The lock serialises runs per series (see the module's docstring); the checks below read
    # the state after any concurrent run has committed.
    first = (
        Task.objects.select_for_update()
        .select_related("directive")
        .filter(pk=series_id, series__isnull=True)
        .first()
    )
    if first is None or first.status == TaskStatus.CANCELLED:
        return []
    if first.recurrence not in MONTHS_PER_PERIOD:
        return []
    latest = first.occurrences.aggregate(latest=Max("occurrence"))["latest"] or 1

    def deadline_of(number: int) -> datetime.date:
        return occurrence_deadline(
            working=working,
            recurrence=first.recurrence,
            occurrence=number,
            first_deadline=first.original_deadline,
            issued_on=first.directive.issued_on,
            deadline_working_days=first.deadline_working_days,
        )

    coordinating = list(first.coordinating_agencies.all())
    new_ids: list[int] = []
    number = latest + 1
    while len(new_ids) < MAX_OCCURRENCES_PER_RUN and today > deadline_of(number - 1):
        deadline = deadline_of(number)
        if first.recurs_until is not None and deadline > first.recurs_until:
            break
        occurrence = Task.objects.create(
            directive=first.directive,
            series=first,
            occurrence=number,
            lead_agency_id=first.lead_agency_id,
            content=first.content,
            field=first.field,
            deadline=deadline,
            original_deadline=deadline,
            deadline_working_days=first.deadline_working_days,
            recurrence=first.recurrence,
            recurs_until=first.recurs_until,
            priority=first.priority,
            place=first.place,
            area_id=first.area_id,
            created_at=at,
            updated_at=at,
        )
        occurrence.coordinating_agencies.set(coordinating)
        task_event(
            task=occurrence,
            action=TaskAction.ASSIGNED,
            actor=None,
            at=at,
            note=_("Kỳ báo cáo thứ %(number)s của nhiệm vụ định kỳ.") % {"number": number},
        )
        new_ids.append(occurrence.pk)
        number += 1
    return new_ids
