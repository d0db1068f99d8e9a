"""One GiST index of the grid's cells per cell size, in place of one over every size.

A tile reads the cells of one size inside its box. With one index over all sizes, a zoom-10 tile
of the busiest town (0.005° cells) found in its box the 0.0005° cells as well, some 40,000 of the
1.5 million rows at a million reports, and threw all but its own away (p50 78–88 ms against a
floor of 11–15 ms); the other way, through the size alone, it read every cell of that size in
the country. Partial indexes give each size its own tree, so a tile reads the cells it draws.
The tile statements name the size as a constant (a fixed value of GRID_CELL_DEGREES, never
input), so that even a generic plan can prove the index's condition.
"""

from django.db import migrations

CELL_SIZES = ("0.25", "0.05", "0.005", "0.0005")


def _name(size: str) -> str:
    return "opendata_report_grid_location_" + size.replace(".", "_")


_CREATE = "".join(
    f"CREATE INDEX {_name(size)} ON opendata_report_grid USING gist (location) "
    f"WHERE cell_degrees = {size}::float8;"
    for size in CELL_SIZES
)
_DROP = "".join(f"DROP INDEX {_name(size)};" for size in CELL_SIZES)
_GENERAL = "opendata_report_grid_location"


class Migration(migrations.Migration):
    dependencies = [("opendata", "0004_report_grid_quarter_degree_cells")]

    operations = [
        migrations.RunSQL(
            _CREATE + f"DROP INDEX {_GENERAL};",
            f"CREATE INDEX {_GENERAL} ON opendata_report_grid USING gist (location);" + _DROP,
        ),
    ]
