"""Vector tiles of the public layers, built by PostGIS (ST_AsMVT) from the public views.

- `phan-anh` (public reports): from zoom 16 one point per report with its public properties,
  read through the GiST index of the reports' positions; below zoom 16 the cells of the grid
  `opendata_report_grid` (migrations 0002 and 0004) with their counts, so that a tile of the whole
  province reads a few thousand cells, not a million reports.
- `xa-phuong` (communes valid on a day): the boundaries, simplified to the tile's grid; up to
  zoom 7 read as kept ready per tile (`opendata_commune_tile_outline`, migration 0007).
- `chi-tieu` (an indicator's choropleth): the same outlines with each commune's value, class and
  colour, as `indicators.selectors.choropleth.choropleth_area_classes` classifies them.

Every value is a parameter; the only interpolated text is fixed SQL chosen here.
"""

from __future__ import annotations

import datetime

from django.db import connection

from geoapp.sql import SqlParameters, valid_on
from geoapp.vector_tiles import vector_tile_fetch
from indicators.selectors.choropleth import AreaClasses

POINTS_FROM_ZOOM = 16
# The grid's cell size per zoom below POINTS_FROM_ZOOM: some 10–50 cells across a tile (the
# quarter degree keeps a zoom-5 tile, a third of the country, to about 45 across: migration 0004).
GRID_CELL_DEGREES = ((6, 0.25), (9, 0.05), (12, 0.005), (15, 0.0005))
MIN_ZOOM = 0
MAX_ZOOM = 20
LAYERS = ("phan-anh", "xa-phuong", "chi-tieu")
EXTENT = 4096
# An outline simplified to the tile's own unit (its width over EXTENT) before it is projected and
# clipped, from the stored 0.0005° outline below zoom 11 (wards.Area.outline, in the view since
# migration 0006; a pixel of a 512-pixel zoom-10 tile is 0.0007°, so a finer one would not show):
# ST_AsMVTGeom would otherwise transform and clip every vertex of every commune under a low-zoom
# tile (1.8 s for a zoom-5 tile of the 3,321 communes). Collapsed outlines are kept (a commune
# smaller than a unit stays a dot, not a hole).
OUTLINE_BELOW_ZOOM = 11
_OUTLINE = (
    "ST_AsMVTGeom(ST_Transform(ST_Simplify("
    f"CASE WHEN %(z)s < {OUTLINE_BELOW_ZOOM} THEN c.outline ELSE c.boundary END,"
    f" 360.0 / (2 ^ %(z)s) / {EXTENT}, true), 3857), bounds.tile, {EXTENT}, 64, true)"
)
# Rows of the tile's own box, in SRID 4326, for the index (3857 → 4326 once per tile).
_BOUNDS = """
    WITH bounds AS (
        SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS tile,
               ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => 64.0 / 4096), 4326)
                   AS search
    )
"""


def report_tile(*, z: int, x: int, y: int) -> bytes:
    parameters: SqlParameters = {"z": z, "x": x, "y": y}
    if z >= POINTS_FROM_ZOOM:
        sql = f"""{_BOUNDS}
            SELECT ST_AsMVT(features, 'phan-anh', {EXTENT}, 'geometry') FROM (
                SELECT ST_AsMVTGeom(ST_Transform(r.location, 3857), bounds.tile,
                                    {EXTENT}, 64, true) AS geometry,
                       r.tracking_code, r.category, r.status,
                       to_char(r.reported_at AT TIME ZONE 'Asia/Ho_Chi_Minh',
                               'YYYY-MM-DD"T"HH24:MI:SS"+07:00"') AS reported_at,
                       r.supporters_count
                FROM opendata_public_report r, bounds
                WHERE r.location && bounds.search
            ) AS features
        """
    else:
        # A constant of GRID_CELL_DEGREES written into the statement, not a parameter: the
        # planner then proves the condition of that size's partial index (migration 0005) even in
        # a generic plan.
        cell = next(cell for until, cell in GRID_CELL_DEGREES if z <= until)
        sql = f"""{_BOUNDS}
            SELECT ST_AsMVT(features, 'phan-anh', {EXTENT}, 'geometry') FROM (
                SELECT ST_AsMVTGeom(ST_Transform(g.location, 3857), bounds.tile,
                                    {EXTENT}, 64, true) AS geometry,
                       g.report_count
                FROM opendata_report_grid g, bounds
                WHERE g.cell_degrees = {cell!r}::float8 AND g.location && bounds.search
            ) AS features
        """
    return vector_tile_fetch(sql, parameters)


# Zooms up to this one read the communes' outlines kept ready per tile (migration 0007: already
# simplified, projected and clipped as _OUTLINE would make them, so the tile only encodes them):
# a zoom-5 tile holds all 3,321 communes of the country and spent half its time on that work.
TILE_OUTLINES_UNTIL_ZOOM = 7
_VALID_ON_DAY = valid_on("day", table="c")


def _communes_of_tile(z: int) -> str:
    """The communes under tile (z, x, y) as rows `c` with their tile `geometry`, `code`, `name`
    and `area_type`, whatever their validity: from the outlines kept ready at low zooms (the
    statement's `bounds` then go unused, which costs nothing), else from the public view through
    its GiST index."""
    if z <= TILE_OUTLINES_UNTIL_ZOOM:
        return """(
            SELECT geometry, code, name, area_type, valid_from, valid_to
            FROM opendata_commune_tile_outline
            WHERE zoom = %(z)s AND tile_x = %(x)s AND tile_y = %(y)s
        ) AS c"""
    return f"""(
        SELECT {_OUTLINE} AS geometry, c.code, c.name, c.area_type, c.valid_from, c.valid_to
        FROM opendata_commune c, bounds
        WHERE c.boundary && bounds.search
    ) AS c"""


def commune_tile(*, z: int, x: int, y: int, day: datetime.date) -> bytes:
    parameters: SqlParameters = {"z": z, "x": x, "y": y, "day": day}
    sql = f"""{_BOUNDS}
        SELECT ST_AsMVT(features, 'xa-phuong', {EXTENT}, 'geometry') FROM (
            SELECT c.geometry, c.code, c.name, c.area_type
            FROM {_communes_of_tile(z)}
            WHERE {_VALID_ON_DAY} AND c.geometry IS NOT NULL
        ) AS features
    """
    return vector_tile_fetch(sql, parameters)


def indicator_tile(*, z: int, x: int, y: int, day: datetime.date, classes: AreaClasses) -> bytes:
    """The communes valid on `day` under the tile, each with its value, class and colour from
    `classes` (four arrays, one parameter each whatever the number of communes, joined to the
    tile's communes by code); a commune the choropleth does not hold is left out. Arrays, not
    one JSON object: parsing the JSON of 3,321 communes cost 8 ms of every tile."""
    parameters: SqlParameters = {
        "z": z, "x": x, "y": y, "day": day, "codes": classes.codes, "values": classes.values,
        "classes": classes.classes, "colours": classes.colours,
    }  # fmt: skip
    sql = f"""{_BOUNDS}
        SELECT ST_AsMVT(features, 'chi-tieu', {EXTENT}, 'geometry') FROM (
            SELECT c.geometry, c.code AS area_code, c.name AS area_name,
                   area.value, area.class, area.colour
            FROM {_communes_of_tile(z)}
                 JOIN unnest(%(codes)s::text[], %(values)s::double precision[],
                             %(classes)s::integer[], %(colours)s::text[])
                      AS area (code, value, class, colour) ON area.code = c.code
            WHERE {_VALID_ON_DAY} AND c.geometry IS NOT NULL
        ) AS features
    """
    return vector_tile_fetch(sql, parameters)


def communes_version() -> str:
    """Changes whenever a commune is added or removed (an import, a reform): part of the
    commune tiles' cache key."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), COALESCE(max(id), 0) FROM opendata_commune")
        row = cursor.fetchone()
    assert row is not None
    return f"{row[0]}-{row[1]}"
