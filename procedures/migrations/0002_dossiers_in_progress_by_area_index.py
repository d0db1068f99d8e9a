"""The dossiers in progress by area, covering what the operations centre counts (issue 13)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("procedures", "0001_catalogue_dossiers_legs"),
        ("wards", "0005_area_outline_for_maps"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(
                    (
                        "status__in",
                        [
                            "received",
                            "processing",
                            "transferred",
                            "supplement_requested",
                            "payment_requested",
                        ],
                    )
                ),
                fields=["area"],
                include=("received_at", "appointment_at"),
                name="dossier_in_progress_area",
            ),
        ),
    ]
