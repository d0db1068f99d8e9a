"""Reads behind the officials' map: the boundaries their units answer for and the open reports inside
the view, each as a GeoJSON document assembled by PostgreSQL. Nothing here writes.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone, translation

from geoapp.clock import vietnam_today
from geoapp.sql import SqlParameters, feature, feature_collection
from incidents.models import (
    OPEN_STATUSES,
    IncidentStatus,
    current_deadline_sql,
)
from incidents.staff_queue_selectors import StaffScope, due_soon_limit, staff_scope
from wards.models import AreaLevel
from wards.selectors import areas_feature_collection

# The most pins one answer of the unit's map carries; beyond it the map asks to zoom in.
MAP_REPORTS_LIMIT = 2000


def staff_map_areas(*, user: User, scope: StaffScope | None = None) -> str:
    """The boundaries the user's units answer for today, as a GeoJSON FeatureCollection string:
    the units' current jurisdiction, or every current commune for leaders and administrators."""
    scope = scope or staff_scope(user=user)
    if scope.sees_everything:
        return areas_feature_collection(on=vietnam_today(), level=AreaLevel.COMMUNE)
    return areas_feature_collection(on=vietnam_today(), jurisdiction_of=sorted(scope.agency_ids))


def staff_map_reports(
    *,
    user: User,
    bbox: tuple[float, float, float, float],
    report_url_prefix: str,
    now: datetime.datetime | None = None,
    scope: StaffScope | None = None,
) -> str:
    """The open reports of the user's units inside `bbox` as a GeoJSON FeatureCollection string,
    most urgent first, with each one's status, urgency and current deadline; at most
    MAP_REPORTS_LIMIT (`numberMatched` says how many there were)."""
    now = now or timezone.now()
    scope = scope or staff_scope(user=user)
    min_lon, min_lat, max_lon, max_lat = bbox
    parameters: SqlParameters = {
        "min_lon": min_lon,
        "min_lat": min_lat,
        "max_lon": max_lon,
        "max_lat": max_lat,
        "open": sorted(status.value for status in OPEN_STATUSES),
        "now": now,
        "due_soon_until": due_soon_limit(now),
        "limit": MAP_REPORTS_LIMIT,
        "prefix": report_url_prefix,
        "english": translation.get_language() == "en",
    }
    conditions = [
        "i.status = ANY(%(open)s)",
        # && alone decides for points and uses the GiST index on location.
        "i.location && ST_MakeEnvelope(%(min_lon)s, %(min_lat)s, %(max_lon)s, %(max_lat)s, 4326)",
    ]
    if not scope.sees_everything:
        conditions.append("i.agency_id = ANY(%(agency_ids)s)")
        parameters["agency_ids"] = sorted(scope.agency_ids)
    status_labels = " ".join(
        f"WHEN '{status.value}' THEN %(status_label_{index})s"
        for index, status in enumerate(IncidentStatus)
    )
    for index, status in enumerate(IncidentStatus):
        parameters[f"status_label_{index}"] = str(status.label)
    # Raw SQL to assemble the collection in PostgreSQL (a per-row serializer is tens of times
    # slower at thousands of pins). The interpolated text is the fixed condition list and the
    # status values of IncidentStatus, never user input; every value is a parameter.
    properties = f"""
                    'tracking_code', tracking_code,
                    'url', %(prefix)s || tracking_code || '/',
                    'status', status,
                    'status_label', CASE status {status_labels} END,
                    'category_name', category_name,
                    'urgency', CASE WHEN deadline < %(now)s THEN 'overdue'
                                    WHEN deadline <= %(due_soon_until)s THEN 'due_soon'
                                    ELSE '' END,
                    'deadline', to_char(deadline AT TIME ZONE 'Asia/Ho_Chi_Minh',
                                        'HH24:MI DD/MM/YYYY')
    """
    collection = feature_collection(
        feature(feature_id="tracking_code", geometry="location", properties=properties),
        order_by="deadline, id",
        members="'numberMatched', COALESCE(max(matched), 0), 'numberReturned', count(id)",
    )
    sql = f"""
        WITH matching AS (
            SELECT i.id, i.tracking_code, i.location, i.status,
                   {current_deadline_sql("i")}
                       AS deadline,
                   CASE WHEN %(english)s AND c.name_en <> '' THEN c.name_en ELSE c.name END
                       AS category_name,
                   count(*) OVER () AS matched
            FROM incidents_incident i
            JOIN incidents_category c ON c.id = i.category_id
            WHERE {" AND ".join(conditions)}
        ), page AS (
            SELECT * FROM matching ORDER BY deadline, id LIMIT %(limit)s
        )
        SELECT {collection}::text
        FROM page
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return cursor.fetchone()[0]
