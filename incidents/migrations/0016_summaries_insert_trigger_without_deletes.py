"""The summaries' INSERT trigger without the search for rows brought to zero (issue 13: the
summaries' share of a filing): an INSERT only adds reports, so no summary row can fall to zero,
and the RETURNING, the arrays of emptied ids and their tests were about a third of the trigger's
cost per filing. The UPDATE and DELETE triggers are unchanged.

The triggers' SQL is frozen in `sql/` (the generator in `incidents.summaries` moves on); reversed,
the triggers of 0015 return. No summary row changes either way.
"""

from pathlib import Path

from django.db import migrations

from incidents.summaries import triggers_remove_sql

_SQL = Path(__file__).resolve().parent / "sql"


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0015_summaries_resolve_day_and_hotspot_cells"),
    ]

    operations = [
        migrations.RunSQL(
            sql=triggers_remove_sql() + (_SQL / "0016_summaries_triggers.sql").read_text(),
            reverse_sql=triggers_remove_sql() + (_SQL / "0015_summaries_triggers.sql").read_text(),
        ),
    ]
