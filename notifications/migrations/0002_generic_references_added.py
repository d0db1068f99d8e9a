"""Schema, first half: generic references beside the links to incidents models (issue 7).

A notification is about a row of any model (`about_type`, `about_id`) and occasioned by another
(`occasion_type`, `occasion_id`); a subscription follows a row of any model (`subject_type`,
`subject_id`). They are nullable here: 0003 fills them from the old foreign keys, and 0004
removes those keys and makes a subscription's subject required.

The check "a report or an area" goes here rather than in 0004: undone, this migration puts it
back after 0003 (undone) has filled the old keys again, so existing rows satisfy it.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("notifications", "0001_outbox_subscriptions_escalations"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="about_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="loại đối tượng",
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="about_id",
            field=models.PositiveBigIntegerField(
                blank=True, null=True, verbose_name="mã đối tượng"
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="occasion_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="loại sự việc",
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="occasion_id",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="mã sự việc"),
        ),
        migrations.AddField(
            model_name="subscription",
            name="subject_type",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="loại đối tượng",
            ),
        ),
        migrations.AddField(
            model_name="subscription",
            name="subject_id",
            field=models.PositiveBigIntegerField(null=True, verbose_name="mã đối tượng"),
        ),
        migrations.RemoveConstraint(
            model_name="subscription",
            name="subscription_follows_one_report_or_one_area",
        ),
        # The kinds are now defined by the apps that plan messages: no choices here.
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(max_length=40, verbose_name="loại thông báo"),
        ),
    ]
