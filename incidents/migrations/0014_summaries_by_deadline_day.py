"""The unit and map summaries keep the open reports by the day of their deadline (see
`incidents.summary_models.PAST_DAY`), so that "overdue" is read from them too.

The old triggers are removed, the two summaries emptied and given their day columns and keys,
the triggers re-created from `incidents.summaries.SUMMARIES_OF_0014` and the summaries refilled from
the reports. Reversed, the same steps back: the day columns go, the summaries of 0011 are
refilled and their triggers re-created. The reports are untouched either way.
"""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from incidents.summaries import triggers_install_sql, triggers_remove_sql
from incidents.summary_definitions import SUMMARIES_OF_0011, SUMMARIES_OF_0014
from incidents.summary_models import PAST_DAY

_EMPTY_THE_DAY_SUMMARIES = "TRUNCATE incidents_incidentunitsummary, incidents_incidentmapcell"


def summaries_fill(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from incidents.summaries import summaries_rebuild

    summaries_rebuild(SUMMARIES_OF_0014)


def summaries_of_0011_fill(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from incidents.summaries import summaries_rebuild

    summaries_rebuild(SUMMARIES_OF_0011)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0013_queue_current_deadline_and_indexes"),
    ]

    operations = [
        migrations.RunSQL(
            sql=triggers_remove_sql(), reverse_sql=triggers_install_sql(SUMMARIES_OF_0011)
        ),
        migrations.RunPython(migrations.RunPython.noop, reverse_code=summaries_of_0011_fill),
        migrations.RemoveConstraint(
            model_name="incidentunitsummary", name="incident_unit_summary_key"
        ),
        migrations.RemoveConstraint(model_name="incidentmapcell", name="incident_map_cell_key"),
        # Emptied after the old keys go, so that reversed the old keys return on empty tables.
        migrations.RunSQL(sql=_EMPTY_THE_DAY_SUMMARIES, reverse_sql=_EMPTY_THE_DAY_SUMMARIES),
        migrations.AddField(
            model_name="incidentunitsummary",
            name="resolve_day",
            field=models.DateField(default=PAST_DAY, verbose_name="ngày hạn giải quyết"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="incidentunitsummary",
            name="deadline_day",
            field=models.DateField(default=PAST_DAY, verbose_name="ngày hạn hiện tại"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="incidentmapcell",
            name="resolve_day",
            field=models.DateField(default=PAST_DAY, verbose_name="ngày hạn giải quyết"),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="incidentunitsummary",
            constraint=models.UniqueConstraint(
                fields=("agency", "status", "publicly_visible", "resolve_day", "deadline_day"),
                name="incident_unit_deadline_summary_key",
            ),
        ),
        migrations.AddConstraint(
            model_name="incidentmapcell",
            constraint=models.UniqueConstraint(
                fields=("zoom", "cell_column", "cell_row", "category", "status", "resolve_day"),
                include=("reports", "longitude_total", "latitude_total", "incident_id_total"),
                name="incident_map_cell_deadline_key",
            ),
        ),
        migrations.RunSQL(
            sql=triggers_install_sql(SUMMARIES_OF_0014), reverse_sql=triggers_remove_sql()
        ),
        migrations.RunPython(summaries_fill, reverse_code=migrations.RunPython.noop),
    ]
