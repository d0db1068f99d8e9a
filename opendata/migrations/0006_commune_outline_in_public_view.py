"""The communes' simplified outline (`wards.Area.outline`, 0.0005°) in the public view, for the
vector tiles below zoom 11: a zoom-5 choropleth tile of the 3,321 communes read, transformed and
clipped every vertex of some 1,100 full boundaries (1.8 s). A column appended to the view
(CREATE OR REPLACE VIEW allows that); reversed by the view as it was."""

from django.db import migrations

_COLUMNS = "id, code, name, area_type, valid_from, valid_to, area_km2, is_approximate, boundary"
_VIEW = "CREATE OR REPLACE VIEW opendata_commune AS SELECT {columns} FROM wards_area WHERE level = 'commune'"


class Migration(migrations.Migration):
    dependencies = [
        ("opendata", "0005_report_grid_location_index_per_cell_size"),
        ("wards", "0005_area_outline_for_maps"),
    ]

    operations = [
        migrations.RunSQL(
            _VIEW.format(columns=_COLUMNS + ", outline"),
            # A view may not lose a column in place: made again as migration 0001 made it.
            "DROP VIEW opendata_commune; "
            + _VIEW.replace(" OR REPLACE", "").format(columns=_COLUMNS),
        ),
    ]
