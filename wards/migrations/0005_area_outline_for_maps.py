"""The simplified outline of every area, for maps of the whole territory (indicators' choropleths).

A stored generated column: PostgreSQL fills it for the areas already there when the column is
added, and recomputes it whenever a boundary is written. Reversed by dropping the column.
"""

import django.contrib.gis.db.models.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("wards", "0004_area_pieces_fill"),
    ]

    operations = [
        migrations.AddField(
            model_name="area",
            name="outline",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Func(
                    models.Func(
                        models.F("boundary"),
                        models.Value(0.0005),
                        function="ST_SimplifyPreserveTopology",
                    ),
                    function="ST_Multi",
                    output_field=django.contrib.gis.db.models.fields.MultiPolygonField(srid=4326),
                ),
                output_field=django.contrib.gis.db.models.fields.MultiPolygonField(srid=4326),
                verbose_name="ranh giới giản lược",
            ),
        ),
    ]
