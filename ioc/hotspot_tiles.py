"""The leaders' hotspot layer as vector tiles (/tiles/hotspots/{z}/{x}/{y}.pbf), for the dashboard
when the period holds many reports (settings.IOC_HOTSPOT_TILES_ABOVE): the page then carries
no hexagon, the map asks for the tiles it shows.

A tile is built by PostGIS (ST_AsMVT) from the hotspot summary (`IncidentHotspotCell`: reports
per day, 1 km hexagon, category and area) plus the changes not yet folded into it (so it is
exact between folds, as the other hotspot answers), summed per hexagon over the dashboard's filters,
reading only the hexagons whose key falls in the tile: the axial coordinates (q, r) of a hexagon
are a linear function of its centre, so the tile's box bounds them (with one hexagon of margin).
Each feature is the hexagon's polygon, made by moving one hexagon at the origin to its centre,
with its key and its count. Every value is a parameter; the only interpolated text is fixed SQL
and numbers chosen here.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from django.db import connection

from geoapp.sql import SqlParameters
from geoapp.vector_tiles import vector_tile_fetch
from incidents.operations_selectors import (
    HOTSPOT_HEXAGON_SIDE_METRES,
    METRES_PER_DEGREE_EAST,
    METRES_PER_DEGREE_NORTH,
    hotspot_cells_conditions,
    hotspot_counts_sql,
)

LAYER = "hotspots"
MIN_ZOOM = 5
MAX_ZOOM = 18
EXTENT = 4096
BUFFER = 64
_SIDE = HOTSPOT_HEXAGON_SIDE_METRES
# The hexagon (q, r) = (0, 0) in degrees, corners counter-clockwise from the east one, closed; as
# incidents.operations_selectors.hexagon_corners computes them.
_ORIGIN_HEXAGON = "POLYGON(({}))".format(
    ", ".join(
        f"{_SIDE * math.cos(math.radians(60 * k)) / METRES_PER_DEGREE_EAST!r} "
        f"{_SIDE * math.sin(math.radians(60 * k)) / METRES_PER_DEGREE_NORTH!r}"
        for k in (0, 1, 2, 3, 4, 5, 0)
    )
)
_CENTRE_X = f"({_SIDE * 1.5 / METRES_PER_DEGREE_EAST!r} * cells.q)"
_CENTRE_Y = f"({_SIDE * math.sqrt(3) / METRES_PER_DEGREE_NORTH!r} * (cells.r + cells.q / 2.0))"


@dataclass(frozen=True)
class HotspotQuery:
    """The dashboard's filters that the hotspot layer reads."""

    date_from: datetime.date
    date_to: datetime.date
    category_id: int | None
    area_ids: tuple[int, ...] | None

    def key(self) -> str:
        areas = "*" if self.area_ids is None else ",".join(map(str, self.area_ids))
        return f"{self.date_from}:{self.date_to}:{self.category_id or '*'}:{areas}"


def _tile_degrees(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """West, south, east, north of tile z/x/y in degrees (Web Mercator tiling)."""
    n = 2**z

    def latitude(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return x / n * 360 - 180, latitude(y + 1), (x + 1) / n * 360 - 180, latitude(y)


def _axial_ranges(
    west: float, south: float, east: float, north: float
) -> tuple[int, int, int, int]:
    """The smallest and largest q and r of the hexagons whose centre can lie in the box widened
    by one hexagon (q = 2/3·x, r = −1/3·x + √3/3·y, x and y in hexagon sides)."""
    x0, x1 = west * METRES_PER_DEGREE_EAST / _SIDE, east * METRES_PER_DEGREE_EAST / _SIDE
    y0, y1 = south * METRES_PER_DEGREE_NORTH / _SIDE, north * METRES_PER_DEGREE_NORTH / _SIDE
    third = math.sqrt(3) / 3
    return (
        math.floor(2 / 3 * x0) - 2,
        math.ceil(2 / 3 * x1) + 2,
        math.floor(-x1 / 3 + third * y0) - 2,
        math.ceil(-x0 / 3 + third * y1) + 2,
    )


def _filters(query: HotspotQuery, parameters: SqlParameters) -> str:
    return hotspot_cells_conditions(
        parameters,
        date_from=query.date_from,
        date_to=query.date_to,
        category_id=query.category_id,
        area_ids=query.area_ids,
    )


def hotspot_tile(*, z: int, x: int, y: int, query: HotspotQuery) -> bytes:
    """The tile's hexagons holding a report under `query`, each with `column`, `row` and
    `reports`; empty bytes when none."""
    # The margin: the tile's buffer (BUFFER of EXTENT) on every side.
    west, south, east, north = _tile_degrees(z, x, y)
    margin_x, margin_y = (east - west) * BUFFER / EXTENT, (north - south) * BUFFER / EXTENT
    q_min, q_max, r_min, r_max = _axial_ranges(
        west - margin_x, south - margin_y, east + margin_x, north + margin_y
    )
    parameters: SqlParameters = {
        "z": z, "x": x, "y": y, "q_min": q_min, "q_max": q_max, "r_min": r_min, "r_max": r_max,
    }  # fmt: skip
    where = (
        _filters(query, parameters)
        + " AND hexagon_column BETWEEN %(q_min)s AND %(q_max)s"
        + " AND hexagon_row BETWEEN %(r_min)s AND %(r_max)s"
    )
    sql = f"""
        WITH hexagons AS ({hotspot_counts_sql(where)})
        SELECT ST_AsMVT(features, '{LAYER}', {EXTENT}, 'geometry') FROM (
            SELECT ST_AsMVTGeom(
                       ST_Transform(ST_Translate(
                           ST_GeomFromText('{_ORIGIN_HEXAGON}', 4326), {_CENTRE_X}, {_CENTRE_Y}
                       ), 3857),
                       ST_TileEnvelope(%(z)s, %(x)s, %(y)s), {EXTENT}, {BUFFER}, true
                   ) AS geometry,
                   cells.q AS "column", cells.r AS "row", cells.reports
            FROM (
                SELECT hexagon_column AS q, hexagon_row AS r, reports FROM hexagons
            ) AS cells
        ) AS features
        WHERE features.geometry IS NOT NULL
    """
    return vector_tile_fetch(sql, parameters)


@dataclass(frozen=True)
class HotspotOverview:
    """How many hexagons hold a report, and the counts that separate the five colour classes
    (as ioc.charts.hotspot_colours computes them: a hexagon above k bounds is in class k)."""

    hexagons: int
    bounds: tuple[int, ...]


def hotspot_overview(*, query: HotspotQuery) -> HotspotOverview:
    parameters: SqlParameters = {}
    where = _filters(query, parameters)
    # counts[n·k // 5] for k = 1..4 (0-based), as hotspot_colours takes them.
    sql = f"""
        WITH hexagons AS ({hotspot_counts_sql(where)}), sorted AS (
            SELECT count(*) AS n, array_agg(reports ORDER BY reports) AS counts FROM hexagons
        )
        SELECT n, CASE WHEN n = 0 THEN ARRAY[]::integer[] ELSE ARRAY[
                   counts[least(n, n * 1 / 5 + 1)], counts[least(n, n * 2 / 5 + 1)],
                   counts[least(n, n * 3 / 5 + 1)], counts[least(n, n * 4 / 5 + 1)]] END
        FROM sorted
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        row = cursor.fetchone()
    assert row is not None
    count = int(row[0])
    return HotspotOverview(hexagons=count, bounds=tuple(row[1]) if count else ())


def hotspot_version() -> str:
    """Part of the tiles' cache key, so new data makes the cached tiles unreachable: the
    hotspot summary's version, which advances with every statement that changes its rows (the
    fold, the rebuild; migrations ioc 0003 and 0004), and the pending changes the tiles add to
    it, by their newest id and their number (a filing appends one; a change of a transaction
    that commits after a later one's raises the number but not the newest id; a fold empties
    the table and advances the version). One statement: the primary key's last entry and a
    count of the few seconds of changes the tile reads anyway."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT last_value FROM ioc_hotspot_tiles_version), max(id), count(*) "
            "FROM incidents_incidentmapchange"
        )
        row = cursor.fetchone()
    assert row is not None
    version, newest, pending = row
    return f"{version}.{newest or 0}.{pending}"
