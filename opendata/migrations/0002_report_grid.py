"""Public reports counted on two grids, for the vector tiles at low zooms.

A tile of the whole province at zoom 8 covers every report: reading a million points per tile
took 0.3–1.7 s in the previous attempt. The tiles below zoom 13 read these cells instead (a few
thousand rows), each with its count and the mean position of its reports. The view is refreshed
by the Celery beat task `opendata.refresh_report_grid` (CONCURRENTLY, so tiles are served from
the previous version while it runs); its unique index is what REFRESH … CONCURRENTLY requires.

Cells: 0.05° (about 5.5 km) for zooms up to 9, 0.005° (about 550 m) for zooms 10–12, 0.0005°
(about 55 m) for zooms 13–15: a zoom-13 tile of the city holds some 80,000 of a million reports,
and building it from the points took over 4 s on the shared machine.
"""

from django.db import migrations

REPORT_GRID_VIEW = """
CREATE MATERIALIZED VIEW opendata_report_grid AS
SELECT
    grid.cell_degrees,
    ST_SnapToGrid(r.location, grid.cell_degrees) AS cell,
    count(*)::integer AS report_count,
    ST_SetSRID(ST_MakePoint(avg(ST_X(r.location)), avg(ST_Y(r.location))), 4326) AS location
FROM opendata_public_report r
CROSS JOIN (VALUES (0.05::float8), (0.005::float8), (0.0005::float8)) AS grid (cell_degrees)
GROUP BY grid.cell_degrees, ST_SnapToGrid(r.location, grid.cell_degrees)
"""


class Migration(migrations.Migration):
    dependencies = [("opendata", "0001_public_views")]

    operations = [
        migrations.RunSQL(REPORT_GRID_VIEW, "DROP MATERIALIZED VIEW opendata_report_grid"),
        migrations.RunSQL(
            "CREATE UNIQUE INDEX opendata_report_grid_cell "
            "ON opendata_report_grid (cell_degrees, cell)",
            "DROP INDEX opendata_report_grid_cell",
        ),
        migrations.RunSQL(
            "CREATE INDEX opendata_report_grid_location "
            "ON opendata_report_grid USING gist (location)",
            "DROP INDEX opendata_report_grid_location",
        ),
    ]
