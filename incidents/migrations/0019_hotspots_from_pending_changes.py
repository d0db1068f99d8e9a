"""The hotspot hexagons kept through the pending changes too (issue 13: the summaries' share of a
filing): `IncidentMapChange` gains what the hexagons need (whether the public sees the report,
its area, its reported day; the hexagon follows from the point's doubles), its rows are written
for every report whose grid or hotspot keys changed (not only public ones), and the triggers no
longer upsert `IncidentHotspotCell`: `summaries_fold_map_changes` moves the changes into it
with the grids.

The reports are locked (SHARE) for the migration's transaction, so no filing appends a change
between the steps. Forward, the changes still pending in 0018's shape are folded into the grids
first (frozen SQL of 0018's reverse), so the table is empty when its columns are added and
nothing needs filling; the hexagons are right as the triggers of 0018 left them. Reversed, the
triggers of 0018 return first, then every pending change is folded into the grids and the
hexagons (frozen SQL of this migration) before the columns go: no report is lost from either.
The triggers' SQL is frozen in `sql/`.
"""

from pathlib import Path

from django.db import migrations, models

from incidents.summaries import triggers_remove_sql

_SQL = Path(__file__).resolve().parent / "sql"
# No report is written while the migration runs (a filing would wait for its commit).
_LOCK = "LOCK TABLE incidents_incident IN SHARE MODE"


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0018_map_grids_from_pending_changes"),
    ]

    operations = [
        migrations.RunSQL(sql=_LOCK, reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL(
            sql=(_SQL / "0018_map_changes_fold.sql").read_text(),
            reverse_sql=migrations.RunSQL.noop,
        ),
        # The defaults only satisfy the schema editor: the table is empty here.
        migrations.AddField(
            model_name="incidentmapchange",
            name="publicly_visible",
            field=models.BooleanField(default=True, verbose_name="công khai"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="incidentmapchange",
            name="area_id",
            field=models.BigIntegerField(default=0, verbose_name="mã địa bàn"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="incidentmapchange",
            name="reported_day",
            field=models.DateField(default="0001-01-01", verbose_name="ngày phản ánh"),
            preserve_default=False,
        ),
        migrations.RunSQL(
            sql=migrations.RunSQL.noop,
            reverse_sql=(_SQL / "0019_map_changes_fold.sql").read_text(),
        ),
        migrations.RunSQL(
            sql=triggers_remove_sql() + (_SQL / "0019_summaries_triggers.sql").read_text(),
            reverse_sql=triggers_remove_sql() + (_SQL / "0018_summaries_triggers.sql").read_text(),
        ),
        migrations.RunSQL(sql=migrations.RunSQL.noop, reverse_sql=_LOCK),
    ]
