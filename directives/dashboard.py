"""What the operations centre reads of the directives: figures and a map for a period and an area.

The operations dashboard (issue 13) and the task map (`/nhiem-vu/ban-do/`) call these two
selectors; both take a `DashboardFilter` (the period in which the tasks' deadlines fall, and
optionally an area the tasks are located in) and a `TaskScope` (leaders see every task, an
agency the tasks it leads or coordinates).

- `dashboard_figures(scope=…, dashboard_filter=…, today=…) -> DashboardFigures`: the totals
  by standing over the period (volume, open, overdue, due soon, done on time, done late,
  cancelled; the on-time rate with its numerator and denominator) and the same figures per lead
  agency (`AgencyFigures`, most overdue first). Two aggregate statements plus one for the
  agencies' names.
- `tasks_map(scope=…, dashboard_filter=…, today=…) -> str`: the located tasks (a point, or their
  commune's label point) as a GeoJSON FeatureCollection, built by PostgreSQL in one statement
  (json_agg over the filtered tasks), each with its standing and status for the colour; nothing
  personal (content, lead agency, deadline, standing, status, directive number).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.gis.db.models import PointField
from django.db import connection
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce, Left

from directives.deadlines import Standing
from directives.models import OPEN_STATUSES, TaskStatus
from directives.selectors import (
    AgencyFigures,
    TaskFilter,
    TaskScope,
    Today,
    _standing_condition,
    _standing_expression,
    agency_figures,
    tasks_filtered,
)

# The map's popups show the beginning of a task; the task page has the rest.
MAP_CONTENT_LENGTH = 200
# A period of a year holds a few thousand located tasks; this bounds one answer should a
# period of decades be asked for (the figures are still exact: they do not read the map).
MAP_FEATURES_LIMIT = 5000


@dataclass(frozen=True)
class DashboardFilter:
    """Tasks whose deadline falls in [period_start, period_end], located in `area_id` if given."""

    period_start: datetime.date
    period_end: datetime.date
    area_id: int | None = None

    def task_filter(self) -> TaskFilter:
        return TaskFilter(
            deadline_from=self.period_start, deadline_to=self.period_end, area_id=self.area_id
        )


@dataclass(frozen=True)
class DashboardFigures:
    period_start: datetime.date
    period_end: datetime.date
    area_id: int | None
    volume: int
    open: int
    overdue: int
    due_soon: int
    done_on_time: int
    done_late: int
    cancelled: int
    agencies: list[AgencyFigures]

    @property
    def finished_or_overdue(self) -> int:
        """The on-time rate's denominator (as for an agency: done, or open past the deadline)."""
        return self.done_on_time + self.done_late + self.overdue

    @property
    def on_time_rate(self) -> float | None:
        if not self.finished_or_overdue:
            return None
        return self.done_on_time / self.finished_or_overdue


def dashboard_figures(
    *, scope: TaskScope, dashboard_filter: DashboardFilter, today: Today
) -> DashboardFigures:
    """The totals and the figures per lead agency of the tasks due in the period (and area)."""
    task_filter = dashboard_filter.task_filter()
    tasks = tasks_filtered(scope=scope, task_filter=task_filter, today=today)
    totals = tasks.aggregate(
        volume=Count("id", filter=~Q(status=TaskStatus.CANCELLED)),
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("id", filter=_standing_condition(Standing.OVERDUE, today)),
        due_soon=Count("id", filter=_standing_condition(Standing.DUE_SOON, today)),
        done_on_time=Count("id", filter=_standing_condition(Standing.DONE_ON_TIME, today)),
        done_late=Count("id", filter=_standing_condition(Standing.DONE_LATE, today)),
        cancelled=Count("id", filter=Q(status=TaskStatus.CANCELLED)),
    )
    return DashboardFigures(
        period_start=dashboard_filter.period_start,
        period_end=dashboard_filter.period_end,
        area_id=dashboard_filter.area_id,
        agencies=agency_figures(scope=scope, today=today, task_filter=task_filter, tasks=tasks),
        **totals,
    )


def tasks_map(*, scope: TaskScope, dashboard_filter: DashboardFilter, today: Today) -> str:
    """The located tasks due in the period (and area) as GeoJSON text, soonest deadline first."""
    tasks = (
        tasks_filtered(scope=scope, task_filter=dashboard_filter.task_filter(), today=today)
        .filter(Q(place__isnull=False) | Q(area__isnull=False))
        .annotate(
            point=Coalesce("place", "area__label_point", output_field=PointField(srid=4326)),
            agency_name=F("lead_agency__name"),
            directive_number=F("directive__number"),
            short_content=Left("content", MAP_CONTENT_LENGTH),
            task_standing=_standing_expression(today),
        )
        .order_by("deadline", "id")
        .values(
            "id", "deadline", "status", "point", "agency_name", "directive_number",
            "short_content", "task_standing",
        )[:MAP_FEATURES_LIMIT]
    )  # fmt: skip
    inner, parameters = tasks.query.sql_with_params()
    # Raw SQL around the ORM's query: PostgreSQL assembles the collection (json_agg) in one
    # pass, about 50 times faster than building the dictionaries in Python (DESIGN.md).
    statement = f"""
        SELECT json_build_object(
            'type', 'FeatureCollection',
            'features', COALESCE(json_agg(json_build_object(
                'type', 'Feature',
                'id', located.id,
                'geometry', ST_AsGeoJSON(located.point, 6)::json,
                'properties', json_build_object(
                    'content', located.short_content,
                    'lead_agency', located.agency_name,
                    'directive', located.directive_number,
                    'deadline', located.deadline,
                    'status', located.status,
                    'standing', located.task_standing
                )
            ) ORDER BY located.deadline, located.id), '[]'::json)
        )::text
        FROM ({inner}) AS located
    """
    with connection.cursor() as cursor:
        cursor.execute(statement, parameters)
        row = cursor.fetchone()
    assert row is not None
    return str(row[0])


def filter_for_year(year: int, *, area_id: int | None = None) -> DashboardFilter:
    """The calendar year `year`, the operations centre's default period."""
    return DashboardFilter(
        period_start=datetime.date(year, 1, 1),
        period_end=datetime.date(year, 12, 31),
        area_id=area_id,
    )
