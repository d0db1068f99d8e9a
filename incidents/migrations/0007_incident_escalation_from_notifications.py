"""IncidentEscalation moves from the notifications app to citizen feedback, its rows kept.

The table is renamed (notifications_incidentescalation → incidents_incidentescalation) and the
model created in this app's state only; notifications 0005 removes it from that app's state.
Nothing is copied: the ids, rows, constraints and indexes stay as they are.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0006_incident_map_feature"),
        ("wards", "0002_agency_membership"),
        # The table is created by notifications 0001; undoing that one first undoes this rename.
        ("notifications", "0001_outbox_subscriptions_escalations"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE notifications_incidentescalation "
                    "RENAME TO incidents_incidentescalation",
                    reverse_sql="ALTER TABLE incidents_incidentescalation "
                    "RENAME TO notifications_incidentescalation",
                ),
            ],
            state_operations=[
                migrations.CreateModel(
                    name="IncidentEscalation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "stage",
                            models.CharField(
                                choices=[
                                    ("acknowledge", "Quá hạn tiếp nhận"),
                                    ("resolve", "Quá hạn giải quyết"),
                                ],
                                max_length=12,
                                verbose_name="giai đoạn",
                            ),
                        ),
                        ("deadline", models.DateTimeField(verbose_name="hạn đã lỡ")),
                        ("escalated_at", models.DateTimeField(verbose_name="báo cáo lúc")),
                        (
                            "notified_addresses",
                            models.PositiveSmallIntegerField(
                                default=0, verbose_name="số địa chỉ được báo"
                            ),
                        ),
                        (
                            "agency",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="incident_escalations",
                                to="wards.agency",
                                verbose_name="đơn vị để quá hạn",
                            ),
                        ),
                        (
                            "event",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="incidents.incidentevent",
                                verbose_name="diễn biến ghi nhận",
                            ),
                        ),
                        (
                            "incident",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="escalations",
                                to="incidents.incident",
                                verbose_name="phản ánh",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "báo cáo quá hạn",
                        "verbose_name_plural": "báo cáo quá hạn",
                        "ordering": ["-escalated_at", "-id"],
                        "indexes": [
                            models.Index(
                                fields=["agency", "escalated_at"], name="escalation_agency"
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("incident", "stage", "deadline"),
                                name="incident_escalation_once_per_stage_and_deadline",
                            )
                        ],
                    },
                ),
            ],
        ),
    ]
