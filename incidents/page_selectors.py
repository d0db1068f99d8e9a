"""Reads for the citizens' pages: the public map (grouped by a grid at low zoom), the latest public
answers, the home page's figures, a report seen by its reporter, and public photos.

Everything here is public output: no reporter name, phone, email or token, no internal event,
no hidden text or photo, no EXIF data. A report is public under the same rule as the core's
selectors (`incidents.selectors`): `is_public` and not rejected as spam.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Prefetch, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from geoapp.clock import VIETNAM_TIME_ZONE, start_of_vietnam_day
from geoapp.exceptions import InvalidInput, NotFound
from geoapp.sql import SqlParameters, feature_collection
from incidents.models import (
    OPEN_STATUSES,
    Category,
    Incident,
    IncidentEvent,
    IncidentPhoto,
    IncidentStatus,
    IncidentUnitSummary,
)
from incidents.selectors import PublicIncidentFilters, public_incident_conditions
from incidents.summary_models import MAP_ZOOM_BANDS
from incidents.tracking_codes import tracking_code_normalize
from wards.models import Area, AreaLevel

# The map groups reports into square cells about this many screen pixels wide (Leaflet's tiles
# are 256 pixels, and at zoom z the world's 360 degrees span 256·2^z pixels).
CLUSTER_CELL_PIXELS = 64
# From this zoom on (a street: one screen covers about 1.5 km) the map shows every report.
INDIVIDUAL_PINS_FROM_ZOOM = 16
MAXIMUM_ZOOM = 22
LATEST_ANSWERS_LIMIT = 6


# The public map


def parse_zoom(text: object) -> int:
    """A Leaflet zoom level, 0 (the world) to 22 (a house)."""
    try:
        zoom = int(str(text))
    except (TypeError, ValueError):
        zoom = -1
    if not 0 <= zoom <= MAXIMUM_ZOOM:
        raise InvalidInput(
            _("zoom phải là số nguyên từ 0 đến %(maximum)d, nhận được “%(value)s”.")
            % {"maximum": MAXIMUM_ZOOM, "value": text if text not in (None, "") else "—"},
            code="invalid_zoom",
        )
    return zoom


def cell_size_degrees(zoom: int) -> float:
    """The side of a grouping cell, in degrees, at `zoom`."""
    return 360.0 / (256 * 2**zoom) * CLUSTER_CELL_PIXELS


# One report as a map feature: public fields only. `i` is the report, `c` its category.
_INCIDENT_FEATURE_SQL = """
    json_build_object(
        'type', 'Feature',
        'id', i.tracking_code,
        'geometry', json_build_object(
            'type', 'Point',
            'coordinates', json_build_array(
                round(ST_X(i.location)::numeric, 6), round(ST_Y(i.location)::numeric, 6)
            )
        ),
        'properties', json_build_object(
            'kind', 'incident',
            'tracking_code', i.tracking_code,
            'category', c.code,
            'category_name', c.name,
            'category_name_en', c.name_en,
            'status', i.status,
            'overdue', (i.status = ANY(%(open_statuses)s) AND i.resolve_by < %(now)s),
            'reported_at', to_char(i.reported_at AT TIME ZONE 'Asia/Ho_Chi_Minh',
                                   'YYYY-MM-DD"T"HH24:MI:SS"+07:00"'),
            'supporters_count', i.supporters_count
        )
    )
"""

# Grid clustering: each report falls in the cell floor(x / size), floor(y / size) of a grid
# anchored at (0°, 0°) — the snapping of ST_SnapToGrid, kept as two integers so that GROUP BY
# compares integers rather than geometries, and so a cell never moves while the map pans. A
# cell's marker sits at the mean of its reports, where they are, not at the cell's centre. A cell
# holding one report is sent as that report, so the map can draw its pin at once.
_CLUSTER_FEATURE_SQL = """
            CASE WHEN cells.reports = 1 THEN {incident_feature}
            ELSE json_build_object(
                'type', 'Feature',
                'id', 'cell:' || cells.cell_column || ':' || cells.cell_row,
                'geometry', json_build_object(
                    'type', 'Point',
                    'coordinates', json_build_array(
                        round(cells.x::numeric, 6), round(cells.y::numeric, 6)
                    )
                ),
                'properties', json_build_object(
                    'kind', 'cluster',
                    'count', cells.reports,
                    'overdue', cells.overdue,
                    'statuses', cells.statuses
                )
            ) END
"""
_CLUSTERS_SQL = """
    WITH matched AS (
        SELECT i.id, i.status,
               (i.status = ANY(%(open_statuses)s) AND i.resolve_by < %(now)s) AS overdue,
               ST_X(i.location) AS x, ST_Y(i.location) AS y
        FROM incidents_incident i
        WHERE {conditions}
    ),
    cells AS (
        SELECT floor(x / %(cell)s)::bigint AS cell_column,
               floor(y / %(cell)s)::bigint AS cell_row,
               count(*)::integer AS reports,
               (count(*) FILTER (WHERE overdue))::integer AS overdue,
               avg(x) AS x, avg(y) AS y,
               json_strip_nulls(json_build_object({status_counts})) AS statuses,
               min(id) AS first_id
        FROM matched
        GROUP BY 1, 2
    ),
    -- The largest groups, at most %(limit)s of them: a box far wider than a screen at a high
    -- zoom (the world at zoom 15: cells of 300 m) would otherwise answer one group per report.
    kept AS (
        SELECT cells.*, count(*) OVER () AS cells_matched,
               sum(cells.reports) OVER () AS reports_matched
        FROM cells
        ORDER BY cells.reports DESC, cells.cell_column, cells.cell_row
        LIMIT %(limit)s
    )
    SELECT {collection}::text
    FROM kept AS cells
    -- One primary-key lookup per cell of a single report, rather than a hash of the whole table
    -- that a plain join builds (the planner expects many more cells than there are); LIMIT keeps
    -- the planner from flattening the lateral subquery back into that join.
    LEFT JOIN LATERAL (
        SELECT * FROM incidents_incident WHERE id = cells.first_id AND cells.reports = 1 LIMIT 1
    ) i ON true
    LEFT JOIN incidents_category c ON c.id = i.category_id
"""

_CLUSTER_COLLECTION_SQL = feature_collection(
    _CLUSTER_FEATURE_SQL.format(incident_feature=_INCIDENT_FEATURE_SQL),
    order_by="cells.reports DESC, cells.cell_column, cells.cell_row",
    members="'grouped', true, 'zoom', %(zoom)s, 'cell_degrees', %(cell)s, "
    "'numberMatched', COALESCE(max(cells.reports_matched), 0), "
    "'truncated', COALESCE(max(cells.cells_matched), 0) > count(*)",
)
_PIN_COLLECTION_SQL = feature_collection(
    _INCIDENT_FEATURE_SQL,
    order_by="i.reported_at DESC, i.id DESC",
    members="'grouped', false, 'zoom', %(zoom)s, "
    "'numberMatched', COALESCE(max(i.matched), 0), 'numberReturned', count(i.id), "
    "'truncated', COALESCE(max(i.matched), 0) > count(i.id)",
)

# Per cell, the count of each status it holds (statuses it does not hold are left out): one
# aggregate pass, where grouping by cell and status first would sort every row.
_STATUS_COUNTS_SQL = ", ".join(
    f"'{status.value}', NULLIF(count(*) FILTER (WHERE status = '{status.value}'), 0)"
    for status in IncidentStatus
)

# The page keeps every column a feature shows: joining the reports again by id would read each
# of the (up to INCIDENT_MAP_FEATURES_MAX) rows a second time through the primary key.
_PINS_SQL = """
    WITH page AS (
        SELECT i.id, i.tracking_code, i.location, i.category_id, i.status, i.resolve_by,
               i.reported_at, i.supporters_count, count(*) OVER () AS matched
        FROM incidents_incident i
        WHERE {conditions}
        ORDER BY i.reported_at DESC, i.id DESC
        LIMIT %(limit)s
    )
    SELECT {collection}::text
    FROM page i
    JOIN incidents_category c ON c.id = i.category_id
"""


# The grouped map from the grids (IncidentMapOverviewCell without a category
# filter, IncidentMapCell with one): the band at or above the
# zoom, its cells regrouped into the zoom's (a right shift of column and row, see
# MAP_ZOOM_BANDS), so the work is bounded by the cells on screen, not the reports under them.
# "Overdue" moves with the clock: the grids keep the open reports by the day of their resolve
# deadline, so a cell's overdue reports are its rows of the days before today plus the reports
# due earlier today, read from the reports through the partial index incident_open_resolve_by
# (one day's deadlines, however old and large the table).
# The grids lag the reports by the changes not yet folded into them (IncidentMapChange, folded
# every few seconds; of public reports: the table holds the hotspots' changes of every report
# too): those are added here, computed to the band's cells as the fold computes
# them (the same floor of the same doubles, the exact decimals the trigger stored), so every answer is exact
# whether or not the fold has run. The pending table has no index and is read whole: it holds
# a few seconds of changes (the nightly rebuild folds it if the beat stops). A cell whose
# pending changes take its last reports away sums to zero and is left out.
_GRID_CLUSTERS_SQL = """
    WITH band_cells AS (
        SELECT m.cell_column >> %(shift)s AS cell_column, m.cell_row >> %(shift)s AS cell_row,
               m.status, m.resolve_day, m.reports, m.longitude_total, m.latitude_total,
               m.incident_id_total
        FROM {grid} m
        WHERE m.zoom = %(band)s
          AND m.cell_column BETWEEN %(band_column_min)s AND %(band_column_max)s
          AND m.cell_row BETWEEN %(band_row_min)s AND %(band_row_max)s
          {cell_conditions}
        UNION ALL
        SELECT m.cell_column >> %(shift)s, m.cell_row >> %(shift)s,
               m.status, m.resolve_day, m.sign, m.sign * m.exact_longitude,
               m.sign * m.exact_latitude, m.sign * m.incident_id
        FROM (
            SELECT c.*,
                   floor(c.longitude / %(band_cell)s)::bigint AS cell_column,
                   floor(c.latitude / %(band_cell)s)::bigint AS cell_row
            FROM incidents_incidentmapchange c
            -- The hotspots' changes of reports the public does not see (migration 0019).
            WHERE c.publicly_visible
        ) m
        WHERE m.cell_column BETWEEN %(band_column_min)s AND %(band_column_max)s
          AND m.cell_row BETWEEN %(band_row_min)s AND %(band_row_max)s
          {cell_conditions}
    ),
    due_earlier_today AS (
        SELECT floor(ST_X(i.location) / %(cell)s)::bigint AS cell_column,
               floor(ST_Y(i.location) / %(cell)s)::bigint AS cell_row,
               count(*) AS reports
        FROM incidents_incident i
        WHERE {conditions} AND i.status = ANY(%(open_statuses)s)
          AND i.resolve_by >= %(start_of_today)s AND i.resolve_by < %(now)s
        GROUP BY 1, 2
    ),
    grouped AS (
        SELECT cell_column, cell_row,
               sum(reports)::integer AS reports,
               coalesce(sum(reports) FILTER (
                   WHERE status = ANY(%(open_statuses)s) AND resolve_day < %(today)s
               ), 0) AS overdue_before_today,
               (sum(longitude_total) / sum(reports))::double precision AS x,
               (sum(latitude_total) / sum(reports))::double precision AS y,
               json_strip_nulls(json_build_object({status_counts})) AS statuses,
               -- The sum of the ids of a cell of one report is that report's id.
               sum(incident_id_total)::bigint AS first_id
        FROM band_cells
        GROUP BY 1, 2
        HAVING sum(reports) <> 0
    ),
    cells AS (
        SELECT grouped.cell_column, grouped.cell_row, grouped.reports, grouped.x, grouped.y,
               grouped.statuses, grouped.first_id,
               (grouped.overdue_before_today + coalesce(due_earlier_today.reports, 0))::integer
                   AS overdue
        FROM grouped
        LEFT JOIN due_earlier_today USING (cell_column, cell_row)
    ),
    kept AS (
        SELECT cells.*, count(*) OVER () AS cells_matched,
               sum(cells.reports) OVER () AS reports_matched
        FROM cells
        ORDER BY cells.reports DESC, cells.cell_column, cells.cell_row
        LIMIT %(limit)s
    )
    SELECT {collection}::text
    FROM kept AS cells
    LEFT JOIN LATERAL (
        SELECT * FROM incidents_incident WHERE id = cells.first_id AND cells.reports = 1 LIMIT 1
    ) i ON true
    LEFT JOIN incidents_category c ON c.id = i.category_id
"""

_GRID_STATUS_COUNTS_SQL = ", ".join(
    f"'{status.value}', NULLIF(sum(reports) FILTER (WHERE status = '{status.value}'), 0)"
    for status in IncidentStatus
)


def map_zoom_band(zoom: int) -> int:
    """The grid a grouped zoom is answered from: the nearest band at or above it."""
    return next(band for band in MAP_ZOOM_BANDS if band >= zoom)


def _grid_parameters(
    zoom: int, box: tuple[float, float, float, float], parameters: SqlParameters
) -> None:
    """The band, the shift from it to `zoom`, and the band's columns and rows under the whole
    cells of `zoom` that `box` touches."""
    band = map_zoom_band(zoom)
    shift = band - zoom
    cell = cell_size_degrees(zoom)
    min_lon, min_lat, max_lon, max_lat = box
    first_column, first_row = math.floor(min_lon / cell), math.floor(min_lat / cell)
    last_column, last_row = math.floor(max_lon / cell), math.floor(max_lat / cell)
    parameters.update(
        band=band,
        shift=shift,
        band_column_min=first_column << shift,
        band_column_max=((last_column + 1) << shift) - 1,
        band_row_min=first_row << shift,
        band_row_max=((last_row + 1) << shift) - 1,
        # 90/2^band, exactly the grids' _CELL (a power of two: no rounding either side).
        band_cell=cell_size_degrees(band),
    )


def incidents_map_features(
    *,
    filters: PublicIncidentFilters,
    zoom: int,
    now: datetime.datetime | None = None,
) -> str:
    """The public reports inside `filters.bbox`, as a GeoJSON FeatureCollection string.

    Below INDIVIDUAL_PINS_FROM_ZOOM the reports are grouped on a grid whose cells are about
    CLUSTER_CELL_PIXELS wide on screen at `zoom`: one feature per cell with its report count,
    its count per status and how many are overdue (a cell of one report is that report). From
    that zoom on, one feature per report, newest first. Built in PostgreSQL (json_build_object):
    at 10,000 reports a Python serializer costs tens of times more.

    Grouped, without a filter by area or period, the answer comes from the grids
    (`IncidentMapOverviewCell`, or `IncidentMapCell` by category) plus their pending changes
    (`IncidentMapChange`), so its work is bounded by the cells on screen and a few seconds of
    changes, whatever the number of reports under them; with those filters, from the reports
    the filters select.

    A bounding box is required; in grouped mode it is widened to whole cells, so that a cell's
    count never depends on where the screen's edge is. Either way the answer holds at most
    INCIDENT_MAP_FEATURES_MAX features (the largest groups, or the newest reports) and says
    `"truncated": true` when there were more. A screen at any zoom holds far fewer; only a box
    far wider than a screen reaches the cap. The box is neither refused nor clamped for its size:
    every report lies inside the territory, so a bigger box reads no more rows than the province
    seen at zoom 6, which is the map's own opening view, and the cap bounds what is sent.
    """
    if filters.bbox is None:
        raise InvalidInput(
            _(
                "Cần tham số bbox (kinh độ nhỏ nhất, vĩ độ nhỏ nhất, kinh độ lớn nhất, vĩ độ lớn nhất)."
            ),
            code="missing_bbox",
        )
    grouped = zoom < INDIVIDUAL_PINS_FROM_ZOOM
    min_lon, min_lat, max_lon, max_lat = filters.bbox
    moment = now or timezone.now()
    parameters: SqlParameters = {
        "zoom": zoom,
        "limit": settings.INCIDENT_MAP_FEATURES_MAX,
        "now": moment,
        "open_statuses": sorted(status.value for status in OPEN_STATUSES),
    }
    if grouped:
        cell = cell_size_degrees(zoom)
        parameters["cell"] = cell
        box = (
            math.floor(min_lon / cell) * cell,
            math.floor(min_lat / cell) * cell,
            (math.floor(max_lon / cell) + 1) * cell,
            (math.floor(max_lat / cell) + 1) * cell,
        )
    else:
        box = filters.bbox
    conditions = public_incident_conditions(filters=filters, box=box, parameters=parameters)
    if grouped and filters.area_code is None and not (filters.reported_from or filters.reported_to):
        # The grids hold every public report by category and status; a filter by area or
        # period is answered from the reports (below), which those filters narrow.
        _grid_parameters(zoom, filters.bbox, parameters)
        today = timezone.localdate(moment, VIETNAM_TIME_ZONE)
        parameters.update(today=today, start_of_today=start_of_vietnam_day(today))
        cell_conditions = ""
        # Without a category, the grid without that column: a row per status and open deadline
        # day under each cell on screen, rather than one per category too (issue 10).
        grid = "incidents_incidentmapoverviewcell"
        if filters.category:
            grid = "incidents_incidentmapcell"
            cell_conditions += (
                " AND m.category_id = (SELECT id FROM incidents_category WHERE code = %(category)s)"
            )
        if filters.status:
            cell_conditions += " AND m.status = %(status)s"
        sql = _GRID_CLUSTERS_SQL.format(
            grid=grid,
            cell_conditions=cell_conditions,
            conditions=" AND ".join(conditions),
            status_counts=_GRID_STATUS_COUNTS_SQL,
            collection=_CLUSTER_COLLECTION_SQL,
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, parameters)
            return cursor.fetchone()[0]
    # Raw SQL because the ORM can neither group on computed cells nor aggregate rows into one
    # JSON document. Every value is a parameter; the interpolated text is the fixed condition
    # list above and the fixed feature template, never user input.
    sql = (_CLUSTERS_SQL if grouped else _PINS_SQL).format(
        conditions=" AND ".join(conditions),
        status_counts=_STATUS_COUNTS_SQL,
        collection=_CLUSTER_COLLECTION_SQL if grouped else _PIN_COLLECTION_SQL,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return cursor.fetchone()[0]


# The home page


@dataclass(frozen=True)
class PublicFigures:
    total: int
    open: int
    resolved: int
    overdue: int


def public_figures(*, now: datetime.datetime | None = None) -> PublicFigures:
    """How many public reports there are, still open, resolved or closed, and overdue.

    From the summary per unit, status and deadline days (a few rows per unit and day ahead,
    whatever the number of reports). "Overdue" moves with the clock: it is the open reports
    whose resolve deadline fell on a day before today, from the summary, plus those due earlier
    today, counted from the reports through the partial index incident_open_resolve_by (one
    day's deadlines).
    """
    moment = now or timezone.now()
    today = timezone.localdate(moment, VIETNAM_TIME_ZONE)
    open_statuses = sorted(OPEN_STATUSES)
    finished = [IncidentStatus.RESOLVED, IncidentStatus.CLOSED]
    figures = IncidentUnitSummary.objects.filter(publicly_visible=True).aggregate(
        total=Coalesce(Sum("reports"), 0),
        open=Coalesce(Sum("reports", filter=Q(status__in=open_statuses)), 0),
        resolved=Coalesce(Sum("reports", filter=Q(status__in=finished)), 0),
        overdue=Coalesce(
            Sum("reports", filter=Q(status__in=open_statuses, resolve_day__lt=today)), 0
        ),
    )
    # `is_public` alone is the public rule for open reports (only rejected ones can be spam),
    # and reads only columns of the partial index: an index-only scan.
    due_earlier_today = (
        Incident.objects.filter(
            is_public=True,
            status__in=open_statuses,
            resolve_by__gte=start_of_vietnam_day(today),
            resolve_by__lt=moment,
        )
        .order_by()
        .count()
    )
    return PublicFigures(
        total=figures["total"],
        open=figures["open"],
        resolved=figures["resolved"],
        overdue=figures["overdue"] + due_earlier_today,
    )


def latest_public_answers(*, limit: int = LATEST_ANSWERS_LIMIT) -> list[Incident]:
    """The public reports most recently answered, with the answer; newest answer first."""
    return list(
        Incident.objects.public()
        .exclude(public_answer="")
        .filter(answered_at__isnull=False)
        .select_related("category", "area", "agency")
        .only(
            "tracking_code",
            "status",
            "public_answer",
            "answered_at",
            "resolve_by",
            "category__code",
            "category__name",
            "category__name_en",
            "area__name",
            "agency__name",
            "agency__name_en",
        )
        .order_by("-answered_at", "-id")[:limit]
    )


def categories_for_pages() -> list[Category]:
    """Active categories with their extra questions, in the catalogue's order."""
    from incidents.selectors import category_list

    return category_list()


def communes_for_filter(*, on: datetime.date) -> list[Area]:
    """The commune-level areas valid on `on`, by name, for the map's area filter."""
    return list(
        Area.objects.on(on)
        .filter(level=AreaLevel.COMMUNE)
        .only("id", "code", "name", "area_type")
        .order_by("name", "code")
    )


# One report, for its reporter


def incident_get_for_reporter(*, tracking_code: str) -> Incident:
    """Any report (public or not) with its public photos and public timeline, for the page its
    reporter sees once their token is proven; the same prefetches as the public detail."""
    code = tracking_code_normalize(tracking_code)
    incident = (
        Incident.objects.filter(tracking_code=code)
        .select_related("category", "area", "agency", "duplicate_of")
        .prefetch_related(
            Prefetch(
                "photos",
                queryset=IncidentPhoto.objects.filter(is_hidden=False).order_by("created_at", "id"),
                to_attr="public_photos",
            ),
            Prefetch(
                "events",
                queryset=IncidentEvent.objects.filter(is_public=True).order_by("created_at", "id"),
                to_attr="public_events",
            ),
        )
        .first()
        if code
        else None
    )
    if incident is None:
        raise NotFound(
            _("Không tìm thấy phản ánh có mã “%(code)s”.") % {"code": tracking_code},
            code="incident_not_found",
        )
    return incident


def public_photo_get(*, tracking_code: str, photo_id: int) -> IncidentPhoto:
    """A photo the public may see: not hidden, of a public report."""
    code = tracking_code_normalize(tracking_code)
    photo = (
        IncidentPhoto.objects.filter(
            pk=photo_id,
            is_hidden=False,
            incident__tracking_code=code,
            incident__in=Incident.objects.public(),
        )
        .only("id", "image", "thumbnail", "content_type")
        .first()
        if code
        else None
    )
    if photo is None:
        raise NotFound(_("Không tìm thấy ảnh."), code="photo_not_found")
    return photo
