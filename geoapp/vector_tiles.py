"""Running a vector tile's statement (ST_AsMVT), written once for every tile layer.

A tile's statement reads, through an index, the few thousand cells, hexagons, outlines or points
under one tile: milliseconds of work. PostGIS prices ST_AsMVTGeom and ST_Transform so high that
the planner, multiplying by the rows it expects, starts parallel workers for it (25–30 ms to
launch them, measured beside 3 ms of serial work for a zoom-10 tile at a million reports) and,
above `jit_above_cost`, compiles the statement (0.4–1.3 s). Both are switched off for the tile's
statement only, inside its own transaction (SET LOCAL), so the connection keeps them for every
other statement. Plans are always custom, never generic: the choropleth passes its classes as
arrays of 3,321 values, which a generic plan prices as 10 rows and loops over (185 ms for a
zoom-8 tile instead of 20); the app's cursors bind parameters client-side and are planned with
their values anyway, this keeps it so for a prepared statement too.
"""

from __future__ import annotations

from django.db import connection, transaction

from geoapp.sql import SqlParameters


def vector_tile_fetch(sql: str, parameters: SqlParameters) -> bytes:
    """The tile `sql` (one row, one bytea column) builds, or b"" for an empty tile."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('max_parallel_workers_per_gather', '0', true), "
            "set_config('jit', 'off', true), "
            "set_config('plan_cache_mode', 'force_custom_plan', true)"
        )
        cursor.execute(sql, parameters)
        row = cursor.fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""
