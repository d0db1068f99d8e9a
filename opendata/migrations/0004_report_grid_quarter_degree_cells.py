"""A fourth, coarser grid for the report tiles at zooms up to 6: 0.25° cells (about 28 km).

At zooms 5–6 a tile covers a third of the country; over the 3,321 communes of a national
deployment with a million reports, reading the 0.05° cells under it was itself 58–73 ms (the
target is 50 ms for the whole tile). A quarter-degree cell keeps some 20–45 cells across such a
tile, as the finer grids do at their zooms. A materialized view's query cannot be altered, so the
view is made again with its indexes (and made again as before on the way back).
"""

from django.db import migrations

_VIEW = """
CREATE MATERIALIZED VIEW opendata_report_grid AS
SELECT
    grid.cell_degrees,
    ST_SnapToGrid(r.location, grid.cell_degrees) AS cell,
    count(*)::integer AS report_count,
    ST_SetSRID(ST_MakePoint(avg(ST_X(r.location)), avg(ST_Y(r.location))), 4326) AS location
FROM opendata_public_report r
CROSS JOIN (VALUES {cells}) AS grid (cell_degrees)
GROUP BY grid.cell_degrees, ST_SnapToGrid(r.location, grid.cell_degrees);
CREATE UNIQUE INDEX opendata_report_grid_cell ON opendata_report_grid (cell_degrees, cell);
CREATE INDEX opendata_report_grid_location ON opendata_report_grid USING gist (location);
"""


def _grid(cell_degrees: tuple[str, ...]) -> str:
    cells = ", ".join(f"({cell}::float8)" for cell in cell_degrees)
    return "DROP MATERIALIZED VIEW opendata_report_grid;" + _VIEW.format(cells=cells)


class Migration(migrations.Migration):
    dependencies = [("opendata", "0003_dossier_and_indicator_views")]

    operations = [
        migrations.RunSQL(
            _grid(("0.25", "0.05", "0.005", "0.0005")),
            _grid(("0.05", "0.005", "0.0005")),
        ),
    ]
