"""Celery tasks of citizen feedback: thin interfaces over the services.

`incidents_escalate_overdue` is in CELERY_BEAT_SCHEDULE (geoapp/settings/base.py), every five
minutes. The messages it plans are sent by the notifications app's own tasks.
`incidents_summaries_rebuild` is there too, nightly, and `incidents_summaries_reindex` after it;
`incidents_fold_map_changes` every INCIDENT_MAP_CHANGES_FOLD_SECONDS.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from incidents import escalation, summaries


@shared_task(name="incidents.escalate_overdue", ignore_result=True)
def incidents_escalate_overdue() -> int:
    """Mark and escalate overdue reports, once per report, stage and deadline."""
    return len(escalation.incidents_escalate_overdue(now=timezone.now()).escalated)


@shared_task(name="incidents.summaries_rebuild", ignore_result=True)
def incidents_summaries_rebuild() -> int:
    """Recompute the summaries and correct what differs; the number of rows corrected (0 when
    the triggers kept them right). Nightly, in CELERY_BEAT_SCHEDULE."""
    return sum(
        correction.rows_removed + correction.rows_written
        for correction in summaries.summaries_rebuild()
    )


@shared_task(name="incidents.fold_map_changes", ignore_result=True)
def incidents_fold_map_changes() -> int:
    """Fold the committed pending changes into the map grids and the hotspot hexagons; the
    number moved. Idempotent: a second run finds only what was committed since. In
    CELERY_BEAT_SCHEDULE."""
    return summaries.summaries_fold_map_changes()


@shared_task(name="incidents.summaries_reindex", ignore_result=True)
def incidents_summaries_reindex() -> int:
    """Rebuild the summaries' indexes, which their constant updates leave sparse; the number of
    tables reindexed. Nightly, after the rebuild, in CELERY_BEAT_SCHEDULE."""
    return len(summaries.summaries_reindex())
