"""Fill `Dossier.working_days` for the dossiers finished before the column existed, by the rule
services.finish_tally applies: working days from the day the clock started to the finishing day
(Vietnam dates) on the configured working calendar. Reversing leaves the column to be dropped."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def backfill(apps: Any, schema_editor: Any) -> None:
    from geoapp.clock import VIETNAM_TIME_ZONE

    Dossier = apps.get_model("procedures", "Dossier")
    finished = Dossier.objects.filter(
        finished_at__isnull=False,
        working_days__isnull=True,
        status__in=["result_ready", "result_returned"],
    ).only("id", "counted_from", "finished_at")
    if not finished.exists():
        return
    # The calendar is read from the current code: the configuration rows it reads (days off,
    # make-up days) have not changed shape since this migration was written.
    from geoapp.selectors import working_calendar

    calendar = working_calendar()
    batch = []
    for dossier in finished.iterator(chunk_size=2000):
        dossier.working_days = calendar.working_days_between(
            dossier.counted_from.astimezone(VIETNAM_TIME_ZONE).date(),
            dossier.finished_at.astimezone(VIETNAM_TIME_ZONE).date(),
        )
        batch.append(dossier)
        if len(batch) == 2000:
            Dossier.objects.bulk_update(batch, ["working_days"])
            batch = []
    Dossier.objects.bulk_update(batch, ["working_days"])


class Migration(migrations.Migration):
    dependencies = [("procedures", "0003_dossier_working_days")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
