"""What the leaders' operations centre (`ioc/`, issue 13) reads of citizen feedback.

The counts come from the summaries (`incidents/summary_models.py`, kept by triggers) rather than
from the reports: a period's figures are a sum over `IncidentDailySummary`, whatever the size of
`incidents_incident`. "Overdue" moves with the clock: it is the open reports less those whose
resolve deadline is still ahead, read from the daily summary's resolve deadline days, plus the
reports due later today (through the partial index of the open reports, one day's deadlines).
The overdue list is read from the reports through that index; the hotspot hexagons are summed
from their own summary (`IncidentHotspotCell`) plus the changes not yet folded into it
(`hotspot_counts_sql`), so they are exact between folds.

The period figures are those of the reports *filed* in the period (the summaries' day is the
filing day): of them, how many were resolved, how many by their deadline, how many were rated and
how many of the ratings were 4 or 5. Every rate is given with its numerator and denominator.

Nothing here returns a reporter's name, phone, e-mail or description: the operations centre shows
figures, tracking codes, categories, areas and units only.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek
from django.utils import timezone

from geoapp.clock import VIETNAM_TIME_ZONE, start_of_vietnam_day
from geoapp.sql import SqlParameters
from incidents.models import OPEN_STATUSES, Incident, IncidentStatus
from incidents.summary_definitions import HOTSPOT_PENDING_CELLS_SQL
from incidents.summary_models import (
    HOTSPOT_HEXAGON_SIDE_METRES,
    METRES_PER_DEGREE_EAST,
    METRES_PER_DEGREE_NORTH,
    IncidentDailySummary,
)

FINISHED_STATUSES = (IncidentStatus.RESOLVED, IncidentStatus.CLOSED)
ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Scope:
    """Which reports a figure counts: filed in [date_from, date_to] (Vietnam's days), in these
    areas (None: every area), of this category (None: every category), handled by these units
    (None: every unit)."""

    date_from: datetime.date
    date_to: datetime.date
    area_ids: tuple[int, ...] | None = None
    category_id: int | None = None
    agency_ids: tuple[int, ...] | None = None


@dataclass(frozen=True)
class FeedbackFigures:
    filed: int
    open: int
    overdue: int
    resolved: int
    resolved_on_time: int
    rated: int
    satisfied: int
    rating_total: int

    @property
    def on_time_rate(self) -> float | None:
        return self.resolved_on_time / self.resolved if self.resolved else None

    @property
    def satisfaction_rate(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None


_PERIOD_SUMS: dict[str, Any] = {
    "filed": Coalesce(Sum("reports"), 0),
    "resolved": Coalesce(Sum("resolved"), 0),
    "resolved_on_time": Coalesce(Sum("resolved_on_time"), 0),
    "rated": Coalesce(Sum("rated"), 0),
    "satisfied": Coalesce(Sum("satisfied"), 0),
    "rating_total": Coalesce(Sum("rating_total"), 0),
}


def _summaries(scope: Scope, *, whole_history: bool = False) -> QuerySet[IncidentDailySummary]:
    rows = IncidentDailySummary.objects.all()
    if not whole_history:
        rows = rows.filter(day__gte=scope.date_from, day__lte=scope.date_to)
    if scope.area_ids is not None:
        rows = rows.filter(area_id__in=scope.area_ids)
    if scope.category_id is not None:
        rows = rows.filter(category_id=scope.category_id)
    if scope.agency_ids is not None:
        rows = rows.filter(agency_id__in=scope.agency_ids)
    return rows.order_by()


def _open_reports(scope: Scope) -> QuerySet[Incident]:
    # Every condition on the open statuses, so PostgreSQL may use the partial index
    # incident_open_resolve_by.
    reports = Incident.objects.filter(status__in=sorted(OPEN_STATUSES))
    if scope.area_ids is not None:
        reports = reports.filter(area_id__in=scope.area_ids)
    if scope.category_id is not None:
        reports = reports.filter(category_id=scope.category_id)
    if scope.agency_ids is not None:
        reports = reports.filter(agency_id__in=scope.agency_ids)
    return reports.order_by()


@dataclass(frozen=True)
class NotYetDue:
    """Open reports whose resolve deadline is still ahead, per (area, unit): what "overdue" is
    computed from. Counted once per page and shared by its cards, rankings and map (the count
    reads every open report of the scope, whatever the period)."""

    counts: dict[tuple[int, int], int]

    def total(self) -> int:
        return sum(self.counts.values())

    def by(self, key: str) -> dict[int, int]:
        position = 0 if key == "area_id" else 1
        grouped: dict[int, int] = {}
        for pair, count in self.counts.items():
            grouped[pair[position]] = grouped.get(pair[position], 0) + count
        return grouped


def not_yet_due(*, scope: Scope, now: datetime.datetime) -> NotYetDue:
    """The open reports of the scope's areas, category and units (not its period) whose resolve
    deadline is at or after `now`.

    From the daily summary's resolve deadline days: the reports due on a day after today, a few
    rows per key and day ahead, whatever the number of reports; plus those due later today,
    counted from the reports through the partial index incident_open_resolve_by (one day's
    deadlines). The complement of `page_selectors.public_figures`' overdue."""
    today = timezone.localdate(now, VIETNAM_TIME_ZONE)
    counts: dict[tuple[int, int], int] = {}
    later_days = (
        _summaries(scope, whole_history=True)
        .filter(status__in=sorted(OPEN_STATUSES), resolve_day__gt=today)
        .values_list("area_id", "agency_id")
        .annotate(count=Sum("reports"))
    )
    later_today = (
        _open_reports(scope)
        .filter(resolve_by__gte=now, resolve_by__lt=start_of_vietnam_day(today + ONE_DAY))
        .values_list("area_id", "agency_id")
        .annotate(count=Count("id"))
    )
    for rows in (later_days, later_today):
        for area, agency, count in rows:
            counts[(area, agency)] = counts.get((area, agency), 0) + count
    return NotYetDue(counts={pair: count for pair, count in counts.items() if count})


def feedback_figures(
    *, scope: Scope, now: datetime.datetime, pending: NotYetDue | None = None
) -> FeedbackFigures:
    """The period's figures of the reports filed in it, and the open and overdue reports now
    (whenever filed). `pending`: the scope's `not_yet_due`, when the caller has it already."""
    period = _summaries(scope).aggregate(**_PERIOD_SUMS)
    still_open = _summaries(scope, whole_history=True).aggregate(
        open=Coalesce(Sum("reports", filter=Q(status__in=sorted(OPEN_STATUSES))), 0)
    )["open"]
    ahead = (pending or not_yet_due(scope=scope, now=now)).total()
    return FeedbackFigures(**period, open=still_open, overdue=still_open - ahead)


def feedback_figures_by(
    *, key: str, scope: Scope, now: datetime.datetime, pending: NotYetDue | None = None
) -> dict[int, FeedbackFigures]:
    """The same figures per area (`key="area_id"`) or per unit (`key="agency_id"`)."""
    if key not in ("area_id", "agency_id"):
        raise ValueError(key)
    period = {row[key]: row for row in _summaries(scope).values(key).annotate(**_PERIOD_SUMS)}
    still_open = {
        row[key]: row["open"]
        for row in _summaries(scope, whole_history=True)
        .filter(status__in=sorted(OPEN_STATUSES))
        .values(key)
        .annotate(open=Sum("reports"))
    }
    ahead = (pending or not_yet_due(scope=scope, now=now)).by(key)
    empty = dict.fromkeys(_PERIOD_SUMS, 0)
    figures = {}
    for group in set(period) | set(still_open):
        sums = {name: period.get(group, empty)[name] for name in _PERIOD_SUMS}
        open_now = still_open.get(group, 0)
        figures[group] = FeedbackFigures(
            **sums, open=open_now, overdue=open_now - ahead.get(group, 0)
        )
    return figures


@dataclass(frozen=True)
class PeriodCount:
    start: datetime.date
    filed: int
    resolved: int
    resolved_on_time: int


def feedback_per_period(*, scope: Scope, unit: str) -> list[PeriodCount]:
    """Reports filed per week (Monday first) or per month, with how many of them were resolved,
    and resolved on time: the trend charts."""
    truncate = {"week": TruncWeek, "month": TruncMonth}[unit]
    rows = (
        _summaries(scope)
        .annotate(start=truncate("day"))
        .values("start")
        .annotate(filed=Sum("reports"), resolved=Sum("resolved"), on_time=Sum("resolved_on_time"))
        .order_by("start")
    )
    return [
        PeriodCount(
            start=row["start"],
            filed=row["filed"],
            resolved=row["resolved"],
            resolved_on_time=row["on_time"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class OverdueReport:
    tracking_code: str
    category_name: str
    area_name: str
    agency_name: str
    reported_at: datetime.datetime
    resolve_by: datetime.datetime


def overdue_reports(*, scope: Scope, now: datetime.datetime, limit: int) -> list[OverdueReport]:
    """Open reports past their resolve deadline, the longest overdue first (whenever filed)."""
    rows = (
        _open_reports(scope)
        .filter(resolve_by__lt=now)
        .order_by("resolve_by", "id")
        .values_list(
            "tracking_code", "category__name", "area__name", "agency__name", "reported_at",
            "resolve_by",
        )[:limit]
    )  # fmt: skip
    return [OverdueReport(*row) for row in rows]


@dataclass(frozen=True)
class RecentReport:
    tracking_code: str
    category_name: str
    status: str
    reported_at: datetime.datetime
    resolve_by: datetime.datetime | None


def reports_of_areas(*, area_ids: Iterable[int], limit: int) -> list[RecentReport]:
    """The newest reports routed to these areas (index incident_area_reported)."""
    rows = (
        Incident.objects.filter(area_id__in=list(area_ids))
        .order_by("-reported_at", "-id")
        .values_list("tracking_code", "category__name", "status", "reported_at", "resolve_by")[
            :limit
        ]
    )
    return [RecentReport(*row) for row in rows]


@dataclass(frozen=True)
class Hexagon:
    column: int
    row: int
    reports: int
    # The corners, (longitude, latitude), counter-clockwise from the east corner.
    corners: tuple[tuple[float, float], ...]


def hotspot_hexagons(
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    category_id: int | None = None,
    area_ids: tuple[int, ...] | None = None,
) -> list[Hexagon]:
    """Reports filed from `date_from` to `date_to` (Vietnam's days) counted per hotspot hexagon
    (HOTSPOT_HEXAGON_SIDE_METRES); only the hexagons that hold a report. Summed from the
    hotspot summary (at most days × occupied hexagons × categories × areas rows, an index-only
    scan of its key) and the changes pending for it, not from the reports."""
    parameters: SqlParameters = {}
    where = hotspot_cells_conditions(
        parameters,
        date_from=date_from,
        date_to=date_to,
        category_id=category_id,
        area_ids=area_ids,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"{hotspot_counts_sql(where)} ORDER BY hexagon_column, hexagon_row", parameters
        )
        rows = cursor.fetchall()
    return [
        Hexagon(column=q, row=r, reports=count, corners=hexagon_corners(q, r))
        for q, r, count in rows
    ]


def hotspot_counts_sql(where: str) -> str:
    """The reports per hotspot hexagon (hexagon_column, hexagon_row, reports) of the summary
    rows and the pending changes that meet `where` (conditions on the summary's columns; see
    `hotspot_cells_conditions`); only the hexagons that hold a report.

    The summary's sums are taken on their own (a materialized CTE), so its plan is the one it
    had before changes were pending (an index-only range of its key, in parallel when the
    planner sees fit: a UNION ALL of the two relations made it serial), and the pending changes
    add a row per hexagon they touch; the pending table has no index and is read whole (a few
    seconds of changes, computed to their hexagons as the fold computes them)."""
    return f"""
        WITH summary AS MATERIALIZED (
            SELECT hexagon_column, hexagon_row, sum(reports) AS reports
            FROM incidents_incidenthotspotcell
            WHERE {where}
            GROUP BY hexagon_column, hexagon_row
        ), pending AS (
            SELECT hexagon_column, hexagon_row, sum(reports) AS reports
            FROM {HOTSPOT_PENDING_CELLS_SQL} AS changes
            WHERE {where}
            GROUP BY hexagon_column, hexagon_row
        )
        SELECT hexagon_column, hexagon_row, sum(reports)::integer AS reports
        FROM (SELECT * FROM summary UNION ALL SELECT * FROM pending) AS counts
        GROUP BY hexagon_column, hexagon_row
        -- A hexagon whose pending changes took its last reports away.
        HAVING sum(reports) <> 0"""


def hotspot_cells_conditions(
    parameters: SqlParameters,
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    category_id: int | None,
    area_ids: tuple[int, ...] | None,
) -> str:
    """The conditions on the hotspot summary's columns of the operations centre's filters,
    their values added to `parameters` (the hotspot layer, its tiles and their overview)."""
    parameters["date_from"] = date_from
    parameters["date_to"] = date_to
    sql = "day BETWEEN %(date_from)s AND %(date_to)s"
    if category_id is not None:
        parameters["category_id"] = category_id
        sql += " AND category_id = %(category_id)s"
    if area_ids is not None:
        parameters["area_ids"] = list(area_ids)
        sql += " AND area_id = ANY(%(area_ids)s)"
    return sql


def hexagon_corners(q: int, r: int) -> tuple[tuple[float, float], ...]:
    """The corners of the hotspot hexagon (q, r), from its key alone."""
    side = HOTSPOT_HEXAGON_SIDE_METRES
    centre_x = side * 1.5 * q
    centre_y = side * math.sqrt(3) * (r + q / 2)
    return tuple(
        (
            round((centre_x + side * math.cos(math.radians(60 * k))) / METRES_PER_DEGREE_EAST, 6),
            round((centre_y + side * math.sin(math.radians(60 * k))) / METRES_PER_DEGREE_NORTH, 6),
        )
        for k in range(6)
    )
