"""The public map's feature text of each report, kept by PostgreSQL in two generated columns.

First the two IMMUTABLE functions their expressions need (to_json and to_char are STABLE in
general; for a text, and for a timestamp with this fixed pattern, they depend on nothing but
their argument), then the columns. Reversible: the columns go first, then the functions.
"""

import django.db.models.functions.text
from django.db import migrations, models

import incidents.models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0005_escalated_event_action"),
    ]

    operations = [
        migrations.RunSQL(
            sql=[
                """
                CREATE FUNCTION incidents_json_text(value text) RETURNS text
                LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
                RETURN to_json(value)::text
                """,
                """
                CREATE FUNCTION incidents_vietnam_moment_text(moment timestamptz) RETURNS text
                LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
                RETURN to_char(moment AT TIME ZONE 'Asia/Ho_Chi_Minh',
                               'YYYY-MM-DD"T"HH24:MI:SS"+07:00"')
                """,
            ],
            reverse_sql=[
                "DROP FUNCTION incidents_vietnam_moment_text(timestamptz)",
                "DROP FUNCTION incidents_json_text(text)",
            ],
        ),
        migrations.AddField(
            model_name="incident",
            name="map_feature_head",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.text.Concat(
                    models.Value('{"type":"Feature","id":'),
                    incidents.models.JsonText("tracking_code"),
                    models.Value(',"geometry":'),
                    models.Func(
                        models.F("location"),
                        models.Value(6),
                        function="ST_AsGeoJSON",
                        output_field=models.TextField(),
                    ),
                    models.Value(',"properties":{"tracking_code":'),
                    incidents.models.JsonText("tracking_code"),
                    models.Value(',"category":'),
                    output_field=models.TextField(),
                ),
                output_field=models.TextField(),
                verbose_name="đối tượng trên bản đồ công khai (phần đầu)",
            ),
        ),
        migrations.AddField(
            model_name="incident",
            name="map_feature_tail",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.text.Concat(
                    models.Value(',"status":"'),
                    models.F("status"),
                    models.Value('","reported_at":"'),
                    incidents.models.VietnamMomentText("reported_at"),
                    models.Value('","summary":'),
                    models.Case(
                        models.When(description_hidden=True, then=models.Value("null")),
                        default=incidents.models.JsonText(
                            django.db.models.functions.text.Left("description", 140)
                        ),
                        output_field=models.TextField(),
                    ),
                    models.Value(',"supporters_count":'),
                    models.F("supporters_count"),
                    models.Value("}}"),
                    output_field=models.TextField(),
                ),
                output_field=models.TextField(),
                verbose_name="đối tượng trên bản đồ công khai (phần cuối)",
            ),
        ),
    ]
