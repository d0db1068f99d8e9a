"""The grid of the grouped map without a category filter (issue 10): `IncidentMapOverviewCell`,
kept by the same trigger statement as the other summaries and filled from the reports already
filed. The triggers' SQL and the fill are frozen in `sql/`. Reversed, the triggers of 0016
return and the table goes; the reports and the other summaries are untouched either way.
"""

from pathlib import Path

from django.db import migrations, models

from incidents.summaries import triggers_remove_sql

_SQL = Path(__file__).resolve().parent / "sql"


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0016_summaries_insert_trigger_without_deletes"),
    ]

    operations = [
        migrations.CreateModel(
            name="IncidentMapOverviewCell",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("zoom", models.PositiveSmallIntegerField(verbose_name="mức thu phóng")),
                ("cell_column", models.BigIntegerField(verbose_name="cột ô lưới")),
                ("cell_row", models.BigIntegerField(verbose_name="hàng ô lưới")),
                ("status", models.CharField(max_length=24, verbose_name="trạng thái")),
                ("resolve_day", models.DateField(verbose_name="ngày hạn giải quyết")),
                ("reports", models.IntegerField(verbose_name="số phản ánh")),
                (
                    "longitude_total",
                    models.DecimalField(
                        decimal_places=12, max_digits=24, verbose_name="tổng kinh độ"
                    ),
                ),
                (
                    "latitude_total",
                    models.DecimalField(
                        decimal_places=12, max_digits=24, verbose_name="tổng vĩ độ"
                    ),
                ),
                ("incident_id_total", models.BigIntegerField(verbose_name="tổng mã phản ánh")),
            ],
            options={
                "verbose_name": "ô lưới tổng quan bản đồ phản ánh",
                "verbose_name_plural": "ô lưới tổng quan bản đồ phản ánh",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("zoom", "cell_column", "cell_row", "status", "resolve_day"),
                        include=(
                            "reports",
                            "longitude_total",
                            "latitude_total",
                            "incident_id_total",
                        ),
                        name="incident_map_overview_cell_key",
                    )
                ],
            },
        ),
        migrations.RunSQL(
            sql=triggers_remove_sql() + (_SQL / "0017_summaries_triggers.sql").read_text(),
            reverse_sql=triggers_remove_sql() + (_SQL / "0016_summaries_triggers.sql").read_text(),
        ),
        migrations.RunSQL(
            sql=(_SQL / "0017_map_overview_cells_fill.sql").read_text(),
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
