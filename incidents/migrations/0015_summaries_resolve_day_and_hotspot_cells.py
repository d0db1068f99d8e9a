"""The operations centre's summaries (issue 13): the daily summary keeps the open reports by the
day of their resolve deadline too (the open reports not yet due per area and unit, read from it
instead of the reports), and a new summary keeps the reports per day, hotspot hexagon, category
and area (the hotspot layer sums it instead of reading every report of the period).

The old triggers are removed, the daily summary emptied and given its day column and key, the
hotspot table made, the triggers re-created from `incidents.summaries.SUMMARIES` and the two
summaries filled from the reports. Reversed, the same steps back: the hotspot table and the
day column go, the daily summary is refilled and the triggers of 0014 re-created. The reports
are untouched either way.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from incidents.summaries import triggers_install_sql, triggers_remove_sql
from incidents.summary_definitions import DAILY, HOTSPOTS, SUMMARIES_OF_0014, SUMMARIES_OF_0015
from incidents.summary_models import PAST_DAY

_EMPTY_THE_DAILY_SUMMARY = "TRUNCATE incidents_incidentdailysummary"


def summaries_fill(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from incidents.summaries import summaries_rebuild

    summaries_rebuild((DAILY, HOTSPOTS))


def daily_summary_of_0014_fill(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from incidents.summaries import summaries_rebuild
    from incidents.summary_definitions import DAILY_BEFORE_RESOLVE_DAY

    summaries_rebuild((DAILY_BEFORE_RESOLVE_DAY,))


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0014_summaries_by_deadline_day"),
    ]

    operations = [
        migrations.RunSQL(
            sql=triggers_remove_sql(), reverse_sql=triggers_install_sql(SUMMARIES_OF_0014)
        ),
        migrations.RunPython(migrations.RunPython.noop, reverse_code=daily_summary_of_0014_fill),
        migrations.RemoveConstraint(
            model_name="incidentdailysummary", name="incident_daily_summary_key"
        ),
        # Emptied after the old key goes, so that reversed the old key returns on an empty table.
        migrations.RunSQL(sql=_EMPTY_THE_DAILY_SUMMARY, reverse_sql=_EMPTY_THE_DAILY_SUMMARY),
        migrations.AddField(
            model_name="incidentdailysummary",
            name="resolve_day",
            field=models.DateField(default=PAST_DAY, verbose_name="ngày hạn giải quyết"),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="incidentdailysummary",
            constraint=models.UniqueConstraint(
                fields=(
                    "day",
                    "area",
                    "agency",
                    "category",
                    "status",
                    "publicly_visible",
                    "resolve_day",
                ),
                name="incident_daily_summary_deadline_key",
            ),
        ),
        migrations.CreateModel(
            name="IncidentHotspotCell",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="ngày phản ánh")),
                ("hexagon_column", models.IntegerField(verbose_name="cột lục giác")),
                ("hexagon_row", models.IntegerField(verbose_name="hàng lục giác")),
                (
                    "area",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="wards.area",
                        verbose_name="địa bàn",
                    ),
                ),
                (
                    "category",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="incidents.category",
                        verbose_name="lĩnh vực",
                    ),
                ),
                ("reports", models.IntegerField(verbose_name="số phản ánh")),
            ],
            options={
                "verbose_name": "ô lục giác điểm nóng",
                "verbose_name_plural": "ô lục giác điểm nóng",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("day", "hexagon_column", "hexagon_row", "category", "area"),
                        include=("reports",),
                        name="incident_hotspot_cell_key",
                    )
                ],
            },
        ),
        migrations.RunSQL(
            sql=triggers_install_sql(SUMMARIES_OF_0015), reverse_sql=triggers_remove_sql()
        ),
        migrations.RunPython(summaries_fill, reverse_code=migrations.RunPython.noop),
    ]
