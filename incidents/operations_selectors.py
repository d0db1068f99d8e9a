"""What the leaders' operations centre (`ioc/`, issue 13) reads of citizen feedback.

The counts come from the summaries (`incidents/summary_models.py`, kept by triggers) rather than
from the reports: a period's figures are a sum over `IncidentDailySummary`, whatever the size of
`incidents_incident`. Two things move with the clock and are read from the reports, each through
a partial index that holds only the open reports: "overdue" (the open reports less those whose
resolve deadline is still ahead, as `page_selectors.public_figures` does) and the overdue list.

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

from incidents.models import OPEN_STATUSES, Incident, IncidentStatus
from incidents.summary_models import IncidentDailySummary

FINISHED_STATUSES = (IncidentStatus.RESOLVED, IncidentStatus.CLOSED)
# The hotspot grid's projection: metres east and north of (0, 0) on a plane tangent at the
# province's mean latitude (15.5° N). Over Quảng Ngãi (14.5°–16° N) its scale errs by less than
# 1 %, which a hotspot map does not show, and it is two multiplications per report where
# ST_Transform to UTM costs a PROJ call each (the year's layer reads every report of the year).
METRES_PER_DEGREE_NORTH = 110_574.0
METRES_PER_DEGREE_EAST = 111_320.0 * math.cos(math.radians(15.5))


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
    deadline is at or after `now`."""
    rows = (
        _open_reports(scope)
        .filter(resolve_by__gte=now)
        .values_list("area_id", "agency_id")
        .annotate(count=Count("id"))
    )
    return NotYetDue(counts={(area, agency): count for area, agency, count in rows})


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


# Reports per flat-topped hexagon of side %(side)s metres, in axial coordinates (q, r) with cube
# rounding (a point goes to the hexagon whose centre is nearest). Raw SQL: the rounding is a few
# expressions per report that the ORM cannot group on. Every value is a parameter; the condition
# text is one of the fixed fragments of `hotspot_hexagons`.
_HEXAGON_SQL = """
WITH projected AS (
    SELECT ST_X(location) * %(east)s / %(side)s AS x, ST_Y(location) * %(north)s / %(side)s AS y
    FROM incidents_incident
    WHERE reported_at >= %(start)s AND reported_at < %(end)s {conditions}
), axial AS (
    SELECT 2.0 / 3.0 * x AS q, -1.0 / 3.0 * x + sqrt(3.0) / 3.0 * y AS r FROM projected
), rounded AS (
    SELECT q, r, -q - r AS s, round(q) AS rq, round(r) AS rr, round(-q - r) AS rs FROM axial
)
SELECT CASE WHEN abs(rq - q) > abs(rr - r) AND abs(rq - q) > abs(rs - s) THEN -rr - rs
            ELSE rq END::bigint AS column_q,
       CASE WHEN abs(rq - q) > abs(rr - r) AND abs(rq - q) > abs(rs - s) THEN rr
            WHEN abs(rr - r) > abs(rs - s) THEN -rq - rs
            ELSE rr END::bigint AS row_r,
       count(*)
FROM rounded
GROUP BY 1, 2
ORDER BY 1, 2
"""


def hotspot_hexagons(
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    side_metres: float,
    category_id: int | None = None,
    area_ids: tuple[int, ...] | None = None,
) -> list[Hexagon]:
    """Reports filed in [start, end) counted per hexagon of `side_metres`; only the hexagons that
    hold a report."""
    conditions = ""
    parameters: dict[str, Any] = {
        "east": METRES_PER_DEGREE_EAST, "north": METRES_PER_DEGREE_NORTH,
        "side": side_metres, "start": start, "end": end,
    }  # fmt: skip
    if category_id is not None:
        conditions += " AND category_id = %(category)s"
        parameters["category"] = category_id
    if area_ids is not None:
        conditions += " AND area_id = ANY(%(areas)s)"
        parameters["areas"] = list(area_ids)
    with connection.cursor() as cursor:
        cursor.execute(_HEXAGON_SQL.format(conditions=conditions), parameters)
        return [
            Hexagon(column=q, row=r, reports=count, corners=_corners(q, r, side_metres))
            for q, r, count in cursor.fetchall()
        ]


def _corners(q: int, r: int, side: float) -> tuple[tuple[float, float], ...]:
    centre_x = side * 1.5 * q
    centre_y = side * math.sqrt(3) * (r + q / 2)
    return tuple(
        (
            round((centre_x + side * math.cos(math.radians(60 * k))) / METRES_PER_DEGREE_EAST, 6),
            round((centre_y + side * math.sin(math.radians(60 * k))) / METRES_PER_DEGREE_NORTH, 6),
        )
        for k in range(6)
    )
