"""The summaries computed from the reports already filed (the triggers of 0011 keep them from
then on). Reversed, the summaries are emptied; the reports are untouched either way."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def summaries_fill(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from incidents.summaries import summaries_rebuild
    from incidents.summary_definitions import SUMMARIES_OF_0011

    summaries_rebuild(SUMMARIES_OF_0011)


def summaries_empty(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    schema_editor.execute(
        "TRUNCATE incidents_incidentdailysummary, incidents_incidentunitsummary, "
        "incidents_incidentmapcell"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0011_summaries_triggers"),
    ]

    operations = [
        migrations.RunPython(summaries_fill, reverse_code=summaries_empty),
    ]
