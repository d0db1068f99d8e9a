"""The two map grids kept through pending changes (issue 13: the summaries' share of a filing):
`IncidentMapChange`, and the triggers that append one row per changed public report to it in
place of the grids' 12 upserts. `incidents.summaries.summaries_fold_map_changes` moves the rows
into the grids (Celery beat, every few seconds; the nightly rebuild; a bulk load).

The grids are right when this runs and the table starts empty, so nothing is filled. Reversed,
the triggers of 0017 return first (no change is appended any more), then the changes still
pending are folded into the grids (frozen SQL) before the table goes: no report is lost from
the map either way. The triggers' SQL is frozen in `sql/`.
"""

from pathlib import Path

from django.db import migrations, models

from incidents.summaries import triggers_remove_sql

_SQL = Path(__file__).resolve().parent / "sql"

# The table is appended to and emptied every few seconds: vacuumed after a fixed number of dead
# rows rather than a share of a table that is nearly empty, so its pages stay few for the map's
# scans of it.
_AUTOVACUUM = (
    "ALTER TABLE incidents_incidentmapchange "
    "SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000)"
)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0017_map_overview_cells"),
    ]

    operations = [
        migrations.CreateModel(
            name="IncidentMapChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sign", models.SmallIntegerField(verbose_name="dấu")),
                ("incident_id", models.BigIntegerField(verbose_name="mã phản ánh")),
                ("category_id", models.BigIntegerField(verbose_name="mã lĩnh vực")),
                ("status", models.CharField(max_length=24, verbose_name="trạng thái")),
                ("resolve_day", models.DateField(verbose_name="ngày hạn giải quyết")),
                ("longitude", models.FloatField(verbose_name="kinh độ")),
                ("latitude", models.FloatField(verbose_name="vĩ độ")),
                (
                    "exact_longitude",
                    models.DecimalField(
                        decimal_places=12, max_digits=24, verbose_name="kinh độ thập phân"
                    ),
                ),
                (
                    "exact_latitude",
                    models.DecimalField(
                        decimal_places=12, max_digits=24, verbose_name="vĩ độ thập phân"
                    ),
                ),
            ],
            options={
                "verbose_name": "thay đổi chờ gộp vào lưới bản đồ",
                "verbose_name_plural": "thay đổi chờ gộp vào lưới bản đồ",
            },
        ),
        migrations.RunSQL(sql=_AUTOVACUUM, reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL(
            sql=migrations.RunSQL.noop,
            reverse_sql=(_SQL / "0018_map_changes_fold.sql").read_text(),
        ),
        migrations.RunSQL(
            sql=triggers_remove_sql() + (_SQL / "0018_summaries_triggers.sql").read_text(),
            reverse_sql=triggers_remove_sql() + (_SQL / "0017_summaries_triggers.sql").read_text(),
        ),
    ]
