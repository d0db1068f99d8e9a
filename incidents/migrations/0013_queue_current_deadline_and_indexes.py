"""The queues read a page, not the table (issue 10): the deadline that applies now, stored by
PostgreSQL, and one index per sort of the queues (see docs/staff_queues.md).

Adding a stored generated column rewrites the table under an exclusive lock (about a minute per
million reports on the benchmark machine): run it in a maintenance window on a large database.
Reversed by dropping the indexes and the column.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0012_summaries_filled_from_reports"),
        ("wards", "0004_area_pieces_fill"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="incident",
            name="current_deadline",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Case(
                    models.When(status="new", then=models.F("acknowledge_by")),
                    models.When(
                        status__in=[
                            "acknowledged",
                            "answered",
                            "in_progress",
                            "information_requested",
                            "new",
                        ],
                        then=models.F("resolve_by"),
                    ),
                    default=None,
                    output_field=models.DateTimeField(),
                ),
                output_field=models.DateTimeField(null=True),
                verbose_name="hạn xử lý hiện tại",
            ),
        ),
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(
                condition=models.Q(("current_deadline__isnull", False)),
                fields=["agency", "current_deadline", "reported_at", "id"],
                name="incident_unit_urgency",
            ),
        ),
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(
                condition=models.Q(("current_deadline__isnull", False)),
                fields=["current_deadline", "reported_at", "id"],
                name="incident_urgency",
            ),
        ),
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(
                fields=["agency", "reported_at", "id"], name="incident_unit_reported"
            ),
        ),
    ]
