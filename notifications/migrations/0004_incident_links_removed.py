"""Schema, second half: the foreign keys to incidents models go, the generic references stay.

A subscription's subject becomes required and unique per address (one constraint instead of
one per report and one per area); the outbox is indexed by what a message is about.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("notifications", "0003_generic_references_filled"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="subscription",
            name="subscription_unique_per_incident",
        ),
        migrations.RemoveConstraint(
            model_name="subscription",
            name="subscription_unique_per_area",
        ),
        migrations.RemoveIndex(
            model_name="notification",
            name="notification_incident",
        ),
        migrations.RemoveField(model_name="notification", name="event"),
        migrations.RemoveField(model_name="notification", name="incident"),
        migrations.RemoveField(model_name="subscription", name="area"),
        migrations.RemoveField(model_name="subscription", name="incident"),
        migrations.AlterField(
            model_name="subscription",
            name="subject_type",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="loại đối tượng",
            ),
        ),
        migrations.AlterField(
            model_name="subscription",
            name="subject_id",
            field=models.PositiveBigIntegerField(verbose_name="mã đối tượng"),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                fields=["about_type", "about_id", "created_at"], name="notification_about"
            ),
        ),
        migrations.AddIndex(
            model_name="subscription",
            index=models.Index(fields=["subject_type", "subject_id"], name="subscription_subject"),
        ),
        migrations.AddConstraint(
            model_name="subscription",
            constraint=models.UniqueConstraint(
                fields=("email", "subject_type", "subject_id"),
                name="subscription_unique_per_subject",
            ),
        ),
    ]
