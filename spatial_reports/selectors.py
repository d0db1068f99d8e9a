"""Reads of the report builder: the summary table, the points of the map, the rows of a download.

A summary without a drawn polygon reads the daily summaries that triggers keep with the reports
(incidents.summary_models.IncidentDailySummary: one row per day, area, unit, category and
status), so a year per commune costs what the summary holds, not the size of the reports table;
a polygon needs the reports' points, and the GiST index on them.

Every report counts, whatever its status and public flag (the status filter narrows it); no
column holding a person (name, phone, e-mail, address, description, attributes) is ever read.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any, Final

from django.db import connection

from geoapp.clock import VIETNAM_TIME_ZONE
from spatial_reports.queries import ReportQuery

MAP_POINTS_LIMIT: Final = 2_000


@dataclass(frozen=True)
class SummaryRow:
    """One line of the table. `previous_reports` is the count over the period of the same length
    just before (None per month, where it has no meaning); `density_per_km2` only per commune."""

    key: str
    label: str
    validity: str
    reports: int
    previous_reports: int | None
    resolved: int
    resolved_on_time: int
    area_km2: float | None

    @property
    def on_time_rate(self) -> float | None:
        return None if not self.resolved else self.resolved_on_time / self.resolved

    @property
    def change(self) -> int | None:
        return None if self.previous_reports is None else self.reports - self.previous_reports

    @property
    def density_per_km2(self) -> float | None:
        return None if not self.area_km2 else self.reports / self.area_km2


@dataclass(frozen=True)
class Summary:
    rows: list[SummaryRow]
    reports: int
    previous_reports: int | None
    resolved: int
    resolved_on_time: int

    @property
    def on_time_rate(self) -> float | None:
        return None if not self.resolved else self.resolved_on_time / self.resolved


def _moment(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=VIETNAM_TIME_ZONE)


def _filters(
    query: ReportQuery, *, alias: str, summaries: bool
) -> tuple[list[str], dict[str, Any]]:
    """The conditions shared by every read, on the reports or on the daily summaries."""
    conditions: list[str] = []
    parameters: dict[str, Any] = {}
    if query.categories:
        conditions.append(
            f"{alias}.category_id IN (SELECT id FROM incidents_category "
            "WHERE code = ANY(%(categories)s))"
        )
        parameters["categories"] = list(query.categories)
    if query.statuses:
        conditions.append(f"{alias}.status = ANY(%(statuses)s)")
        parameters["statuses"] = list(query.statuses)
    if query.area_codes:
        # A code names different areas on either side of a reform: every commune that carried
        # the code, each report counted in the area it was routed to on its date.
        conditions.append(
            f"{alias}.area_id IN (SELECT id FROM wards_area "
            "WHERE level = 'commune' AND code = ANY(%(area_codes)s))"
        )
        parameters["area_codes"] = list(query.area_codes)
    if query.polygon is not None:
        # The summaries have no points: the caller limits them to the communes the polygon
        # covers whole (_POLYGON_COMMUNES); the reports' points are tested here.
        parameters["polygon"] = bytes(query.polygon.ewkb)
    if query.polygon is not None and not summaries:
        conditions.append(f"ST_Intersects({alias}.location, ST_GeomFromEWKB(%(polygon)s))")
    return conditions, parameters


# Group keys in their own types: grouping 157,000 summary rows by a text cast of the area's id
# took half the statement's time at 1,000,000 reports.
_GROUP_KEYS_RAW: Final = {
    "commune": "i.area_id",
    "unit": "i.agency_id",
    "month": "to_char(i.reported_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM')",
    "none": "0",
}
_GROUP_KEYS_SUMMARY: Final = {
    "commune": "s.area_id",
    "unit": "s.agency_id",
    "month": "to_char(s.day, 'YYYY-MM')",
    "none": "0",
}

# The communes a polygon meets, and whether it covers each whole. A report lies inside the
# commune it was routed to (routing found that commune's boundary covering its point), so the
# reports of a wholly covered commune are all inside the polygon and are counted from the daily
# summaries; only the communes on the polygon's edge need their reports' points tested.
_POLYGON_COMMUNES: Final = (
    "WITH communes AS (SELECT a.id, ST_Covers(ST_GeomFromEWKB(%(polygon)s), a.boundary) AS whole "
    "FROM wards_area a WHERE a.level = 'commune' "
    "AND ST_Intersects(a.boundary, ST_GeomFromEWKB(%(polygon)s))) "
)


def _summary_aggregate(
    query: ReportQuery, *, first_day: datetime.date
) -> tuple[str, dict[str, Any]]:
    """Counts per key from the daily summaries, over the days first_day..date_to."""
    conditions, parameters = _filters(query, alias="s", summaries=True)
    conditions[:0] = ["s.day >= %(first)s", "s.day <= %(last)s"]
    parameters.update(first=first_day, last=query.date_to, start=query.date_from)
    current = "s.day >= %(start)s"
    return (
        f"SELECT {_GROUP_KEYS_SUMMARY[query.grouping]} AS key, "
        f"sum(s.reports) FILTER (WHERE {current}) AS reports, "
        f"sum(s.reports) FILTER (WHERE NOT ({current})) AS previous, "
        f"sum(s.resolved) FILTER (WHERE {current}) AS resolved, "
        f"sum(s.resolved_on_time) FILTER (WHERE {current}) AS on_time "
        f"FROM incidents_incidentdailysummary s WHERE {' AND '.join(conditions)} GROUP BY 1"
    ), parameters


def _points_aggregate(
    query: ReportQuery, *, first_day: datetime.date
) -> tuple[str, dict[str, Any]]:
    """Counts per key from the reports themselves, over the moments of first_day..date_to."""
    conditions, parameters = _filters(query, alias="i", summaries=False)
    conditions[:0] = ["i.reported_at >= %(first_moment)s", "i.reported_at < %(last_moment)s"]
    parameters.update(
        first_moment=_moment(first_day),
        last_moment=_moment(query.date_to + datetime.timedelta(days=1)),
        start_moment=_moment(query.date_from),
    )
    current = "i.reported_at >= %(start_moment)s"
    return (
        f"SELECT {_GROUP_KEYS_RAW[query.grouping]} AS key, "
        f"count(*) FILTER (WHERE {current}) AS reports, "
        f"count(*) FILTER (WHERE NOT ({current})) AS previous, "
        f"count(*) FILTER (WHERE {current} AND i.resolved_at IS NOT NULL) AS resolved, "
        f"count(*) FILTER (WHERE {current} AND i.resolved_at <= i.resolve_by) AS on_time "
        f"FROM incidents_incident i WHERE {' AND '.join(conditions)} GROUP BY 1"
    ), parameters


def report_summary(query: ReportQuery) -> Summary:
    """Counts per group: reports in the period, in the previous period of the same length,
    resolved, and resolved by their deadline."""
    with_previous = query.grouping != "month"
    first_day = query.previous_period[0] if with_previous else query.date_from
    if query.polygon is None:
        aggregate, parameters = _summary_aggregate(query, first_day=first_day)
        prefix = ""
    else:
        whole, parameters = _summary_aggregate(query, first_day=first_day)
        edge, edge_parameters = _points_aggregate(query, first_day=first_day)
        parameters.update(edge_parameters)
        prefix = _POLYGON_COMMUNES
        aggregate = (
            "SELECT key, sum(reports) AS reports, sum(previous) AS previous, "
            "sum(resolved) AS resolved, sum(on_time) AS on_time FROM ("
            f"{whole.replace(' GROUP BY 1', ' AND s.area_id IN (SELECT id FROM communes WHERE whole) GROUP BY 1')} "
            "UNION ALL "
            f"{edge.replace(' GROUP BY 1', ' AND i.area_id IN (SELECT id FROM communes WHERE NOT whole) GROUP BY 1')}"
            ") parts GROUP BY key"
        )
    with connection.cursor() as cursor:
        cursor.execute(prefix + _labelled(aggregate, query.grouping), parameters)
        found = cursor.fetchall()
    rows = [
        SummaryRow(
            key=str(key),
            label=label,
            validity=validity,
            reports=int(reports or 0),
            previous_reports=int(previous or 0) if with_previous else None,
            resolved=int(resolved or 0),
            resolved_on_time=int(on_time or 0),
            area_km2=float(area_km2) if area_km2 is not None else None,
        )
        for key, label, validity, area_km2, reports, previous, resolved, on_time in found
        if reports or previous
    ]
    return Summary(
        rows=rows,
        reports=sum(row.reports for row in rows),
        previous_reports=sum(row.previous_reports or 0 for row in rows) if with_previous else None,
        resolved=sum(row.resolved for row in rows),
        resolved_on_time=sum(row.resolved_on_time for row in rows),
    )


def _labelled(aggregate: str, grouping: str) -> str:
    """The aggregate joined to the names of its groups (one lookup per group, not per report)."""
    if grouping == "commune":
        return (
            "SELECT a.code, a.name, a.valid_from::text || '/' || coalesce(a.valid_to::text, ''), "
            "a.area_km2, k.reports, k.previous, k.resolved, k.on_time "
            f"FROM ({aggregate}) k JOIN wards_area a ON a.id = k.key "
            "ORDER BY a.code, a.valid_from"
        )
    if grouping == "unit":
        return (
            "SELECT g.code, g.name, '', NULL::float, k.reports, k.previous, k.resolved, k.on_time "
            f"FROM ({aggregate}) k JOIN wards_agency g ON g.id = k.key ORDER BY g.name, g.code"
        )
    return (
        "SELECT k.key::text, k.key::text, '', NULL::float, k.reports, k.previous, k.resolved, "
        f"k.on_time FROM ({aggregate}) k ORDER BY k.key"
    )


def _period_conditions(query: ReportQuery) -> tuple[list[str], dict[str, Any]]:
    conditions, parameters = _filters(query, alias="i", summaries=False)
    conditions[:0] = ["i.reported_at >= %(first)s", "i.reported_at < %(last)s"]
    parameters.update(
        first=_moment(query.date_from), last=_moment(query.date_to + datetime.timedelta(days=1))
    )
    return conditions, parameters


def report_count(query: ReportQuery) -> int:
    """How many reports a download of the query holds (from the summaries where they can)."""
    return report_summary(query).reports


# The columns of every download, ten characters at most so that a Shapefile keeps them whole.
EXPORT_COLUMNS: Final = (
    "code",
    "category",
    "status",
    "reported",
    "commune",
    "commune_nm",
    "unit",
    "due",
    "resolved",
    "on_time",
)

_EXPORT_SQL: Final = """
SELECT i.tracking_code AS code, c.code AS category, i.status,
       to_char(i.reported_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD"T"HH24:MI:SS"+07:00"')
           AS reported,
       a.code AS commune, a.name AS commune_nm, g.code AS unit,
       to_char(i.resolve_by AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD"T"HH24:MI:SS"+07:00"')
           AS due,
       to_char(i.resolved_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD"T"HH24:MI:SS"+07:00"')
           AS resolved,
       CASE WHEN i.resolved_at IS NULL THEN NULL ELSE i.resolved_at <= i.resolve_by END AS on_time,
       ST_X(i.location), ST_Y(i.location)
FROM incidents_incident i
JOIN incidents_category c ON c.id = i.category_id
JOIN wards_area a ON a.id = i.area_id
JOIN wards_agency g ON g.id = i.agency_id
WHERE {conditions}
ORDER BY i.reported_at, i.id
{limit}
"""


def report_rows(query: ReportQuery, *, limit: int | None = None) -> list[tuple[Any, ...]]:
    """The reports of the query, oldest first: EXPORT_COLUMNS, then longitude and latitude."""
    conditions, parameters = _period_conditions(query)
    sql = _EXPORT_SQL.format(
        conditions=" AND ".join(conditions), limit="LIMIT %(limit)s" if limit else ""
    )
    if limit:
        parameters["limit"] = limit
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return list(cursor.fetchall())


def report_points(query: ReportQuery) -> dict[str, Any]:
    """The newest MAP_POINTS_LIMIT reports of the query as a GeoJSON FeatureCollection for the
    page's map, with `truncated` when there are more."""
    conditions, parameters = _period_conditions(query)
    parameters["limit"] = MAP_POINTS_LIMIT + 1
    with connection.cursor() as cursor:
        # The features are assembled by PostgreSQL (docs/DESIGN.md: about 50 times faster than
        # serialising models), newest first along the index on reported_at.
        cursor.execute(
            "SELECT json_build_object('type', 'Feature', "
            "'geometry', ST_AsGeoJSON(i.location, 6)::json, "
            "'properties', json_build_object('code', i.tracking_code, 'category', c.code, "
            "'status', i.status))::text "
            "FROM incidents_incident i JOIN incidents_category c ON c.id = i.category_id "
            f"WHERE {' AND '.join(conditions)} "
            "ORDER BY i.reported_at DESC, i.id DESC LIMIT %(limit)s",
            parameters,
        )
        features = [row[0] for row in cursor.fetchall()]
    return {
        "type": "FeatureCollection",
        "features": [json.loads(text) for text in features[:MAP_POINTS_LIMIT]],
        "truncated": len(features) > MAP_POINTS_LIMIT,
    }
