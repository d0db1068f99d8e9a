"""The statement-level triggers that keep the summaries of 0010 up to date with the reports.

The SQL is built by `incidents.summaries` so that the triggers and the rebuild compute the
summaries with the very same expressions. A later change to those expressions comes with a
migration of its own that drops and re-creates the triggers (`triggers_remove_sql`, then
`triggers_install_sql`).
"""

from django.db import migrations

from incidents.summaries import triggers_install_sql, triggers_remove_sql
from incidents.summary_definitions import SUMMARIES_OF_0011


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0010_summaries_tables_and_indexes"),
    ]

    operations = [
        migrations.RunSQL(
            sql=triggers_install_sql(SUMMARIES_OF_0011), reverse_sql=triggers_remove_sql()
        ),
    ]
