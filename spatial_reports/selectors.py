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


def _filters(query: ReportQuery, *, alias: str, raw: bool) -> tuple[list[str], dict[str, Any]]:
    """The conditions shared by every read, on the reports (`raw`) or on the daily summaries."""
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
        assert raw, "a polygon is answered from the reports' points"
        conditions.append(f"ST_Intersects({alias}.location, ST_GeomFromEWKB(%(polygon)s))")
        parameters["polygon"] = bytes(query.polygon.ewkb)
    return conditions, parameters


_GROUP_KEYS_RAW: Final = {
    "commune": "i.area_id::text",
    "unit": "i.agency_id::text",
    "month": "to_char(i.reported_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM')",
    "none": "''",
}
_GROUP_KEYS_SUMMARY: Final = {
    "commune": "s.area_id::text",
    "unit": "s.agency_id::text",
    "month": "to_char(s.day, 'YYYY-MM')",
    "none": "''",
}


def report_summary(query: ReportQuery) -> Summary:
    """Counts per group: reports in the period, in the previous period of the same length,
    resolved, and resolved by their deadline."""
    with_previous = query.grouping != "month"
    first_day = query.previous_period[0] if with_previous else query.date_from
    if query.polygon is None:
        conditions, parameters = _filters(query, alias="s", raw=False)
        # Days as dates: the summaries are kept per day of Vietnam's calendar.
        conditions[:0] = ["s.day >= %(first)s", "s.day <= %(last)s"]
        parameters.update(first=first_day, last=query.date_to, start=query.date_from)
        current = "s.day >= %(start)s"
        aggregate = (
            f"SELECT {_GROUP_KEYS_SUMMARY[query.grouping]} AS key, "
            f"coalesce(sum(s.reports) FILTER (WHERE {current}), 0) AS reports, "
            f"coalesce(sum(s.reports) FILTER (WHERE NOT ({current})), 0) AS previous, "
            f"coalesce(sum(s.resolved) FILTER (WHERE {current}), 0) AS resolved, "
            f"coalesce(sum(s.resolved_on_time) FILTER (WHERE {current}), 0) AS on_time "
            f"FROM incidents_incidentdailysummary s WHERE {' AND '.join(conditions)} GROUP BY 1"
        )
    else:
        conditions, parameters = _filters(query, alias="i", raw=True)
        conditions[:0] = ["i.reported_at >= %(first)s", "i.reported_at < %(last)s"]
        parameters.update(
            first=_moment(first_day),
            last=_moment(query.date_to + datetime.timedelta(days=1)),
            start=_moment(query.date_from),
        )
        current = "i.reported_at >= %(start)s"
        aggregate = (
            f"SELECT {_GROUP_KEYS_RAW[query.grouping]} AS key, "
            f"count(*) FILTER (WHERE {current}) AS reports, "
            f"count(*) FILTER (WHERE NOT ({current})) AS previous, "
            f"count(*) FILTER (WHERE {current} AND i.resolved_at IS NOT NULL) AS resolved, "
            f"count(*) FILTER (WHERE {current} AND i.resolved_at <= i.resolve_by) AS on_time "
            f"FROM incidents_incident i WHERE {' AND '.join(conditions)} GROUP BY 1"
        )
    with connection.cursor() as cursor:
        cursor.execute(_labelled(aggregate, query.grouping), parameters)
        found = cursor.fetchall()
    rows = [
        SummaryRow(
            key=key,
            label=label,
            validity=validity,
            reports=int(reports),
            previous_reports=int(previous) if with_previous else None,
            resolved=int(resolved),
            resolved_on_time=int(on_time),
            area_km2=float(area_km2) if area_km2 is not None else None,
        )
        for key, label, validity, area_km2, reports, previous, resolved, on_time in found
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
            f"FROM ({aggregate}) k JOIN wards_area a ON a.id = k.key::bigint "
            "ORDER BY a.code, a.valid_from"
        )
    if grouping == "unit":
        return (
            "SELECT g.code, g.name, '', NULL::float, k.reports, k.previous, k.resolved, k.on_time "
            f"FROM ({aggregate}) k JOIN wards_agency g ON g.id = k.key::bigint ORDER BY g.name, g.code"
        )
    return (
        "SELECT k.key, k.key, '', NULL::float, k.reports, k.previous, k.resolved, k.on_time "
        f"FROM ({aggregate}) k ORDER BY k.key"
    )


def _period_conditions(query: ReportQuery) -> tuple[list[str], dict[str, Any]]:
    conditions, parameters = _filters(query, alias="i", raw=True)
    conditions[:0] = ["i.reported_at >= %(first)s", "i.reported_at < %(last)s"]
    parameters.update(
        first=_moment(query.date_from), last=_moment(query.date_to + datetime.timedelta(days=1))
    )
    return conditions, parameters


def report_count(query: ReportQuery) -> int:
    """How many reports a download of the query holds."""
    if query.polygon is None:
        return report_summary(query).reports
    conditions, parameters = _period_conditions(query)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM incidents_incident i WHERE {' AND '.join(conditions)}",
            parameters,
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


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
