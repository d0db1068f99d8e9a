"""IncidentEscalation now belongs to citizen feedback (incidents 0007 renamed its table and took
the model into its state): removed from this app's state only, no table is touched."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_incident_links_removed"),
        ("incidents", "0007_incident_escalation_from_notifications"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="IncidentEscalation")],
        ),
    ]
